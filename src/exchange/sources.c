/*
 * sources.c — the node's rows into the structs the document builders take
 * (see sources.h). Each column is copied into the arena as it is read: a
 * statement's text lives only until its next step.
 */
#include "exchange/sources.h"

#include "exchange/jcs.h"

#include <string.h>

/* A copy of column col in arena; NULL for SQL NULL or "" when empty_is_null. */
static const char *col(struct store_stmt *stmt, int col, struct cv_arena *arena, int empty_is_null)
{
	const char *s = store_col_text(stmt, col);

	if (!s || (empty_is_null && !*s))
		return NULL;
	return cv_arena_strdup(arena, s);
}

int exchange_aeo_status_load(struct store_conn *conn, const char *authorization,
			     struct cv_arena *arena, struct exchange_aeo_status *out,
			     struct cv_error *err)
{
	struct store_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_query_row(conn, &stmt,
			     "SELECT o.tin, o.name, o.country, o.address, z.number, z.type, z.status,"
			     " z.valid_from, z.revalidation_due, z.status_changed_at"
			     " FROM aeo_authorizations z JOIN operators o ON o.id = z.operator_id"
			     " WHERE z.id = $1 OR z.number = $1",
			     "t", authorization);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, "authorization", "no such authorization");
	if (rc)
		return rc;
	out->holder.id = col(stmt, 0, arena, 0);
	out->holder.name = col(stmt, 1, arena, 0);
	out->holder.country = col(stmt, 2, arena, 0);
	out->address = col(stmt, 3, arena, 1);
	out->number = col(stmt, 4, arena, 0);
	out->type = col(stmt, 5, arena, 0);
	out->status = col(stmt, 6, arena, 0);
	out->authorized_on = col(stmt, 7, arena, 0);
	out->revalidation_due = col(stmt, 8, arena, 1);
	out->status_changed_at = col(stmt, 9, arena, 0);
	store_finish(stmt);
	if (!out->holder.id || !out->number || !out->status_changed_at)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	return CV_OK;
}

/* The party with identification number id, named from the registry when the node knows it. */
static int party(struct store_conn *conn, const char *id, struct cv_arena *arena,
		 struct exchange_party *out)
{
	struct store_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!id)
		return CV_OK;
	out->id = id;
	rc = store_query_row(conn, &stmt, "SELECT name, country FROM operators WHERE tin = $1", "t",
			     id);
	if (rc == CV_ENOTFOUND)
		return CV_OK;
	if (rc)
		return rc;
	out->name = col(stmt, 0, arena, 1);
	out->country = col(stmt, 1, arena, 1);
	store_finish(stmt);
	return CV_OK;
}

/* The strings of the array member name of transport into *list, *n. */
static int strings(const json_t *transport, const char *name, struct cv_arena *arena,
		   const char *const **list, size_t *n)
{
	const json_t *a = json_object_get(transport, name);
	const char **out;
	size_t count = 0;

	*list = NULL;
	*n = 0;
	if (!json_is_array(a) || json_array_size(a) == 0)
		return CV_OK;
	out = cv_arena_alloc(arena, json_array_size(a) * sizeof(*out));
	if (!out)
		return CV_ENOMEM;
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (s && !(out[count++] = cv_arena_strdup(arena, s)))
			return CV_ENOMEM;
	}
	*list = out;
	*n = count;
	return CV_OK;
}

/* Vehicle, containers and seals from the document as lodged ({"transport": {...}}). */
static int transport(const char *document, struct cv_arena *arena,
		     struct exchange_advance_cargo *out)
{
	json_t *doc = NULL, *t;
	const char *vehicle;
	int rc;

	/* Not JSON (a declaration imported from elsewhere) is no transport detail, not an error. */
	if (!document || exchange_jcs_parse(document, strlen(document), "document", &doc, NULL))
		return CV_OK;
	t = json_object_get(doc, "transport");
	vehicle = json_string_value(json_object_get(t, "vehicle"));
	rc = vehicle && !(out->vehicle = cv_arena_strdup(arena, vehicle)) ? CV_ENOMEM : CV_OK;
	if (!rc)
		rc = strings(t, "containers", arena, &out->containers, &out->ncontainers);
	if (!rc)
		rc = strings(t, "seals", arena, &out->seals, &out->nseals);
	json_decref(doc);
	return rc;
}

static int items(struct store_conn *conn, const char *id, struct cv_arena *arena,
		 struct exchange_advance_cargo *out)
{
	struct exchange_cargo_item *list;
	struct store_stmt *stmt;
	int64_t n;
	int rc = store_query_row(conn, &stmt,
				 "SELECT COUNT(*) FROM declaration_items WHERE declaration_id = $1",
				 "t", id);

	if (rc)
		return rc;
	n = store_col_int64(stmt, 0);
	store_finish(stmt);
	if (n <= 0)
		return CV_OK;
	list = cv_arena_alloc(arena, (size_t)n * sizeof(*list));
	if (!list)
		return CV_ENOMEM;
	rc = store_prepare(conn,
			   "SELECT hs, description, origin, quantity, unit, net_mass, amount, currency"
			   " FROM declaration_items WHERE declaration_id = $1 ORDER BY item",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "t", id);
	while (!rc && out->nitems < (size_t)n && (rc = store_step(stmt)) == STORE_ROW) {
		struct exchange_cargo_item *it = &list[out->nitems++];

		it->hs = col(stmt, 0, arena, 0);
		it->description = col(stmt, 1, arena, 1);
		it->origin = col(stmt, 2, arena, 1);
		it->quantity = store_col_double(stmt, 3);
		it->unit = col(stmt, 4, arena, 1);
		it->net_mass = store_col_double(stmt, 5);
		it->amount = store_col_int64(stmt, 6);
		it->currency = col(stmt, 7, arena, 1);
		rc = it->hs ? CV_OK : CV_ENOMEM;
	}
	store_finish(stmt);
	out->items = list;
	return rc < 0 ? rc : CV_OK;
}

int exchange_advance_cargo_load(struct store_conn *conn, const char *declaration,
				struct cv_arena *arena, struct exchange_advance_cargo *out,
				struct cv_error *err)
{
	const char *id, *exporter, *importer, *declarant, *direction, *status, *document;
	struct store_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_query_row(conn, &stmt,
			     "SELECT id, number, direction, status, office, departure, destination,"
			     " exporter, importer, declarant, mode, released_at, expected_arrival,"
			     " document FROM declarations WHERE id = $1 OR number = $1",
			     "t", declaration);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, "declaration", "no such declaration");
	if (rc)
		return rc;
	id = col(stmt, 0, arena, 0);
	out->declaration = col(stmt, 1, arena, 0);
	direction = col(stmt, 2, arena, 0);
	status = col(stmt, 3, arena, 0);
	out->office = col(stmt, 4, arena, 0);
	out->departure = col(stmt, 5, arena, 1);
	out->destination = col(stmt, 6, arena, 1);
	exporter = col(stmt, 7, arena, 1);
	importer = col(stmt, 8, arena, 1);
	declarant = col(stmt, 9, arena, 1);
	out->mode = col(stmt, 10, arena, 1);
	out->released_at = col(stmt, 11, arena, 1);
	out->expected_arrival = col(stmt, 12, arena, 1);
	document = col(stmt, 13, arena, 1);
	store_finish(stmt);
	if (!id || !direction || !status)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	if (strcmp(direction, "export") != 0 || strcmp(status, "released") != 0)
		return cv_error_set(err, CV_ECONFLICT, "declaration",
				    "advance cargo data is sent for a released export declaration; "
				    "%s is a%s %s declaration, %s",
				    out->declaration, strcmp(direction, "import") ? "" : "n",
				    direction, status);
	rc = party(conn, exporter, arena, &out->exporter);
	if (!rc)
		rc = party(conn, importer, arena, &out->importer);
	if (!rc)
		rc = party(conn, declarant, arena, &out->declarant);
	if (!rc)
		rc = transport(document, arena, out);
	if (!rc)
		rc = items(conn, id, arena, out);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot read declaration %s: %s",
				    out->declaration, store_errmsg(conn));
	return CV_OK;
}
