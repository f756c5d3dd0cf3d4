/*
 * certificates.c — electronic certificates of origin: issuing, revoking
 * and reading them, receiving them from partners, and deciding an import's
 * claim to preference (see certificates.h). The partners' status lists
 * are fetched by status_fetch.c.
 */
#include "exchange/certificates.h"

#include "base/arena.h"
#include "base/clock.h"
#include "exchange/documents.h"
#include "exchange/issued.h"
#include "exchange/outbox.h"
#include "exchange/partners.h"
#include "exchange/status_list.h"
#include "trade/fields.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URN_UUID "urn:uuid:"
#define TEXT_MAX 200
#define CODE_MAX 40

/* ---- who sees what --------------------------------------------------------------------- */

/*
 * The rows who may see, as SQL over c (origin_certificates) with $1 the
 * caller's agency and $2 its operator's identification number: the issuing
 * authority its own certificates, a trader those naming it, customs and
 * auditors all.
 */
#define VISIBLE                                                                                    \
	" (($1 = '' AND $2 = '') OR ($1 <> '' AND c.agency_code = $1)"                             \
	" OR ($2 <> '' AND ((c.direction = 'issued' AND c.exporter_id = $2)"                       \
	" OR (c.direction = 'received' AND c.importer_id = $2))))"

/* The caller's agency and trader identification ("" when not one), or 0 when who may see none. */
static int visibility(struct store_conn *conn, const struct auth_principal *who, char *agency,
		      size_t agency_size, char *tin, size_t tin_size)
{
	struct store_stmt *stmt;

	agency[0] = tin[0] = '\0';
	switch (who->user.role) {
	case ROLE_PGA_OFFICER: snprintf(agency, agency_size, "%s", who->user.agency_code); return 1;
	case ROLE_TRADER:
		if (store_query_row(conn, &stmt, "SELECT tin FROM operators WHERE id = $1", "t",
				    who->user.operator_id))
			return 0;
		snprintf(tin, tin_size, "%s", store_col_text(stmt, 0));
		store_finish(stmt);
		return 1;
	case ROLE_AEO_OFFICER:
	case ROLE_RISK_ANALYST:
	case ROLE_BORDER_OFFICER:
	case ROLE_AUDITOR: return 1;
	default: return 0;
	}
}

#define COLUMNS                                                                                    \
	"c.id, c.direction, c.number, c.exporting_country, c.importing_country, c.arrangement,"    \
	" c.exporter_id, c.exporter_name, c.importer_id, c.importer_name, c.issued_on,"            \
	" c.valid_until, c.agency_code, c.issued_by, p.did, p.country, c.message_id,"              \
	" c.document, c.created_at, COALESCE(i.status, ''), c.revoked_at, c.revocation_reason"
#define FROM                                                                                       \
	" FROM origin_certificates c LEFT JOIN exchange_partners p ON p.id = c.partner_id"         \
	" LEFT JOIN issued_credentials i ON i.id = c.id"

static json_t *certificate_json(struct store_stmt *stmt, int with_document)
{
	const char *direction = store_col_text(stmt, 1);
	int issued = !strcmp(direction, "issued");
	json_t *o =
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s?, s:s}",
			  "id", store_col_text(stmt, 0), "direction", direction, "number",
			  store_col_text(stmt, 2), "exporting_country", store_col_text(stmt, 3),
			  "importing_country", store_col_text(stmt, 4), "arrangement",
			  store_col_text(stmt, 5), "exporter", "id", store_col_text(stmt, 6),
			  "name", store_col_text(stmt, 7), "importer", "id",
			  store_col_text(stmt, 8), "name", store_col_text(stmt, 9), "issued_on",
			  store_col_text(stmt, 10), "valid_until",
			  store_col_is_null(stmt, 11) ? NULL : store_col_text(stmt, 11),
			  "created_at", store_col_text(stmt, 18));

	if (!o)
		return NULL;
	if (issued) {
		/* What the issuing node knows: its status list's word, and where it went. */
		json_object_set_new(o, "status",
				    json_string(!strcmp(store_col_text(stmt, 19), "revoked")
							? "revoked"
							: "valid"));
		json_object_set_new(o, "agency", json_string(store_col_text(stmt, 12)));
		if (!store_col_is_null(stmt, 20))
			json_object_set_new(o, "revoked",
					    json_pack("{s:s, s:s}", "at", store_col_text(stmt, 20),
						      "reason", store_col_text(stmt, 21)));
		json_object_set_new(o, "issued_by", json_string(store_col_text(stmt, 13)));
		json_object_set_new(o, "sent_to",
				    store_col_is_null(stmt, 14)
					    ? json_null()
					    : json_pack("{s:s, s:s, s:s?}", "partner",
							store_col_text(stmt, 14), "country",
							store_col_text(stmt, 15), "message",
							store_col_is_null(stmt, 16)
								? NULL
								: store_col_text(stmt, 16)));
	} else {
		json_object_set_new(o, "received_from",
				    json_pack("{s:s?, s:s?}", "partner",
					      store_col_is_null(stmt, 14) ? NULL
									  : store_col_text(stmt, 14),
					      "country",
					      store_col_is_null(stmt, 15)
						      ? NULL
						      : store_col_text(stmt, 15)));
	}
	if (with_document)
		json_object_set_new(o, "credential", json_loads(store_col_text(stmt, 17), 0, NULL));
	return o;
}

static int load(struct store_conn *conn, const struct auth_principal *who, const char *key,
		json_t **out)
{
	char agency[64], tin[64];
	struct store_stmt *stmt;
	int rc;

	*out = NULL;
	if (!key || !visibility(conn, who, agency, sizeof(agency), tin, sizeof(tin)))
		return CV_ENOTFOUND;
	rc = store_query_row(conn, &stmt,
			     "SELECT " COLUMNS FROM " WHERE (c.id = $3 OR c.number = $3) AND" VISIBLE
			     " ORDER BY c.direction LIMIT 1",
			     "ttt", agency, tin, key);
	if (rc)
		return rc;
	*out = certificate_json(stmt, 1);
	store_finish(stmt);
	return *out ? CV_OK : CV_ENOMEM;
}

int exchange_certificate_get(struct store_conn *conn, const struct auth_principal *who,
			     const char *key, json_t **out)
{
	return load(conn, who, key, out);
}

int exchange_certificates_list(struct store_conn *conn, const struct auth_principal *who,
			       const char *direction, const char *number, const char *after,
			       int limit, json_t **items)
{
	char agency[64], tin[64];
	struct store_stmt *stmt;
	int rc;

	*items = json_array();
	if (!visibility(conn, who, agency, sizeof(agency), tin, sizeof(tin)))
		return CV_OK;
	rc = store_prepare(conn,
			   "SELECT " COLUMNS FROM " WHERE" VISIBLE
			   " AND ($3 = '' OR c.direction = $3) AND ($4 = '' OR c.number = $4)"
			   " AND ($5 = '' OR c.id < $5) ORDER BY c.id DESC LIMIT $6",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "ttttti", agency, tin, direction ? direction : "",
				 number ? number : "", after ? after : "", (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		json_array_append_new(*items, certificate_json(stmt, 0));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*items);
		*items = NULL;
		return rc;
	}
	return CV_OK;
}

/* ---- issuing ----------------------------------------------------------------------------- */

/* Is name one of the comma-separated list ("environment,origin")? Not a part of another name. */
static int listed_in(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == ' ' || !p[n]))
			return 1;
	}
	return 0;
}

/* Does who's agency hold the origin authority? */
static int issuing_authority(struct store_conn *conn, const struct auth_principal *who)
{
	struct store_stmt *stmt;
	int holds;

	if (who->user.role != ROLE_PGA_OFFICER ||
	    store_query_row(conn, &stmt, "SELECT authorities FROM agencies WHERE code = $1", "t",
			    who->user.agency_code))
		return 0;
	holds = listed_in(store_col_text(stmt, 0), EXCHANGE_ORIGIN_AUTHORITY);
	store_finish(stmt);
	return holds;
}

/* The active partner of country with an agreement on certificates of origin in force on date. */
static int origin_partner(struct store_conn *conn, const char *country, const char *date,
			  struct exchange_partner *out)
{
	json_t *ids = NULL;
	int rc = exchange_partners_agreed(conn, EXCHANGE_CERTIFICATES_OF_ORIGIN, NULL, date, &ids);
	int found = 0;

	for (size_t i = 0; !rc && !found && i < json_array_size(ids); i++) {
		rc = exchange_partner_load(conn, json_string_value(json_array_get(ids, i)), out);
		found = !rc && !strcmp(out->country, country);
	}
	json_decref(ids);
	return rc ? rc : found ? CV_OK : CV_ENOTFOUND;
}

/* Has partner_id itself an agreement on certificates of origin in force on date? CV_ENOTFOUND if not. */
static int has_agreement(struct store_conn *conn, const char *partner_id, const char *date)
{
	json_t *ids = NULL;
	int rc = exchange_partners_agreed(conn, EXCHANGE_CERTIFICATES_OF_ORIGIN, NULL, date, &ids);
	int found = 0;

	for (size_t i = 0; !rc && !found && i < json_array_size(ids); i++)
		found = !strcmp(json_string_value(json_array_get(ids, i)), partner_id);
	json_decref(ids);
	return rc ? rc : found ? CV_OK : CV_ENOTFOUND;
}

static int country_code(const char *s)
{
	return s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static const char *country(struct trade_check *c, json_t *o, const char *name, const char *where,
			   int required)
{
	const char *s = trade_text(c, o, name, where, 2, required);
	char field[64];

	snprintf(field, sizeof(field), "%s%s", where, name);
	if (s && (!country_code(s) ||
		  !trade_exists(c->conn, "SELECT 1 FROM countries WHERE code = $1", s))) {
		trade_refuse(c, cv_arena_strdup(c->arena, field),
			     "%s must be an ISO 3166 alpha-2 country code such as UZ, not \"%s\"",
			     field, s);
		return NULL;
	}
	return s;
}

static const char *code(struct trade_check *c, json_t *o, const char *name, const char *where,
			size_t max, int required)
{
	const char *s = trade_text(c, o, name, where, max, required);
	char field[64];

	snprintf(field, sizeof(field), "%s%s", where, name);
	if (s && !trade_code_like(s, max)) {
		trade_refuse(c, cv_arena_strdup(c->arena, field),
			     "%s must be 1 to %zu letters, digits and - / . only", field, max);
		return NULL;
	}
	return s;
}

static const char *field_name(struct cv_arena *arena, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A field's name, made in the arena (the errors keep it). */
static const char *field_name(struct cv_arena *arena, const char *fmt, ...)
{
	char name[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return cv_arena_strdup(arena, name);
}

/* A number member above 0 (or, when optional, absent: 0). */
static double measure(struct trade_check *c, json_t *o, const char *name, const char *where,
		      int required)
{
	json_t *v = json_object_get(o, name);
	char field[64];

	snprintf(field, sizeof(field), "%s%s", where, name);
	if (!v && !required)
		return 0;
	if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 1e12) {
		trade_refuse(c, cv_arena_strdup(c->arena, field), "%s must be a number above 0",
			     field);
		return 0;
	}
	return json_number_value(v);
}

static const char *date(struct trade_check *c, json_t *o, const char *name, const char *where)
{
	const char *s = trade_text(c, o, name, where, 10, 0);
	int64_t days;
	char field[64];

	snprintf(field, sizeof(field), "%s%s", where, name);
	if (s && cv_date_parse(s, &days)) {
		trade_refuse(c, cv_arena_strdup(c->arena, field), "%s must be a date (YYYY-MM-DD)",
			     field);
		return NULL;
	}
	return s;
}

static void only(struct trade_check *c, json_t *o, const char *where, const char *const *known)
{
	const char *name;
	json_t *v;

	json_object_foreach(o, name, v) {
		if (!trade_listed(name, known))
			trade_refuse(c, field_name(c->arena, "%s%s", where, name),
				     "%s%s is not a member of a certificate of origin", where, name);
	}
}

static void check_party(struct trade_check *c, json_t *body, const char *name,
			struct exchange_party *out)
{
	static const char *const known[] = {"id", "name", "country", NULL};
	json_t *p = json_object_get(body, name);
	char where[32];

	snprintf(where, sizeof(where), "%s.", name);
	if (!json_is_object(p)) {
		trade_refuse(c, name, "%s is required: {\"id\": identification number, \"name\"}",
			     name);
		return;
	}
	only(c, p, where, known);
	out->id = code(c, p, "id", where, 64, 1);
	out->name = trade_text(c, p, "name", where, TEXT_MAX, 0);
	out->country = country(c, p, "country", where, 0);
}

static void check_item(struct trade_check *c, json_t *it, size_t i, struct exchange_origin_item *out)
{
	static const char *const known[] = {"hs",         "description", "quantity",  "unit",
					    "gross_mass", "origin",      "criterion", NULL};
	char where[32];
	size_t n;

	snprintf(where, sizeof(where), "items[%zu].", i);
	if (!json_is_object(it)) {
		trade_refuse(c, field_name(c->arena, "items[%zu]", i),
			     "items[%zu] must be {hs, description, quantity, unit, origin, criterion}",
			     i);
		return;
	}
	only(c, it, where, known);
	out->hs = trade_text(c, it, "hs", where, 10, 1);
	n = out->hs ? strlen(out->hs) : 0;
	if (out->hs && (n < 6 || strspn(out->hs, "0123456789") != n))
		trade_refuse(c, field_name(c->arena, "%shs", where),
			     "%shs must be an HS code of 6 to 10 digits", where);
	out->description = trade_text(c, it, "description", where, TEXT_MAX, 1);
	out->quantity = measure(c, it, "quantity", where, 1);
	out->unit = trade_text(c, it, "unit", where, 3, 1);
	if (out->unit && !trade_listed(out->unit, trade_units))
		trade_refuse(c, field_name(c->arena, "%sunit", where),
			     "%sunit must be a UNECE Rec 20 unit such as KGM or H87", where);
	out->gross_mass = measure(c, it, "gross_mass", where, 0);
	out->origin = country(c, it, "origin", where, 1);
	out->criterion = code(c, it, "criterion", where, 16, 1);
}

/* The body as a certificate, every fault in c->errors. */
static void check_issue(struct trade_check *c, const struct exchange_origin_context *ctx,
			json_t *body, struct exchange_certificate_of_origin *out,
			const char **valid_until)
{
	static const char *const known[] = {"arrangement", "importing_country",
					    "exporter",    "importer",
					    "consignment", "items",
					    "valid_until", NULL};
	static const char *const consignment_known[] =
		{"mode", "vehicle", "departure_date", "invoice", "export_declaration", NULL};
	json_t *consignment = json_object_get(body, "consignment"),
	       *items = json_object_get(body, "items");
	struct exchange_origin_item *list;
	struct store_stmt *stmt;

	only(c, body, "", known);
	out->arrangement = code(c, body, "arrangement", "", CODE_MAX, 1);
	out->exporting_country = ctx->node_country;
	out->importing_country = country(c, body, "importing_country", "", 1);
	if (out->importing_country && !strcmp(out->importing_country, ctx->node_country))
		trade_refuse(c, "importing_country",
			     "importing_country is this country: a certificate of origin is for "
			     "goods going abroad");
	check_party(c, body, "exporter", &out->exporter);
	check_party(c, body, "importer", &out->importer);
	/* The exporter is an operator of this country, as its registry knows it. */
	if (out->exporter.id) {
		if (store_query_row(c->conn, &stmt, "SELECT name FROM operators WHERE tin = $1",
				    "t", out->exporter.id)) {
			trade_refuse(c, "exporter.id",
				     "exporter.id: no operator %s is registered here (register the "
				     "exporter first: POST /api/v1/operators)",
				     out->exporter.id);
		} else {
			if (!out->exporter.name)
				out->exporter.name = cv_arena_strdup(c->arena,
								     store_col_text(stmt, 0));
			store_finish(stmt);
		}
		out->exporter.country = ctx->node_country;
	}
	if (out->importer.id && !out->importer.name)
		trade_refuse(c, "importer.name", "importer.name is required");
	if (out->importer.country && out->importing_country &&
	    strcmp(out->importer.country, out->importing_country))
		trade_refuse(c, "importer.country",
			     "importer.country must be the importing country %s",
			     out->importing_country);
	if (!json_is_object(consignment)) {
		trade_refuse(c, "consignment",
			     "consignment is required: {\"mode\": UNECE Rec 19 code, ...}");
	} else {
		only(c, consignment, "consignment.", consignment_known);
		out->mode = trade_text(c, consignment, "mode", "consignment.", 1, 1);
		if (out->mode && !trade_listed(out->mode, trade_transport_modes))
			trade_refuse(c, "consignment.mode",
				     "consignment.mode must be a UNECE Rec 19 code (1 sea, 2 rail, "
				     "3 road, 4 air, 5 post, 7 pipeline, 8 inland water)");
		out->vehicle = code(c, consignment, "vehicle", "consignment.", 20, 0);
		out->departure_date = date(c, consignment, "departure_date", "consignment.");
		out->invoice = code(c, consignment, "invoice", "consignment.", CODE_MAX, 0);
		out->export_declaration = code(c, consignment, "export_declaration", "consignment.",
					       CODE_MAX, 0);
	}
	*valid_until = date(c, body, "valid_until", "");
	if (!json_is_array(items) || !json_array_size(items) ||
	    json_array_size(items) > EXCHANGE_ITEMS_MAX) {
		trade_refuse(c, "items", "items must be a list of 1 to %d goods",
			     EXCHANGE_ITEMS_MAX);
		return;
	}
	list = cv_arena_alloc(c->arena, json_array_size(items) * sizeof(*list));
	if (!list)
		return;
	memset(list, 0, json_array_size(items) * sizeof(*list));
	for (size_t i = 0; i < json_array_size(items); i++)
		check_item(c, json_array_get(items, i), i, &list[i]);
	out->items = list;
	out->nitems = json_array_size(items);
}

/* A certificate as the node keeps it, issued or received. */
struct kept {
	const char *id, *direction;
	const struct exchange_certificate_of_origin *cert;
	const char *valid_until;        /* RFC 3339, or NULL */
	const char *agency, *issued_by; /* issued: the authority and its officer */
	const char *partner_id;         /* the recipient, or the sender; NULL: none */
	const char *message_id;         /* issued: the outbox row, or NULL */
	const json_t *document;         /* signed */
	int64_t now_ms;
};

static int keep(struct store_conn *conn, const struct kept *k)
{
	const struct exchange_certificate_of_origin *c = k->cert;
	char *text = json_dumps(k->document, JSON_COMPACT), created[CV_RFC3339_MAX];
	int rc;

	if (!text)
		return CV_ENOMEM;
	cv_clock_format_rfc3339_ms(k->now_ms, created, sizeof(created));
	rc = store_execf(conn, NULL,
			 "INSERT INTO origin_certificates (id, direction, number, exporting_country,"
			 " importing_country, arrangement, exporter_id, exporter_name, importer_id,"
			 " importer_name, issued_on, valid_until, agency_code, issued_by, partner_id,"
			 " message_id, document, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
			 " $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
			 "tttttttttttttttttt", k->id, k->direction, c->number, c->exporting_country,
			 c->importing_country, c->arrangement, c->exporter.id,
			 c->exporter.name ? c->exporter.name : "", c->importer.id,
			 c->importer.name ? c->importer.name : "", c->issued_on, k->valid_until,
			 k->agency, k->issued_by, k->partner_id, k->message_id, text, created);
	free(text);
	return rc;
}

/* The signed text of an outbox row, parsed. */
static int queued_document(struct store_conn *conn, const char *message_id, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt, "SELECT body FROM exchange_outbox WHERE id = $1", "t",
				 message_id);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_loads(store_col_text(stmt, 0), 0, NULL);
	store_finish(stmt);
	return *out ? CV_OK : CV_ENOMEM;
}

/* Sign doc: through the outbox for the partner (its copy is the one kept), or here. */
static int sign(struct store_conn *conn, const struct exchange_origin_context *ctx,
		const struct exchange_partner *partner, const json_t *doc, char *message_id,
		json_t **signed_doc, struct cv_error *err)
{
	int rc;

	if (!partner)
		return exchange_node_sign(ctx->node, doc, ctx->now_ms, signed_doc, err);
	rc = exchange_outbox_queue(conn, ctx->node, partner->id,
				   EXCHANGE_TYPE_CERTIFICATE_OF_ORIGIN, doc, message_id, err);
	return rc ? rc : queued_document(conn, message_id, signed_doc);
}

int exchange_certificate_issue(struct store_conn *conn, const struct exchange_origin_context *ctx,
			       const struct auth_principal *who, json_t *body, json_t *errors,
			       json_t **out, struct cv_error *err)
{
	struct cv_arena arena;
	struct trade_check c = {conn, &arena, errors, NULL};
	struct exchange_certificate_of_origin cert;
	struct exchange_envelope env;
	struct exchange_partner partner;
	struct exchange_issued issued;
	struct exchange_issue issue = {EXCHANGE_KIND_CERTIFICATE_OF_ORIGIN, NULL, 1, 0};
	char today[CV_DATE_MAX], until[CV_DATE_MAX], number[64], id[CV_UUID_STR + 16];
	char from[CV_RFC3339_MAX], until_time[CV_RFC3339_MAX], message_id[CV_UUID_STR] = "";
	const char *valid_until = NULL;
	json_t *doc = NULL, *signed_doc = NULL, *status = NULL;
	int64_t serial;
	int rc, to_partner;

	*out = NULL;
	if (!issuing_authority(conn, who))
		return cv_error_set(err, CV_EPERM, NULL,
				    "only an officer of an authority that issues certificates of "
				    "origin (an agency holding the \"origin\" authority) may issue "
				    "them");
	if (!ctx->node)
		return cv_error_set(err, CV_EUNSUPPORTED, NULL,
				    "this node has no signing key: its operator runs caravan init "
				    "and restarts the server");
	cv_arena_init(&arena, 0);
	memset(&cert, 0, sizeof(cert));
	cv_date_from_ms(ctx->now_ms, today);
	c.date = today;
	check_issue(&c, ctx, body, &cert, &valid_until);
	if (!valid_until)
		cv_date_add_days(today, EXCHANGE_CERTIFICATE_VALID_DAYS, until);
	else if (strcmp(valid_until, today) <= 0)
		trade_refuse(&c, "valid_until", "valid_until must be after today (%s)", today);
	if (json_array_size(errors)) {
		rc = CV_EINVAL;
		goto out;
	}
	if (valid_until)
		snprintf(until, sizeof(until), "%s", valid_until);
	rc = origin_partner(conn, cert.importing_country, today, &partner);
	to_partner = rc == CV_OK;
	if (rc && rc != CV_ENOTFOUND)
		goto out;
	/* The number, in the national series of the year. */
	snprintf(number, sizeof(number), "origin_certificates.%s.%.4s", ctx->node_country, today);
	rc = trade_counter_next(conn, number, &serial);
	if (rc)
		goto out;
	snprintf(number, sizeof(number), "%s-CO-%.4s-%06lld", ctx->node_country, today,
		 (long long)serial);
	cert.number = number;
	cert.issued_on = today;
	issue.subject = number;
	rc = exchange_issued_new(conn, &issue, ctx->now_ms, &issued, err);
	if (!rc)
		rc = exchange_issued_status(&issued, ctx->public_url, &status);
	if (rc)
		goto out;
	snprintf(id, sizeof(id), URN_UUID "%s", issued.id);
	cv_clock_format_rfc3339_ms(ctx->now_ms, from, sizeof(from));
	/* In force to the end of its last day, in UTC. */
	snprintf(until_time, sizeof(until_time), "%sT23:59:59Z", until);
	memset(&env, 0, sizeof(env));
	env.id = id;
	env.issuer = ctx->node->did;
	env.valid_from = from;
	env.valid_until = until_time;
	env.to = to_partner ? partner.did : NULL;
	env.credential_status = status;
	rc = exchange_certificate_build(&env, &cert, &doc, err);
	if (!rc)
		rc = sign(conn, ctx, to_partner ? &partner : NULL, doc, message_id, &signed_doc,
			  err);
	if (!rc)
		rc = exchange_issued_set_document(conn, issued.id, signed_doc, ctx->now_ms, err);
	if (!rc) {
		struct kept k = {issued.id,
				 "issued",
				 &cert,
				 until_time,
				 who->user.agency_code,
				 who->user.username,
				 to_partner ? partner.id : NULL,
				 *message_id ? message_id : NULL,
				 signed_doc,
				 ctx->now_ms};
		rc = keep(conn, &k);
	}
	if (!rc)
		rc = load(conn, who, issued.id, out);
out:
	json_decref(status);
	json_decref(doc);
	json_decref(signed_doc);
	cv_arena_release(&arena);
	return rc;
}

int exchange_certificate_revoke(struct store_conn *conn, const struct exchange_origin_context *ctx,
				const struct auth_principal *who, const char *key,
				const char *reason, json_t **out, struct cv_error *err)
{
	json_t *found = NULL;
	const char *id, *direction;
	int rc = load(conn, who, key, &found);

	*out = NULL;
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, NULL, "no certificate of origin %s", key);
	if (rc)
		return rc;
	id = json_string_value(json_object_get(found, "id"));
	direction = json_string_value(json_object_get(found, "direction"));
	if (strcmp(direction, "issued") || !issuing_authority(conn, who) ||
	    strcmp(json_string_value(json_object_get(found, "agency")), who->user.agency_code))
		rc = cv_error_set(err, CV_EPERM, NULL,
				  "only the authority that issued a certificate may revoke it");
	else if (!strcmp(json_string_value(json_object_get(found, "status")), "revoked"))
		rc = cv_error_set(err, CV_ECONFLICT, "status", "certificate %s is revoked already",
				  json_string_value(json_object_get(found, "number")));
	if (!rc)
		rc = exchange_issued_change(conn, id, "revoke", ctx->now_ms, NULL, err);
	if (!rc) {
		char now[CV_RFC3339_MAX];

		cv_clock_format_rfc3339_ms(ctx->now_ms, now, sizeof(now));
		rc = store_execf(conn, NULL,
				 "UPDATE origin_certificates SET revoked_at = $2, revocation_reason = $3"
				 " WHERE id = $1",
				 "ttt", id, now, reason ? reason : "");
	}
	if (!rc)
		rc = load(conn, who, id, out);
	json_decref(found);
	return rc;
}

/* ---- receiving -------------------------------------------------------------------------- */

/* Put the status lists a received certificate names on the list the worker fetches. */
static int watch_status(struct store_conn *conn, const struct exchange_envelope *env,
			const char *partner_id)
{
	int rc = CV_OK;

	for (size_t i = 0; !rc && i < env->nstatus; i++)
		rc = store_execf(conn, NULL,
				 "INSERT INTO partner_status_lists (url, partner_id) VALUES ($1, $2)"
				 " ON CONFLICT (partner_id, url) DO NOTHING",
				 "tt", env->status[i].list, partner_id);
	return rc;
}

int exchange_certificate_receive(struct store_conn *conn,
				 const struct exchange_inbox_message *message, struct cv_error *err)
{
	const struct exchange_partner *partner = message->partner;
	struct exchange_certificate_of_origin cert;
	struct exchange_envelope env;
	struct cv_arena arena;
	char today[CV_DATE_MAX];
	int rc;

	cv_arena_init(&arena, 0);
	cv_date_from_ms(message->now_ms, today);
	rc = exchange_certificate_read(message->document, &arena, &env, &cert, err);
	if (rc)
		goto out;
	if (strcmp(env.issuer, partner->did)) {
		rc = cv_error_set(err, CV_EPERM, "issuer",
				  "the certificate's issuer %s is not the node that sent it (%s)",
				  env.issuer, partner->did);
		goto out;
	}
	if (message->node_country && strcmp(cert.importing_country, message->node_country)) {
		rc = cv_error_set(err, CV_EPERM, "credentialSubject.importingCountry",
				  "the certificate is for imports into %s, not %s: it is for %s's node",
				  cert.importing_country, message->node_country,
				  cert.importing_country);
		goto out;
	}
	if (strcmp(cert.exporting_country, partner->country)) {
		rc = cv_error_set(err, CV_EPERM, "credentialSubject.exportingCountry",
				  "a certificate of %s's exports cannot come from %s's node",
				  cert.exporting_country, partner->country);
		goto out;
	}
	rc = has_agreement(conn, partner->id, today);
	if (rc == CV_ENOTFOUND)
		rc = cv_error_set(err, CV_EPERM, NULL,
				  "no agreement on certificates of origin with %s is in force here "
				  "(the partner registry says which)",
				  partner->country);
	if (rc)
		goto out;
	{
		struct kept k = {message->id,     "received", &cert,
				 env.valid_until, NULL,       "",
				 partner->id,     NULL,       message->document,
				 message->now_ms};
		rc = keep(conn, &k);
	}
	if (rc == CV_ECONFLICT)
		rc = cv_error_set(err, rc, "credentialSubject.number",
				  "certificate %s of %s was received already under another id",
				  cert.number, cert.exporting_country);
	if (!rc)
		rc = watch_status(conn, &env, partner->id);
out:
	cv_arena_release(&arena);
	return rc;
}

/* ---- preference on import ------------------------------------------------------------------ */

static int reason(json_t *reasons, const char *check, int64_t item, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Append {check, reason, item (when not 0)} to reasons. */
static int reason(json_t *reasons, const char *check, int64_t item, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r = json_pack("{s:s, s:s}", "check", check, "reason", text);
	if (r && item)
		json_object_set_new(r, "item", json_integer(item));
	return r && !json_array_append_new(reasons, r) ? CV_OK : CV_ENOMEM;
}

/* The proof still holds against the partner's registered keys (the row could have been altered). */
static int check_signature(struct store_conn *conn, const struct exchange_partner *partner,
			   const json_t *doc, json_t *reasons, const char *number)
{
	struct cv_error err;

	cv_error_clear(&err);
	return exchange_partner_verify(conn, partner, doc, &err)
		       ? reason(reasons, "signature", 0,
				"the signature on certificate %s does not verify against %s's keys: "
				"%s",
				number, partner->country, err.message)
		       : CV_OK;
}

/* Each status list the certificate names, as last fetched from the partner that sent it. */
static int check_status(struct store_conn *conn, const struct exchange_partner *partner,
			const struct exchange_envelope *env, const json_t *doc, int64_t now_ms,
			json_t *reasons, const char *number)
{
	int rc = CV_OK;

	if (!env->nstatus)
		return reason(reasons, "status", 0,
			      "certificate %s names no status list: its revocation cannot be "
			      "checked",
			      number);
	for (size_t i = 0; !rc && i < env->nstatus; i++) {
		struct store_stmt *stmt;
		struct exchange_status_result result;
		struct cv_error err;
		size_t checked, others;
		json_t *list = NULL;
		char fetched[CV_RFC3339_MAX] = "", error[256] = "";

		rc = store_query_row(conn, &stmt,
				     "SELECT credential, fetched_at, error FROM partner_status_lists"
				     " WHERE partner_id = $1 AND url = $2",
				     "tt", partner->id, env->status[i].list);
		if (rc == CV_ENOTFOUND) {
			rc = reason(reasons, "status", 0,
				    "the status list of certificate %s (%s) is not watched here",
				    number, env->status[i].list);
			continue;
		}
		if (rc)
			break;
		if (!store_col_is_null(stmt, 0)) {
			list = json_loads(store_col_text(stmt, 0), 0, NULL);
			snprintf(fetched, sizeof(fetched), "%s", store_col_text(stmt, 1));
		}
		snprintf(error, sizeof(error), "%s", store_col_text(stmt, 2));
		store_finish(stmt);
		cv_error_clear(&err);
		if (!list)
			rc = reason(reasons, "status", 0,
				    "the status of certificate %s is not known yet: its issuer's "
				    "status list has not been fetched%s%s (a failed fetch is tried "
				    "again within seconds; caravan exchange status shows the lists)",
				    number, *error ? ": " : "", error);
		else if (exchange_status_list_current(list, now_ms, &err))
			rc = reason(reasons, "status", 0,
				    "the status list of certificate %s fetched at %s is out of date: "
				    "%s",
				    number, fetched, err.message);
		else if (exchange_status_check_document(doc, list, &result, &checked, &others, &err))
			rc = reason(reasons, "status", 0,
				    "the status of certificate %s cannot be read: %s", number,
				    err.message);
		else if (result.set)
			rc = reason(reasons, "status", 0,
				    "certificate %s was %s by its issuer (status list fetched at %s)",
				    number,
				    !strcmp(result.purpose, "revocation") ? "revoked" : "suspended",
				    fetched);
		json_decref(list);
	}
	return rc;
}

/* The text of a mismatch without the comparison's own "item N: " (its position in the list compared). */
static const char *without_position(const char *text)
{
	const char *colon = strncmp(text, "item ", 5) ? NULL : strstr(text, ": ");

	return colon ? colon + 2 : text;
}

/*
 * Take what other import declarations claimed under the certificate before
 * this one (lodged earlier, not cancelled or rejected) into items, ahead of
 * the claim's own: a certificate covers its quantities once, in the order
 * the declarations came. *nprior counts them.
 */
static int prior_claims(struct store_conn *conn, const struct exchange_preference_claim *claim,
			struct cv_arena *arena, struct trade_item **items, size_t *nprior)
{
	struct store_stmt *stmt;
	size_t cap = 16, n = 0;
	struct trade_item *list = cv_arena_alloc(arena, (cap + claim->nitems) * sizeof(*list));
	int rc = list ? store_prepare(conn,
				      "SELECT i.hs, i.origin, i.quantity, i.unit FROM declaration_items i"
				      " JOIN declarations d ON d.id = i.declaration_id"
				      " WHERE i.certificate_of_origin = $1 AND i.origin = $2"
				      " AND d.direction = 'import' AND d.id <> $3"
				      " AND d.status NOT IN ('cancelled', 'rejected')"
				      " AND (d.lodged_at < $4 OR (d.lodged_at = $4 AND d.id < $3))"
				      " ORDER BY d.lodged_at, d.id, i.item",
				      &stmt)
		      : CV_ENOMEM;

	if (!rc)
		rc = store_bindf(stmt, "tttt", claim->certificate, claim->origin,
				 claim->declaration_id ? claim->declaration_id : "",
				 claim->lodged_at ? claim->lodged_at : "");
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		if (n == cap) {
			struct trade_item *grown = cv_arena_alloc(arena, (cap * 2 + claim->nitems) *
										 sizeof(*grown));
			if (!grown) {
				rc = CV_ENOMEM;
				break;
			}
			memcpy(grown, list, n * sizeof(*grown));
			list = grown;
			cap *= 2;
		}
		list[n] = (struct trade_item){.hs = cv_arena_strdup(arena, store_col_text(stmt, 0)),
					      .origin = cv_arena_strdup(arena,
									store_col_text(stmt, 1)),
					      .quantity = store_col_double(stmt, 2),
					      .unit = cv_arena_strdup(arena,
								      store_col_text(stmt, 3))};
		n++;
	}
	if (list)
		store_finish(stmt);
	if (rc < 0)
		return rc;
	memcpy(list + n, claim->items, claim->nitems * sizeof(*list));
	*items = list;
	*nprior = n;
	return CV_OK;
}

/* The declared items against the certificate's, after earlier claims: each mismatch a reason on its item. */
static int check_items(struct store_conn *conn, const struct exchange_certificate_of_origin *cert,
		       const struct exchange_preference_claim *claim, struct cv_arena *arena,
		       json_t *reasons)
{
	struct exchange_mismatches mm = {NULL, 0};
	struct trade_item *items;
	size_t nprior;
	int rc = prior_claims(conn, claim, arena, &items, &nprior);

	if (!rc)
		rc = exchange_certificate_compare(cert, items, nprior + claim->nitems, &mm);
	for (size_t i = 0; !rc && i < mm.count; i++) {
		size_t at = mm.list[i].item;

		/* An earlier declaration's own mismatches are its business, not this one's. */
		if (at <= nprior || at > nprior + claim->nitems)
			continue;
		rc = reason(reasons, "items", claim->item_numbers[at - nprior - 1], "%s: %s%s",
			    mm.list[i].field, without_position(mm.list[i].reason),
			    nprior && !strcmp(mm.list[i].field, "quantity")
				    ? " (earlier declarations drew on it)"
				    : "");
	}
	exchange_mismatches_release(&mm);
	return rc;
}

/* The received certificate number of country, with the partner that sent it. */
static int received_certificate(struct store_conn *conn, const char *country, const char *number,
				json_t **doc, struct exchange_partner *sender)
{
	struct store_stmt *stmt;
	char partner_id[CV_UUID_STR];
	int rc = store_query_row(conn, &stmt,
				 "SELECT document, partner_id FROM origin_certificates"
				 " WHERE direction = 'received' AND exporting_country = $1"
				 " AND number = $2",
				 "tt", country, number);

	*doc = NULL;
	if (rc)
		return rc;
	*doc = json_loads(store_col_text(stmt, 0), 0, NULL);
	snprintf(partner_id, sizeof(partner_id), "%s", store_col_text(stmt, 1));
	store_finish(stmt);
	if (!*doc)
		return CV_ENOMEM;
	return exchange_partner_load(conn, partner_id, sender);
}

int exchange_preference_check(struct store_conn *conn, const char *node_country, int64_t now_ms,
			      const struct exchange_preference_claim *claim,
			      struct exchange_preference_verdict *verdict)
{
	struct exchange_partner partner;
	struct exchange_certificate_of_origin cert;
	struct exchange_envelope env;
	struct cv_arena arena;
	struct cv_error err;
	json_t *doc = NULL;
	char lodged_on[CV_DATE_MAX];
	const char *number = claim->certificate ? claim->certificate : "";
	int64_t lodged_ms = now_ms;
	int rc;

	memset(verdict, 0, sizeof(*verdict));
	verdict->reasons = json_array();
	if (!verdict->reasons)
		return CV_ENOMEM;
	/* Judged as of the lodging: the agreement then, the certificate in force then. */
	if (claim->lodged_at)
		cv_clock_parse_rfc3339(claim->lodged_at, &lodged_ms);
	cv_date_from_ms(lodged_ms, lodged_on);
	rc = *number ? origin_partner(conn, claim->origin ? claim->origin : "", lodged_on, &partner)
		     : CV_ENOTFOUND;
	if (rc == CV_ENOTFOUND) {
		/* No electronic certificates from there (or none named): the paper one, as the officer sees it. */
		verdict->accepted = 1;
		return CV_OK;
	}
	if (rc)
		goto fail;
	verdict->electronic = 1;
	cv_arena_init(&arena, 0);
	rc = received_certificate(conn, partner.country, number, &doc, &partner);
	if (rc == CV_ENOTFOUND) {
		rc = reason(verdict->reasons, "received", 0,
			    "no certificate of origin %s has been received from %s's node: %s "
			    "issues them electronically, so the preference needs the one its "
			    "node sends",
			    number, partner.country, partner.country);
		goto out;
	}
	if (rc)
		goto out;
	cv_error_clear(&err);
	if (exchange_certificate_read(doc, &arena, &env, &cert, &err)) {
		rc = reason(verdict->reasons, "received", 0,
			    "certificate %s as stored cannot be read: %s", number, err.message);
		goto out;
	}
	rc = check_signature(conn, &partner, doc, verdict->reasons, number);
	if (!rc && strcmp(env.issuer, partner.did))
		rc = reason(verdict->reasons, "issuer", 0,
			    "certificate %s was issued by %s, not by %s's node %s", number,
			    env.issuer, partner.country, partner.did);
	/* A revocation counts whenever it comes; the list must be current now. */
	if (!rc)
		rc = check_status(conn, &partner, &env, doc, now_ms, verdict->reasons, number);
	if (!rc && exchange_envelope_in_force(&env, lodged_ms, &err))
		rc = reason(verdict->reasons, "validity", 0,
			    "certificate %s was not in force when the declaration was lodged: %s",
			    number, err.message);
	if (!rc && strcmp(cert.importing_country, node_country))
		rc = reason(verdict->reasons, "importer", 0,
			    "certificate %s is made out for imports into %s, not %s", number,
			    cert.importing_country, node_country);
	if (!rc && claim->importer && strcmp(cert.importer.id, claim->importer))
		rc = reason(verdict->reasons, "importer", 0,
			    "certificate %s names importer %s, the declaration %s", number,
			    cert.importer.id, claim->importer);
	if (!rc && claim->arrangement && strcmp(cert.arrangement, claim->arrangement))
		rc = reason(verdict->reasons, "arrangement", 0,
			    "certificate %s is under %s, the preference claimed is %s", number,
			    cert.arrangement, claim->arrangement);
	if (!rc)
		rc = check_items(conn, &cert, claim, &arena, verdict->reasons);
out:
	json_decref(doc);
	cv_arena_release(&arena);
	if (!rc) {
		verdict->accepted = json_array_size(verdict->reasons) == 0;
		return CV_OK;
	}
fail:
	json_decref(verdict->reasons);
	verdict->reasons = NULL;
	return rc;
}
