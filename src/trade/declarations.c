/* declarations.c — see declarations.h. */
#include "trade/declarations.h"

#include "auth/roles.h"
#include "base/clock.h"
#include "trade/requirements.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static int digits(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

static int check(const struct trade_declaration *d, int numbered, struct cv_error *err)
{
	int64_t day;

	if (numbered && (!d->number || !*d->number || strlen(d->number) > 64))
		return cv_error_set(err, CV_EINVAL, "number",
				    "number is required (at most 64 characters)");
	if (!d->direction || (strcmp(d->direction, "import") && strcmp(d->direction, "export") &&
			      strcmp(d->direction, "transit")))
		return cv_error_set(err, CV_EINVAL, "direction",
				    "direction must be import, export or transit");
	if (!d->office || !*d->office)
		return cv_error_set(err, CV_EINVAL, "office", "office is required");
	if (!d->lodged_on || cv_date_parse(d->lodged_on, &day))
		return cv_error_set(err, CV_EINVAL, "lodged_on",
				    "lodged_on must be a date (YYYY-MM-DD)");
	if (d->nitems < 1 || d->nitems > TRADE_MAX_ITEMS)
		return cv_error_set(err, CV_EINVAL, "items", "a declaration has 1 to %d items",
				    TRADE_MAX_ITEMS);
	for (size_t i = 0; i < d->nitems; i++) {
		const struct trade_item *it = &d->items[i];
		if (!digits(it->hs, 6, 10))
			return cv_error_set(err, CV_EINVAL, "hs",
					    "items[%zu].hs must be 6 to 10 digits", i);
		if (!(it->value >= 0) || !(it->net_mass >= 0) || !(it->tax_rate >= 0) ||
		    !isfinite(it->value) || !isfinite(it->net_mass) || !isfinite(it->tax_rate))
			return cv_error_set(err, CV_EINVAL, "value",
					    "items[%zu]: value, net_mass and tax_rate must be numbers, 0 or more",
					    i);
	}
	return CV_OK;
}

/* Items and documents of declaration id. */
static int insert_lines(struct store_conn *conn, const char *id, const struct trade_declaration *d)
{
	int rc = CV_OK;

	for (size_t i = 0; !rc && i < d->nitems; i++) {
		const struct trade_item *it = &d->items[i];
		rc = store_execf(conn, NULL,
				 "INSERT INTO declaration_items (declaration_id, item, hs, origin, value,"
				 " net_mass, tax_rate, description, quantity, unit, amount, currency,"
				 " preference, certificate_of_origin) VALUES ($1, $2, $3, $4, $5, $6, $7,"
				 " $8, $9, $10, $11, $12, $13, $14)",
				 "tittdddtdtittt", id, (int64_t)i + 1, it->hs, or_empty(it->origin),
				 it->value, it->net_mass, it->tax_rate, or_empty(it->description),
				 it->quantity, or_empty(it->unit), it->amount,
				 or_empty(it->currency), or_empty(it->preference),
				 or_empty(it->certificate_of_origin));
	}
	for (size_t i = 0; !rc && i < d->ndocuments; i++)
		rc = store_execf(conn, NULL,
				 "INSERT INTO declaration_documents (declaration_id, type, reference)"
				 " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
				 "ttt", id, d->documents[i].type,
				 or_empty(d->documents[i].reference));
	return rc;
}

int trade_declaration_exists(struct store_conn *conn, const char *number)
{
	struct store_stmt *stmt;

	if (store_query_row(conn, &stmt, "SELECT 1 FROM declarations WHERE number = $1", "t", number))
		return 0;
	store_finish(stmt);
	return 1;
}

int trade_declaration_insert(struct store_conn *conn, const struct trade_declaration *d,
			     char id[CV_UUID_STR], struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	char *text;
	int rc = check(d, 1, err);

	if (rc)
		return rc;
	if (trade_declaration_exists(conn, d->number))
		return cv_error_set(err, CV_ECONFLICT, "number",
				    "a declaration numbered %s exists already", d->number);
	text = d->document ? json_dumps(d->document, JSON_COMPACT) : NULL;
	cv_uuid7(id);
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO declarations (id, number, direction, procedure, office, mode, declarant,"
			 " importer, exporter, seller, courier, departure, destination, pre_arrival, status,"
			 " source, document, lodged_on, lodged_at, operator_id, lodged_by, expected_arrival,"
			 " updated_at)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
			 " $18, $19, $20, $21, $22, $19)",
			 "tttttttttttttitttttttt", id, d->number, d->direction,
			 or_empty(d->procedure), d->office, or_empty(d->mode),
			 or_empty(d->declarant), or_empty(d->importer), or_empty(d->exporter),
			 or_empty(d->seller), or_empty(d->courier), or_empty(d->departure),
			 or_empty(d->destination), (int64_t)(d->pre_arrival != 0),
			 d->status ? d->status : "accepted", d->source ? d->source : "api",
			 text ? text : "{}", d->lodged_on, now, d->operator_id,
			 or_empty(d->lodged_by), d->expected_arrival);
	free(text);
	if (!rc)
		rc = insert_lines(conn, id, d);
	return rc;
}

int trade_declaration_replace(struct store_conn *conn, const char *id,
			      const struct trade_declaration *d, int version, struct cv_error *err)
{
	char now[CV_RFC3339_MAX], *text;
	int rc = check(d, 0, err);

	if (rc)
		return rc;
	text = d->document ? json_dumps(d->document, JSON_COMPACT) : NULL;
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "UPDATE declarations SET procedure = $2, office = $3, mode = $4,"
			 " declarant = $5, importer = $6, exporter = $7, seller = $8, courier = $9,"
			 " departure = $10, destination = $11, pre_arrival = $12, document = $13,"
			 " expected_arrival = $14, version = $15, updated_at = $16 WHERE id = $1",
			 "ttttttttttti"
			 "tti"
			 "t",
			 id, or_empty(d->procedure), d->office, or_empty(d->mode),
			 or_empty(d->declarant), or_empty(d->importer), or_empty(d->exporter),
			 or_empty(d->seller), or_empty(d->courier), or_empty(d->departure),
			 or_empty(d->destination), (int64_t)(d->pre_arrival != 0),
			 text ? text : "{}", d->expected_arrival, (int64_t)version, now);
	free(text);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "DELETE FROM declaration_items WHERE declaration_id = $1", "t", id);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "DELETE FROM declaration_documents WHERE declaration_id = $1", "t",
				 id);
	if (!rc)
		rc = insert_lines(conn, id, d);
	return rc;
}

/* ---- reading, with what each reader may see ------------------------------------ */

/*
 * Who reads, in the terms of the queries below ($2 tin, $3 operator id, $4
 * agency): a trader sees the declarations it lodged or is a party to; an
 * officer of a partner agency those that concern its agency; customs and
 * auditors ("" in each) every declaration.
 */
struct reader {
	char tin[64];
	const char *operator_id;
	const char *agency;
};

/* CV_EPERM: a trader without an operator, an agency officer without an agency (they see nothing). */
static int reader_of(struct store_conn *conn, const struct auth_principal *who, struct reader *r)
{
	struct store_stmt *stmt;
	int rc;

	r->tin[0] = 0;
	r->operator_id = "";
	r->agency = "";
	if (who->user.role == ROLE_PGA_OFFICER) {
		r->agency = who->user.agency_code;
		return *r->agency ? CV_OK : CV_EPERM;
	}
	if (who->user.role != ROLE_TRADER)
		return CV_OK;
	r->operator_id = who->user.operator_id;
	rc = store_query_row(conn, &stmt, "SELECT tin FROM operators WHERE id = $1", "t",
			     who->user.operator_id);
	if (rc)
		return rc == CV_ENOTFOUND ? CV_EPERM : rc;
	snprintf(r->tin, sizeof(r->tin), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	return CV_OK;
}

#define TRADER_SEES                                                                                \
	" ($2 = '' OR d.operator_id = $3 OR d.importer = $2 OR d.exporter = $2"                    \
	" OR d.declarant = $2)"

/*
 * A declaration concerns an agency when an item's goods need an LPCO it
 * issues (a requirement whose authority it holds) or when the agency is a
 * party to the declaration's joint examination. For one declaration the
 * test is correlated; for a list the two sets are made once (every item is
 * compared with the agency's few requirements) instead of per row.
 */
#define AGENCY_SEES_ONE                                                                                                                                                                    \
	" ($4 = '' OR EXISTS (SELECT 1 FROM examinations e"                                                                                                                                \
	" JOIN examination_parties p ON p.examination_id = e.id"                                                                                                                           \
	" WHERE e.declaration_id = d.id AND p.party = $4)"                                                                                                                                 \
	" OR EXISTS (SELECT 1 FROM declaration_items i JOIN regulatory_requirements r ON " TRADE_REQUIREMENT_APPLIES("i.hs",                                                               \
														     "d.direction",                                                        \
														     "i.origin") " JOIN agencies a ON a.code = $4 AND " TRADE_AGENCY_HOLDS \
																 " WHERE i.declaration_id = d.id))"

/* CROSS JOIN keeps the order: the agency's few requirements first, then one pass over the items. */
#define AGENCY_SEES_MANY                                                                            \
	" ($4 = '' OR d.id IN (SELECT e.declaration_id FROM examinations e"                         \
	" JOIN examination_parties p ON p.examination_id = e.id WHERE p.party = $4)"                \
	" OR d.id IN (SELECT i.declaration_id FROM agencies a CROSS JOIN regulatory_requirements r" \
	" CROSS JOIN declaration_items i JOIN declarations x ON x.id = i.declaration_id"            \
	" WHERE a.code = $4 AND " TRADE_AGENCY_HOLDS                                                \
	" AND " TRADE_REQUIREMENT_APPLIES("i.hs", "x.direction", "i.origin") "))"

#define HEADER_COLUMNS                                                                             \
	"d.id, d.number, d.direction, d.procedure, d.office, d.mode, d.declarant, d.importer,"     \
	" d.exporter, d.seller, d.courier, d.departure, d.destination, d.pre_arrival, d.status,"   \
	" d.source, d.lodged_on, d.lodged_at, d.lodged_by, d.version, d.expected_arrival,"         \
	" d.updated_at, (SELECT lane FROM risk_decisions rd WHERE rd.declaration_id = d.id"        \
	" AND rd.superseded = 0)"

static json_t *header_json(struct store_stmt *stmt)
{
	static const char *const names[] = {"id",         "number", "direction", "procedure",
					    "office",     "mode",   "declarant", "importer",
					    "exporter",   "seller", "courier",   "departure",
					    "destination"};
	json_t *o = json_object();

	for (int i = 0; o && i < (int)(sizeof(names) / sizeof(names[0])); i++)
		json_object_set_new(o, names[i], json_string(store_col_text(stmt, i)));
	json_object_set_new(o, "pre_arrival", json_boolean(store_col_int64(stmt, 13)));
	json_object_set_new(o, "status", json_string(store_col_text(stmt, 14)));
	json_object_set_new(o, "source", json_string(store_col_text(stmt, 15)));
	json_object_set_new(o, "lodged_on", json_string(store_col_text(stmt, 16)));
	json_object_set_new(o, "lodged_at", json_string(store_col_text(stmt, 17)));
	json_object_set_new(o, "lodged_by", json_string(store_col_text(stmt, 18)));
	json_object_set_new(o, "version", json_integer(store_col_int64(stmt, 19)));
	json_object_set_new(o, "expected_arrival",
			    store_col_is_null(stmt, 20) ? json_null()
							: json_string(store_col_text(stmt, 20)));
	json_object_set_new(o, "updated_at", json_string(store_col_text(stmt, 21)));
	json_object_set_new(o, "lane",
			    store_col_is_null(stmt, 22) ? json_null()
							: json_string(store_col_text(stmt, 22)));
	return o;
}

/* Rows of sql (bound to id, and agency as $2 unless NULL) as a JSON array of objects named by names. */
static json_t *rows_json(struct store_conn *conn, const char *sql, const char *id,
			 const char *agency, const char *const *names, const char *types)
{
	struct store_stmt *stmt;
	json_t *list = json_array();
	int rc = store_prepare(conn, sql, &stmt);

	if (rc)
		return list;
	rc = agency ? store_bindf(stmt, "tt", id, agency) : store_bindf(stmt, "t", id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_t *o = json_object();
		rc = CV_OK;
		for (int c = 0; names[c]; c++)
			json_object_set_new(o, names[c],
					    types[c] == 'i' ? json_integer(store_col_int64(stmt, c))
					    : types[c] == 'd' ? json_real(store_col_double(stmt, c))
					    : types[c] == 'j'
						    ? json_loads(store_col_text(stmt, c), 0, NULL)
						    : json_string(store_col_text(stmt, c)));
		json_array_append_new(list, o);
	}
	store_finish(stmt);
	return list;
}

/* True when authorities ("agriculture,health") names authority. */
static int holds(const char *authorities, const char *authority)
{
	size_t n = authority ? strlen(authority) : 0;
	const char *p = authorities;

	while (n && p) {
		if (!strncmp(p, authority, n) && (p[n] == ',' || !p[n]))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/*
 * An agency reads the timeline without other agencies' LPCO details: the
 * LPCOs a documents_required event says are missing are only those of its
 * own authorities, and payments keep their step but not their details
 * (duties are customs' and the trader's).
 */
static void agency_view(struct store_conn *conn, const char *agency, json_t *events)
{
	struct store_stmt *stmt;
	char authorities[256] = "";
	json_t *e;
	size_t i;

	if (!store_query_row(conn, &stmt, "SELECT authorities FROM agencies WHERE code = $1", "t",
			     agency)) {
		snprintf(authorities, sizeof(authorities), "%s", store_col_text(stmt, 0));
		store_finish(stmt);
	}
	json_array_foreach(events, i, e) {
		json_t *missing = json_object_get(json_object_get(e, "detail"), "missing"), *m;
		size_t k = 0;
		if (!strcmp(json_string_value(json_object_get(e, "kind")), "paid"))
			json_object_set_new(e, "detail", json_object());
		while ((m = json_array_get(missing, k)))
			if (holds(authorities, json_string_value(json_object_get(m, "authority"))))
				k++;
			else
				json_array_remove(missing, k);
	}
}

int trade_declaration_get(struct store_conn *conn, const struct auth_principal *who,
			  const char *key, json_t **out)
{
	static const char *const item_names[] = {"item",       "hs",       "description",
						 "origin",     "quantity", "unit",
						 "net_mass",   "amount",   "currency",
						 "preference", "value",    "certificate_of_origin",
						 NULL};
	static const char *const doc_names[] = {"type", "reference", NULL};
	static const char *const event_names[] = {"kind", "at", "actor", "detail", NULL};
	struct store_stmt *stmt;
	struct reader r;
	json_t *items, *events;
	char id[CV_UUID_STR];
	int rc = reader_of(conn, who, &r);

	*out = NULL;
	if (rc)
		return rc == CV_EPERM ? CV_ENOTFOUND : rc;
	rc = store_query_row(conn, &stmt,
			     "SELECT " HEADER_COLUMNS " FROM declarations d"
			     " WHERE (d.id = $1 OR d.number = $1) AND" TRADER_SEES
			     " AND" AGENCY_SEES_ONE,
			     "tttt", key, r.tin, r.operator_id, r.agency);
	if (rc)
		return rc;
	*out = header_json(stmt);
	snprintf(id, sizeof(id), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	items = rows_json(conn,
			  "SELECT item, hs, description, origin, quantity, unit, net_mass, amount,"
			  " currency, preference, value, certificate_of_origin FROM declaration_items"
			  " WHERE declaration_id = $1 ORDER BY item",
			  id, NULL, item_names, "itttdtdittdt");
	/* The declared value as sent: amount in minor units and its currency. */
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		json_object_set_new(it, "value",
				    json_pack("{s:O, s:O, s:O}", "amount",
					      json_object_get(it, "amount"), "currency",
					      json_object_get(it, "currency"), "node_currency",
					      json_object_get(it, "value")));
		json_object_del(it, "amount");
		json_object_del(it, "currency");
	}
	json_object_set_new(*out, "items", items);
	/* An agency does not see other agencies' LPCOs: types their requirements name. */
	json_object_set_new(*out, "documents",
			    rows_json(conn,
				      "SELECT dd.type, dd.reference FROM declaration_documents dd"
				      " WHERE dd.declaration_id = $1 AND ($2 = ''"
				      " OR NOT EXISTS (SELECT 1 FROM regulatory_requirements r"
				      " WHERE r.lpco_type = dd.type)"
				      " OR EXISTS (SELECT 1 FROM regulatory_requirements r JOIN agencies a"
				      " ON a.code = $2 AND " TRADE_AGENCY_HOLDS
				      " WHERE r.lpco_type = dd.type))"
				      " ORDER BY dd.type, dd.reference",
				      id, r.agency, doc_names, "tt"));
	events = rows_json(conn,
			   "SELECT kind, at, actor, detail FROM consignment_events"
			   " WHERE declaration_id = $1 ORDER BY at, id",
			   id, NULL, event_names, "tttj");
	if (*r.agency)
		agency_view(conn, r.agency, events);
	json_object_set_new(*out, "events", events);
	return CV_OK;
}

int trade_declarations_list(struct store_conn *conn, const struct auth_principal *who,
			    const char *status, const char *after, int limit, json_t **out)
{
	struct store_stmt *stmt;
	struct reader r;
	int rc = reader_of(conn, who, &r);

	*out = NULL;
	if (rc)
		return rc == CV_EPERM ? (*out = json_array(), CV_OK) : rc;
	rc = store_prepare(conn,
			   "SELECT " HEADER_COLUMNS " FROM declarations d WHERE" TRADER_SEES
			   " AND" AGENCY_SEES_MANY " AND ($1 = '' OR d.status = $1)"
			   " AND ($5 = '' OR d.id < $5) ORDER BY d.id DESC LIMIT $6",
			   &stmt);
	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "ttttti", status ? status : "", r.tin, r.operator_id, r.agency,
			 after ? after : "", (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		json_array_append_new(*out, header_json(stmt));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}

int trade_notifications(struct store_conn *conn, const struct auth_principal *who, int64_t after,
			int limit, json_t **out, int64_t *next)
{
	struct store_stmt *stmt;
	int rc;

	*out = NULL;
	*next = after;
	if (who->user.role != ROLE_TRADER)
		return CV_EPERM;
	rc = store_prepare(conn,
			   "SELECT n.seq, d.id, d.number, n.status, n.detail, n.created_at"
			   " FROM notifications n JOIN declarations d ON d.id = n.declaration_id"
			   " WHERE n.operator_id = $1 AND n.seq > $2 ORDER BY n.seq LIMIT $3",
			   &stmt);
	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "tii", who->user.operator_id, after, (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		*next = store_col_int64(stmt, 0);
		json_array_append_new(*out, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "seq",
						      (json_int_t)*next, "declaration",
						      store_col_text(stmt, 1), "number",
						      store_col_text(stmt, 2), "status",
						      store_col_text(stmt, 3), "detail",
						      json_loads(store_col_text(stmt, 4), 0, NULL),
						      "created_at", store_col_text(stmt, 5)));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}
