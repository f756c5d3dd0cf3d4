/*
 * advance_cargo.c — advance cargo data: the store of what partners sent,
 * the comparison with an import declaration, and the exchange (see
 * advance_cargo.h). The document itself is documents.h's: this file loads,
 * addresses and queues it, or reads and stores it.
 */
#include "exchange/advance_cargo.h"

#include "base/buf.h"
#include "base/clock.h"
#include "exchange/outbox.h"
#include "exchange/partners.h"
#include "exchange/sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hs_ok(const char *hs)
{
	size_t n = hs ? strlen(hs) : 0;

	if (n < 6 || n > 10)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (hs[i] < '0' || hs[i] > '9')
			return 0;
	return 1;
}

static int check(const struct advance_cargo *a, struct cv_error *err)
{
	int64_t ms;

	if (!a->id || !*a->id || strlen(a->id) > 200)
		return cv_error_set(err, CV_EINVAL, "id", "id must be 1 to 200 characters");
	if (!a->country || strlen(a->country) != 2)
		return cv_error_set(err, CV_EINVAL, "country",
				    "country must be an ISO 3166 alpha-2 code");
	if (!a->export_number || !*a->export_number || strlen(a->export_number) > 60)
		return cv_error_set(err, CV_EINVAL, "export_number",
				    "export_number must be 1 to 60 characters");
	if (a->expected_arrival && cv_clock_parse_rfc3339(a->expected_arrival, &ms))
		return cv_error_set(err, CV_EINVAL, "expected_arrival",
				    "expected_arrival must be an RFC 3339 time");
	if (a->nitems == 0 || a->nitems > 999)
		return cv_error_set(err, CV_EINVAL, "items", "items must hold 1 to 999 items");
	for (size_t i = 0; i < a->nitems; i++) {
		if (!hs_ok(a->items[i].hs))
			return cv_error_set(err, CV_EINVAL, "items",
					    "items[%zu].hs must be 6 to 10 digits", i);
		if (a->items[i].net_mass < 0 || a->items[i].quantity < 0)
			return cv_error_set(err, CV_EINVAL, "items",
					    "items[%zu]: quantity and net_mass cannot be negative",
					    i);
	}
	if (!a->document || !*a->document)
		return cv_error_set(err, CV_EINVAL, "document", "the signed document is required");
	return CV_OK;
}

int advance_cargo_record(struct store_conn *conn, const struct advance_cargo *a, const char *now,
			 int *applied, struct cv_error *err)
{
	struct store_stmt *stmt;
	int rc = check(a, err);

	*applied = 0;
	if (rc)
		return rc;
	rc = store_query_row(conn, &stmt, "SELECT 1 FROM advance_cargo WHERE id = $1", "t", a->id);
	if (rc == CV_OK) {
		store_finish(stmt);
		return CV_OK; /* received already */
	}
	if (rc != CV_ENOTFOUND)
		return rc;
	/* An amendment at export: the newer document replaces the older. */
	rc = store_execf(conn, NULL,
			 "DELETE FROM advance_cargo_items WHERE advance_cargo_id IN"
			 " (SELECT id FROM advance_cargo WHERE country = $1 AND export_number = $2)",
			 "tt", a->country, a->export_number);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "DELETE FROM advance_cargo WHERE country = $1 AND export_number = $2",
				 "tt", a->country, a->export_number);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO advance_cargo (id, country, export_number, exporter, importer,"
				 " mode, expected_arrival, containers, document, received_at)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
				 "tttttttttt", a->id, a->country, a->export_number,
				 a->exporter ? a->exporter : "", a->importer ? a->importer : "",
				 a->mode ? a->mode : "", a->expected_arrival,
				 a->containers ? a->containers : "", a->document, now);
	for (size_t i = 0; !rc && i < a->nitems; i++) {
		const struct advance_cargo_item *it = &a->items[i];
		rc = store_execf(conn, NULL,
				 "INSERT INTO advance_cargo_items (advance_cargo_id, item, hs, origin,"
				 " quantity, unit, net_mass) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				 "tittdtd", a->id, (int64_t)i + 1, it->hs,
				 it->origin ? it->origin : "", it->quantity, it->unit, it->net_mass);
	}
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot store the advance cargo data: %s",
				    store_errmsg(conn));
	*applied = 1;
	return CV_OK;
}

int advance_cargo_matches(struct store_conn *conn, const char *declaration_id)
{
	struct store_stmt *stmt;
	int rc =
		store_prepare(conn,
			      "SELECT count(*) FROM advance_cargo a"
			      " JOIN declaration_documents dd ON dd.reference = a.export_number AND dd.type = $2"
			      " JOIN declarations d ON d.id = dd.declaration_id AND d.departure = a.country"
			      " WHERE dd.declaration_id = $1"
			      /* every declared subheading announced */
			      " AND NOT EXISTS (SELECT 1 FROM declaration_items i WHERE i.declaration_id = $1"
			      "   AND NOT EXISTS (SELECT 1 FROM advance_cargo_items ai WHERE ai.advance_cargo_id = a.id"
			      "     AND substr(ai.hs, 1, 6) = substr(i.hs, 1, 6)))"
			      /* and, per subheading, no more mass than announced, within the tolerance */
			      " AND NOT EXISTS (SELECT 1 FROM (SELECT substr(hs, 1, 6) AS hs6, sum(net_mass) AS mass"
			      "   FROM declaration_items WHERE declaration_id = $1 GROUP BY hs6) di"
			      "   WHERE di.mass > (1 + $3) * (SELECT COALESCE(sum(ai.net_mass), 0)"
			      "     FROM advance_cargo_items ai WHERE ai.advance_cargo_id = a.id"
			      "     AND substr(ai.hs, 1, 6) = di.hs6))",
			      &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "ttd", declaration_id, ADVANCE_CARGO_DOCUMENT_TYPE,
			 ADVANCE_CARGO_MASS_TOLERANCE);
	if (!rc)
		rc = store_step(stmt);
	rc = rc == STORE_ROW ? store_col_int64(stmt, 0) > 0 : rc < 0 ? rc : 0;
	store_finish(stmt);
	return rc;
}

/* ---- sending and receiving (the exchange) ------------------------------------ */

/*
 * The destination of declaration id when it is an export (1), or 0: only
 * exports are announced, and the partners of the destination are known
 * before anything is loaded.
 */
static int export_destination(struct store_conn *conn, const char *id, char destination[3])
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT direction, destination FROM declarations WHERE id = $1",
				 "t", id);

	if (rc)
		return rc;
	rc = !strcmp(store_col_text(stmt, 0), "export");
	snprintf(destination, 3, "%s", store_col_text(stmt, 1));
	store_finish(stmt);
	return rc;
}

/* The cargo's document for partner (its own id and audience), signed and queued. */
static int queue_for(struct store_conn *conn, const struct exchange_node *node,
		     const struct exchange_partner *partner,
		     const struct exchange_advance_cargo *cargo, const char *now,
		     struct cv_error *err)
{
	char id[EXCHANGE_DOCUMENT_URN_MAX];
	struct exchange_envelope envelope = {.id = id,
					     .issuer = node->did,
					     .valid_from = now,
					     .to = partner->did};
	json_t *doc;
	int rc;

	exchange_document_new_id(id);
	rc = exchange_advance_cargo_build(&envelope, cargo, &doc, err);
	if (!rc)
		rc = exchange_outbox_queue(conn, node, partner->id, ADVANCE_CARGO_TYPE, doc, NULL,
					   err);
	json_decref(doc);
	return rc;
}

int advance_cargo_announce(struct store_conn *conn, const struct exchange_node *node,
			   const char *declaration_id, int64_t now_ms, int *queued,
			   struct cv_error *err)
{
	struct exchange_advance_cargo cargo;
	struct exchange_partner partner;
	struct cv_arena arena;
	char now[CV_RFC3339_MAX], today[CV_DATE_MAX], destination[3] = "";
	json_t *ids = NULL, *v;
	int loaded = 0, rc;
	size_t i;

	*queued = 0;
	if (!node)
		return CV_OK; /* no key yet: caravan init makes it */
	rc = export_destination(conn, declaration_id, destination);
	if (rc <= 0)
		return rc;
	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	cv_date_from_ms(now_ms, today);
	rc = exchange_partners_agreed(conn, EXCHANGE_ADVANCE_CARGO, NULL, today, &ids);
	cv_arena_init(&arena, 0);
	json_array_foreach(ids, i, v) {
		if (rc)
			break;
		rc = exchange_partner_load(conn, json_string_value(v), &partner);
		if (rc || strcmp(partner.country, destination) != 0)
			continue;
		/* Loaded once, for the first partner of the destination (usually the only one). */
		if (!loaded++)
			rc = exchange_advance_cargo_load(conn, declaration_id, &arena, &cargo, err);
		if (!rc)
			rc = queue_for(conn, node, &partner, &cargo, now, err);
		if (!rc)
			(*queued)++;
	}
	cv_arena_release(&arena);
	json_decref(ids);
	return rc;
}

/* The container numbers of cargo, space-separated, into numbers. */
static int container_list(const struct exchange_advance_cargo *cargo, struct cv_buf *numbers)
{
	int rc = CV_OK;

	for (size_t i = 0; !rc && i < cargo->ncontainers; i++) {
		if (i)
			rc = cv_buf_addch(numbers, ' ');
		if (!rc)
			rc = cv_buf_adds(numbers, cargo->containers[i]);
	}
	return rc;
}

/*
 * What the partner sent, read member by member (a bad member is the
 * refusal's reason), stored under the sender's registered country: the
 * partner announces its own exports.
 */
int advance_cargo_receive(struct store_conn *conn, const struct exchange_inbox_message *m,
			  struct cv_error *err)
{
	struct exchange_envelope envelope;
	struct exchange_advance_cargo cargo;
	struct advance_cargo_item *items;
	struct advance_cargo a;
	struct cv_arena arena;
	struct cv_buf numbers;
	char now[CV_RFC3339_MAX], *text = NULL;
	int applied, rc;

	cv_arena_init(&arena, 0);
	cv_buf_init(&numbers);
	rc = exchange_advance_cargo_read(m->document, &arena, &envelope, &cargo, err);
	if (rc)
		goto out;
	if (m->node_country && strcmp(cargo.destination, m->node_country)) {
		rc = cv_error_set(err, CV_EPERM, "credentialSubject.destinationCountry",
				  "the consignment goes to %s, not to %s: it is for %s's node",
				  cargo.destination, m->node_country, cargo.destination);
		goto out;
	}
	items = cv_arena_alloc(&arena, cargo.nitems * sizeof(*items));
	text = json_dumps(m->document, JSON_COMPACT | JSON_SORT_KEYS);
	if (!items || !text || container_list(&cargo, &numbers)) {
		rc = cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < cargo.nitems; i++) {
		const struct exchange_cargo_item *it = &cargo.items[i];
		items[i] = (struct advance_cargo_item){it->hs, it->origin, it->quantity, it->unit,
						       it->net_mass};
	}
	a = (struct advance_cargo){m->document_id,
				   m->partner->country,
				   cargo.declaration,
				   cargo.exporter.id,
				   cargo.importer.id,
				   cargo.mode,
				   cargo.expected_arrival,
				   cv_buf_str(&numbers),
				   items,
				   cargo.nitems,
				   text};
	cv_clock_format_rfc3339(m->now_ms, now, sizeof(now));
	rc = advance_cargo_record(conn, &a, now, &applied, err);
out:
	free(text);
	cv_buf_release(&numbers);
	cv_arena_release(&arena);
	return rc;
}
