/* lodging.c — see lodging.h. */
#include "trade/lodging.h"

#include "aeo/applications.h"
#include "aeo/scoresheet.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/ids.h"
#include "risk/assess.h"
#include "trade/declarations.h"
#include "trade/fields.h"
#include "trade/notify.h"
#include "trade/inspection.h"
#include "trade/lpco.h"
#include "trade/release.h"
#include "trade/requirements.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_CONTAINERS 100
#define MAX_DOCUMENTS 100

/* ---- checking a document ---------------------------------------------------- */

static void party(struct trade_check *c, json_t *doc, const char *name, int required,
		  const char **out)
{
	*out = trade_text(c, doc, name, "", 40, required);
	if (*out && !trade_code_like(*out, 40)) {
		trade_refuse(c, name,
			     "%s must be an identification number (letters, digits, - / .)", name);
		*out = NULL;
	}
}

static void country(struct trade_check *c, json_t *o, const char *name, const char *where,
		    int required, const char **out)
{
	char field[64];

	*out = trade_text(c, o, name, where, 2, required);
	snprintf(field, sizeof(field), "%s%s", where, name);
	if (*out && !trade_exists(c->conn, "SELECT 1 FROM countries WHERE code = $1", *out)) {
		trade_refuse(c, cv_arena_strdup(c->arena, field),
			     "%s must be an ISO 3166 country code (\"CN\"), not \"%s\"", field,
			     *out);
		*out = NULL;
	}
}

/* Refuse members a declaration part does not have: a typo must not vanish silently. */
static void only(struct trade_check *c, json_t *o, const char *where, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		const char *const *k = known;
		char field[96];
		while (*k && strcmp(*k, key))
			k++;
		if (*k)
			continue;
		snprintf(field, sizeof(field), "%s%s", where, key);
		trade_refuse(c, cv_arena_strdup(c->arena, field),
			     "%s is not a member of a declaration", field);
	}
	(void)v;
}

int trade_container_valid(const char *s)
{
	/* Letter values skip 11, 22 and 33 (multiples of 11). */
	static const int letter[26] = {10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24,
				       25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38};
	long sum = 0;

	if (!s || strlen(s) != 11)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!isupper((unsigned char)s[i]))
			return 0;
	if (s[3] != 'U' && s[3] != 'J' && s[3] != 'Z')
		return 0;
	for (int i = 4; i < 11; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	for (int i = 0; i < 10; i++)
		sum += (long)(i < 4 ? letter[s[i] - 'A'] : s[i] - '0') << i;
	return sum % 11 % 10 == s[10] - '0';
}

/* The value of amount (minor units of currency) in the node currency on date; -1 without a rate. */
static double node_value(struct store_conn *conn, int64_t amount, const char *currency,
			 const char *date)
{
	struct store_stmt *stmt;
	double rate;
	int minor = 2;

	if (store_query_row(conn, &stmt,
			    "SELECT rate FROM exchange_rates WHERE currency = $1 AND valid_from <= $2"
			    " ORDER BY valid_from DESC LIMIT 1",
			    "tt", currency, date))
		return -1;
	rate = store_col_double(stmt, 0);
	store_finish(stmt);
	if (!store_query_row(conn, &stmt,
			     "SELECT minor_units FROM currency_minor_units WHERE code = $1", "t",
			     currency)) {
		minor = (int)store_col_int64(stmt, 0);
		store_finish(stmt);
	}
	return (double)amount / pow(10, minor) * rate;
}

static void check_item(struct trade_check *c, json_t *it, size_t i, struct trade_item *out)
{
	static const char *const known[] = {"hs",       "description", "origin",
					    "quantity", "unit",        "net_mass",
					    "value",    "preference",  "certificate_of_origin",
					    NULL};
	json_t *value = json_object_get(it, "value"), *v;
	char where[32], field[96];

	snprintf(where, sizeof(where), "items[%zu].", i);
	memset(out, 0, sizeof(*out));
	if (!json_is_object(it)) {
		snprintf(field, sizeof(field), "items[%zu]", i);
		trade_refuse(c, cv_arena_strdup(c->arena, field), "%s must be an object", field);
		return;
	}
	only(c, it, cv_arena_strdup(c->arena, where), known);
	out->hs = trade_text(c, it, "hs", where, 10, 1);
	snprintf(field, sizeof(field), "%shs", where);
	if (out->hs) {
		char hs6[7];
		size_t n = strlen(out->hs), d = 0;
		while (d < n && isdigit((unsigned char)out->hs[d]))
			d++;
		snprintf(hs6, sizeof(hs6), "%.6s", out->hs);
		if (d != n || n < 6)
			trade_refuse(c, cv_arena_strdup(c->arena, field),
				     "%s must be 6 to 10 digits, not \"%s\"", field, out->hs);
		else if (!trade_exists(c->conn,
				       "SELECT 1 FROM hs_codes WHERE code = $1 AND level = 6", hs6))
			trade_refuse(c, cv_arena_strdup(c->arena, field),
				     "%s: %s is not a subheading of the HS nomenclature", field,
				     hs6);
	}
	out->description = trade_text(c, it, "description", where, 500, 1);
	country(c, it, "origin", where, 1, &out->origin);
	v = json_object_get(it, "quantity");
	snprintf(field, sizeof(field), "%squantity", where);
	if (!json_is_number(v) || !(json_number_value(v) > 0) || json_number_value(v) > 1e12)
		trade_refuse(c, cv_arena_strdup(c->arena, field), "%s must be a number above 0",
			     field);
	else
		out->quantity = json_number_value(v);
	out->unit = trade_text(c, it, "unit", where, 3, 1);
	snprintf(field, sizeof(field), "%sunit", where);
	if (out->unit && !trade_listed(out->unit, trade_units))
		trade_refuse(c, cv_arena_strdup(c->arena, field),
			     "%s must be a UNECE Rec 20 code: H87 (piece), KGM, LTR, MTR, MTK, MTQ, TNE, "
			     "GRM, MLT, PR, SET, DZN, C62, NAR, KWH",
			     field);
	v = json_object_get(it, "net_mass");
	snprintf(field, sizeof(field), "%snet_mass", where);
	if (!json_is_number(v) || !(json_number_value(v) > 0) || json_number_value(v) > 1e9)
		trade_refuse(c, cv_arena_strdup(c->arena, field), "%s must be kilograms above 0",
			     field);
	else
		out->net_mass = json_number_value(v);
	snprintf(field, sizeof(field), "%svalue", where);
	if (!json_is_object(value) || !json_is_integer(json_object_get(value, "amount")) ||
	    json_integer_value(json_object_get(value, "amount")) < 0) {
		trade_refuse(c, cv_arena_strdup(c->arena, field),
			     "%s must be {\"amount\": minor units (a whole number, 0 or more), "
			     "\"currency\": ISO 4217}",
			     field);
	} else {
		char cfield[80];
		out->amount = json_integer_value(json_object_get(value, "amount"));
		snprintf(cfield, sizeof(cfield), "%svalue.", where);
		out->currency = trade_text(c, value, "currency", cfield, 3, 1);
		snprintf(cfield, sizeof(cfield), "%svalue.currency", where);
		if (out->currency &&
		    !trade_exists(c->conn, "SELECT 1 FROM currencies WHERE code = $1", out->currency))
			trade_refuse(c, cv_arena_strdup(c->arena, cfield),
				     "%s must be an ISO 4217 currency code, not \"%s\"", cfield,
				     out->currency);
		else if (out->currency &&
			 (out->value = node_value(c->conn, out->amount, out->currency, c->date)) < 0)
			trade_refuse(c, cv_arena_strdup(c->arena, cfield),
				     "%s: customs has no exchange rate for %s on %s", cfield,
				     out->currency, c->date);
	}
	out->preference = trade_text(c, it, "preference", where, 20, 0);
	out->certificate_of_origin = trade_text(c, it, "certificate_of_origin", where, 60, 0);
	if (out->preference && !out->certificate_of_origin) {
		snprintf(field, sizeof(field), "%scertificate_of_origin", where);
		trade_refuse(c, cv_arena_strdup(c->arena, field),
			     "%s: a preference needs the reference of a certificate of origin",
			     field);
	}
}

struct checked {
	struct trade_declaration d;
	struct trade_item *items;
	struct trade_document *documents;
};

static void check_transport(struct trade_check *c, json_t *doc, struct checked *out)
{
	static const char *const known[] = {"mode", "vehicle", "containers", NULL};
	json_t *t = json_object_get(doc, "transport"), *containers, *v;
	size_t i;

	if (!json_is_object(t)) {
		trade_refuse(c, "transport",
			     "transport is required: {\"mode\": UNECE Rec 19 code, ...}");
		return;
	}
	only(c, t, "transport.", known);
	out->d.mode = trade_text(c, t, "mode", "transport.", 1, 1);
	if (out->d.mode && !trade_listed(out->d.mode, trade_transport_modes))
		trade_refuse(c, "transport.mode",
			     "transport.mode must be a UNECE Rec 19 code: 1 sea, 2 rail, 3 road, 4 air, "
			     "5 post, 7 fixed installation, 8 inland waterway, 9 own propulsion");
	if (trade_text(c, t, "vehicle", "transport.", 20, 0) &&
	    !trade_code_like(json_string_value(json_object_get(t, "vehicle")), 20))
		trade_refuse(c, "transport.vehicle", "transport.vehicle must be letters and digits");
	containers = json_object_get(t, "containers");
	if (containers &&
	    (!json_is_array(containers) || json_array_size(containers) > MAX_CONTAINERS)) {
		trade_refuse(c, "transport.containers",
			     "transport.containers must be a list of at most %d container numbers",
			     MAX_CONTAINERS);
		return;
	}
	json_array_foreach(containers, i, v) {
		if (!trade_container_valid(json_string_value(v))) {
			char field[48];
			snprintf(field, sizeof(field), "transport.containers[%zu]", i);
			trade_refuse(c, cv_arena_strdup(c->arena, field),
				     "%s is not an ISO 6346 container number with a right check digit",
				     field);
		}
	}
}

static void check_documents(struct trade_check *c, json_t *doc, struct checked *out)
{
	json_t *docs = json_object_get(doc, "documents"), *v;
	size_t i;

	if (!docs)
		return;
	if (!json_is_array(docs) || json_array_size(docs) > MAX_DOCUMENTS) {
		trade_refuse(c, "documents",
			     "documents must be a list of at most %d {type, reference}",
			     MAX_DOCUMENTS);
		return;
	}
	out->documents = cv_arena_alloc(c->arena,
					(json_array_size(docs) + 1) * sizeof(*out->documents));
	if (!out->documents)
		return;
	json_array_foreach(docs, i, v) {
		char where[48];
		struct trade_document *d = &out->documents[out->d.ndocuments];
		snprintf(where, sizeof(where), "documents[%zu].", i);
		d->type = trade_text(c, v, "type", cv_arena_strdup(c->arena, where), 40, 1);
		d->reference = trade_text(c, v, "reference", cv_arena_strdup(c->arena, where), 60,
					  1);
		if (d->type && !trade_code_like(d->type, 40))
			trade_refuse(c, cv_arena_printf(c->arena, "%stype", where),
				     "%stype must be a document type code (\"ODS-LICENCE\")", where);
		if (d->type && d->reference)
			out->d.ndocuments++;
	}
	out->d.documents = out->documents;
}

/* Check doc into out (strings borrowed from doc or the arena); errors collects every fault. */
static void check(struct trade_check *c, json_t *doc, struct checked *out)
{
	static const char *const known[] = {"direction",   "procedure", "office",
					    "declarant",   "importer",  "exporter",
					    "seller",      "courier",   "departure",
					    "destination", "transport", "expected_arrival",
					    "items",       "documents", NULL};
	json_t *items = json_object_get(doc, "items"), *it;
	const char *arrival;
	int64_t ms;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc)) {
		trade_refuse(c, "declaration", "the declaration must be a JSON object");
		return;
	}
	only(c, doc, "", known);
	out->d.direction = trade_text(c, doc, "direction", "", 10, 1);
	if (out->d.direction && strcmp(out->d.direction, "import") &&
	    strcmp(out->d.direction, "export") && strcmp(out->d.direction, "transit"))
		trade_refuse(c, "direction", "direction must be import, export or transit");
	out->d.procedure = trade_text(c, doc, "procedure", "", 10, 0);
	if (out->d.procedure && !trade_code_like(out->d.procedure, 10))
		trade_refuse(c, "procedure", "procedure must be a procedure code (\"4000\")");
	out->d.office = trade_text(c, doc, "office", "", 32, 1);
	if (out->d.office &&
	    !trade_exists(c->conn, "SELECT 1 FROM customs_offices WHERE code = $1", out->d.office))
		trade_refuse(c, "office", "office \"%s\" is not a customs office of this node",
			     out->d.office);
	party(c, doc, "declarant", 1, &out->d.declarant);
	party(c, doc, "importer", out->d.direction && !strcmp(out->d.direction, "import"),
	      &out->d.importer);
	party(c, doc, "exporter", out->d.direction && !strcmp(out->d.direction, "export"),
	      &out->d.exporter);
	party(c, doc, "seller", 0, &out->d.seller);
	party(c, doc, "courier", 0, &out->d.courier);
	country(c, doc, "departure", "", 0, &out->d.departure);
	country(c, doc, "destination", "", 0, &out->d.destination);
	check_transport(c, doc, out);
	arrival = trade_text(c, doc, "expected_arrival", "", 40, 0);
	if (arrival && cv_clock_parse_rfc3339(arrival, &ms))
		trade_refuse(c, "expected_arrival",
			     "expected_arrival must be a time (RFC 3339: 2026-11-29T08:00:00Z)");
	else
		out->d.expected_arrival = arrival;
	if (!json_is_array(items) || json_array_size(items) < 1 ||
	    json_array_size(items) > TRADE_MAX_ITEMS) {
		trade_refuse(c, "items", "items must be a list of 1 to %d items", TRADE_MAX_ITEMS);
	} else {
		out->items = cv_arena_alloc(c->arena, json_array_size(items) * sizeof(*out->items));
		if (out->items) {
			json_array_foreach(items, i, it) {
				check_item(c, it, i, &out->items[i]);
			}
		}
		out->d.items = out->items;
		out->d.nitems = json_array_size(items);
	}
	check_documents(c, doc, out);
}

/* Lodged before the goods arrive: the expected arrival is still ahead. */
static int arrives_later(const char *expected_arrival, int64_t now_ms)
{
	int64_t ms;

	return expected_arrival && !cv_clock_parse_rfc3339(expected_arrival, &ms) && ms > now_ms;
}

/* ---- who may lodge ------------------------------------------------------------ */

/*
 * A trader lodges for its own operator, or as declarant for a client it
 * represents; customs officers do not lodge. The trader's operator id goes
 * into operator_id.
 */
static int may_lodge(struct store_conn *conn, const struct auth_principal *who,
		     const struct trade_declaration *d, const char *date, const char **operator_id,
		     struct cv_arena *arena, struct cv_error *err)
{
	const char *own = !strcmp(d->direction, "import")   ? d->importer
			  : !strcmp(d->direction, "export") ? d->exporter
							    : d->declarant;
	struct store_stmt *stmt;
	char tin[64];
	int rc;

	if (who->user.role != ROLE_TRADER || !*who->user.operator_id)
		return cv_error_set(err, CV_EPERM, NULL, "declarations are lodged by traders");
	*operator_id = cv_arena_strdup(arena, who->user.operator_id);
	rc = store_query_row(conn, &stmt, "SELECT tin FROM operators WHERE id = $1", "t",
			     who->user.operator_id);
	if (rc)
		return rc == CV_ENOTFOUND ? CV_EPERM : rc;
	snprintf(tin, sizeof(tin), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	if (own && !strcmp(own, tin) &&
	    (!d->declarant || !strcmp(d->declarant, tin) || !strcmp(d->direction, "transit")))
		return CV_OK;
	/* An agent: the declarant is the trader, the party its client. */
	if (d->declarant && !strcmp(d->declarant, tin) && own &&
	    !store_query_row(conn, &stmt,
			     "SELECT 1 FROM representations WHERE agent_operator_id = $1"
			     " AND client_tin = $2 AND valid_from <= $3"
			     " AND (valid_to IS NULL OR valid_to >= $3)",
			     "ttt", who->user.operator_id, own, date)) {
		store_finish(stmt);
		return CV_OK;
	}
	return cv_error_set(err, CV_EPERM, "declarant",
			    "%s may lodge only for itself (as %s) or, as declarant, for a client it "
			    "represents",
			    tin, !strcmp(d->direction, "export") ? "exporter" : "importer");
}

/* ---- the lifecycle -------------------------------------------------------------- */

/* The next number in the national format: KZ-IM-2026-0000001. */
static int next_number(struct store_conn *conn, const struct trade_context *ctx,
		       const char *direction, const char *date, char *out, size_t size)
{
	const char *kind = !strcmp(direction, "import")   ? "IM"
			   : !strcmp(direction, "export") ? "EX"
							  : "TR";
	char counter[48];
	int64_t serial;
	int rc;

	snprintf(counter, sizeof(counter), "declaration:%s:%.4s", kind, date);
	rc = trade_counter_next(conn, counter, &serial);
	if (!rc)
		snprintf(out, size, "%s-%s-%.4s-%07lld", ctx->node_country, kind, date,
			 (long long)serial);
	return rc;
}

/* The engine decides; the decision is an event and a notification. */
static int decide(struct store_conn *conn, const char *id, const char *operator_id, const char *at,
		  char lane[16], struct cv_error *err)
{
	struct risk_assessor *a;
	struct risk_outcome decision;
	int rc = risk_assessor_open(conn, &a, err);

	if (!rc) {
		rc = risk_assess_stored(a, conn, id, &decision, NULL, err);
		risk_assessor_free(a);
	}
	if (!rc)
		rc = trade_event(conn, id, "risk_decided", at, "engine",
				 json_pack("{s:s, s:s}", "decision", decision.decision_id, "lane",
					   decision.lane));
	if (!rc)
		rc = trade_notify(conn, operator_id, id, "lane_assigned", at,
				  json_pack("{s:s}", "lane", decision.lane));
	if (!rc)
		snprintf(lane, 16, "%s", decision.lane);
	return rc;
}

/* After the lane and the documents: the joint examination, when one is due. */
static int examine(struct store_conn *conn, const struct trade_context *ctx, const char *id,
		   const struct trade_declaration *d, const char *lane, const char *at,
		   struct cv_error *err)
{
	int scheduled = 0, rc = trade_examination_plan(conn, ctx, id, d, lane, &scheduled, err);
	json_t *exam = NULL;

	if (!rc && scheduled) {
		struct store_stmt *stmt;
		if (!store_query_row(conn, &stmt,
				     "SELECT id FROM examinations WHERE declaration_id = $1"
				     " AND status = 'scheduled'",
				     "t", id)) {
			char exam_id[CV_UUID_STR];
			snprintf(exam_id, sizeof(exam_id), "%s", store_col_text(stmt, 0));
			store_finish(stmt);
			rc = trade_examination_get(conn, exam_id, &exam);
		}
		if (!rc)
			rc = trade_notify(conn, d->operator_id, id, "under_examination", at,
					  json_pack("{s:O, s:O}", "examination",
						    json_object_get(exam, "id"), "parties",
						    json_object_get(exam, "parties")));
	}
	json_decref(exam);
	return rc;
}

/*
 * The LPCO the items need that the declaration does not reference, or
 * references but cannot use (not issued here, expired, another operator's,
 * not covering the goods, short): [{item, type, requirement, authority, why}].
 */
static int missing_documents(struct store_conn *conn, const struct trade_declaration *d,
			     json_t **missing)
{
	int rc = CV_OK;

	*missing = json_array();
	for (size_t i = 0; !rc && i < d->nitems; i++) {
		const struct trade_item *it = &d->items[i];
		json_t *reqs, *r;
		size_t k;
		rc = trade_requirements_for(conn, it->hs, d->direction, it->origin, &reqs);
		json_array_foreach(reqs, k, r) {
			const char *type = json_string_value(json_object_get(r, "lpco_type"));
			char why[256] = "";
			int met = 0;
			for (size_t j = 0; j < d->ndocuments && !met; j++) {
				struct trade_lpco_use use = {d->documents[j].reference,
							     type,
							     d->operator_id,
							     it->hs,
							     it->quantity,
							     it->unit,
							     it->net_mass,
							     d->lodged_on};
				int line;
				double quantity;
				if (!strcmp(d->documents[j].type, type))
					met = trade_lpco_check_use(conn, &use, &line, &quantity,
								   why, sizeof(why)) == CV_OK;
			}
			if (!met)
				json_array_append_new(*missing,
						      json_pack("{s:I, s:s, s:O, s:O, s:s}", "item",
								(json_int_t)i + 1, "type", type,
								"requirement",
								json_object_get(r, "id"), "authority",
								json_object_get(r, "authority"),
								"why",
								*why ? why : "not referenced"));
		}
		json_decref(reqs);
	}
	return rc;
}

/*
 * Documents required when an LPCO is missing (the trader is told which);
 * back to lane assigned once an amendment references them all.
 */
static int settle_documents(struct store_conn *conn, const char *id,
			    const struct trade_declaration *d, const char *operator_id,
			    const char *now)
{
	json_t *missing;
	int64_t changed = 0;
	int rc = missing_documents(conn, d, &missing);

	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE declarations SET documents_missing = $2 WHERE id = $1",
				 "ti", id, (int64_t)json_array_size(missing));
	if (!rc && json_array_size(missing)) {
		rc = store_execf(conn, NULL,
				 "UPDATE declarations SET status = 'documents_required' WHERE id = $1",
				 "t", id);
		if (!rc)
			rc = trade_event(conn, id, "documents_required", now, "customs",
					 json_pack("{s:O}", "missing", missing));
		if (!rc)
			rc = trade_notify(conn, operator_id, id, "documents_required", now,
					  json_pack("{s:O}", "missing", missing));
	} else if (!rc) {
		rc = store_execf(conn, &changed,
				 "UPDATE declarations SET status = 'lane_assigned'"
				 " WHERE id = $1 AND status = 'documents_required'",
				 "t", id);
	}
	json_decref(missing);
	return rc;
}

/*
 * What follows a lodgement or an amendment: the lane, the documents the
 * goods need, the joint examination, the status, and the answer.
 */
static int process(struct store_conn *conn, const struct trade_context *ctx,
		   const struct auth_principal *who, const char *id,
		   const struct trade_declaration *d, const char *now, json_t **out,
		   struct cv_error *err)
{
	char lane[16] = "";
	int rc = decide(conn, id, d->operator_id, now, lane, err);

	if (!rc)
		rc = settle_documents(conn, id, d, d->operator_id, now);
	if (!rc)
		rc = examine(conn, ctx, id, d, lane, now, err);
	if (!rc)
		rc = trade_refresh_status(conn, ctx, id);
	if (!rc)
		rc = trade_declaration_get(conn, who, id, out);
	return rc;
}

int trade_lodge(struct store_conn *conn, const struct trade_context *ctx,
		const struct auth_principal *who, json_t *doc, json_t *errors, json_t **out,
		struct cv_error *err)
{
	char today[CV_DATE_MAX], now[CV_RFC3339_MAX], number[64], id[CV_UUID_STR];
	struct trade_check c = {conn, NULL, errors, today};
	struct checked in;
	struct cv_arena arena;
	char *text = NULL;
	int rc;

	*out = NULL;
	cv_date_from_ms(ctx->now_ms, today);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	cv_arena_init(&arena, 0);
	c.arena = &arena;
	check(&c, doc, &in);
	if (json_array_size(errors)) {
		rc = CV_EINVAL;
		goto done;
	}
	rc = may_lodge(conn, who, &in.d, today, &in.d.operator_id, &arena, err);
	if (!rc)
		rc = next_number(conn, ctx, in.d.direction, today, number, sizeof(number));
	if (rc)
		goto done;
	in.d.number = number;
	in.d.lodged_on = today;
	in.d.lodged_by = who->user.username;
	in.d.status = "accepted";
	in.d.source = "api";
	in.d.document = doc;
	in.d.pre_arrival = arrives_later(in.d.expected_arrival, ctx->now_ms);
	rc = trade_declaration_insert(conn, &in.d, id, err);
	text = rc ? NULL : json_dumps(doc, JSON_COMPACT);
	if (!rc)
		rc = text ? store_execf(conn, NULL,
					"INSERT INTO declaration_versions (declaration_id, version,"
					" document, created_by, created_at) VALUES ($1, 1, $2, $3, $4)",
					"tttt", id, text, who->user.username, now)
			  : CV_ENOMEM;
	if (!rc)
		rc = trade_event(conn, id, "lodged", now, who->user.username, NULL);
	if (!rc)
		rc = trade_event(conn, id, "accepted", now, "customs", NULL);
	if (!rc)
		rc = trade_notify(conn, in.d.operator_id, id, "accepted", now,
				  json_pack("{s:s}", "number", number));
	if (!rc)
		rc = process(conn, ctx, who, id, &in.d, now, out, err);
done:
	free(text);
	cv_arena_release(&arena);
	return rc;
}

/* The declaration (id or number) as the trader who lodged it may change it. */
static int own_declaration(struct store_conn *conn, const struct auth_principal *who,
			   const char *key, char id[CV_UUID_STR], char direction[16], int *version,
			   struct cv_error *err)
{
	static const char *const final[] = {"released", "cancelled", "rejected", NULL};
	struct store_stmt *stmt;
	int rc;

	if (who->user.role != ROLE_TRADER)
		return cv_error_set(err, CV_EPERM, NULL,
				    "only the trader that lodged a declaration changes it");
	rc = store_query_row(conn, &stmt,
			     "SELECT id, status, direction, version FROM declarations"
			     " WHERE (id = $1 OR number = $1) AND operator_id = $2",
			     "tt", key, who->user.operator_id);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, NULL, "no declaration of yours with this id or number");
	if (rc)
		return rc;
	snprintf(id, CV_UUID_STR, "%s", store_col_text(stmt, 0));
	snprintf(direction, 16, "%s", store_col_text(stmt, 2));
	*version = (int)store_col_int64(stmt, 3);
	rc = trade_listed(store_col_text(stmt, 1), final)
		     ? cv_error_set(err, CV_ECONFLICT, "status",
				    "the declaration is %s: it can no longer change",
				    store_col_text(stmt, 1))
		     : CV_OK;
	store_finish(stmt);
	return rc;
}

int trade_amend(struct store_conn *conn, const struct trade_context *ctx,
		const struct auth_principal *who, const char *key, json_t *doc, const char *reason,
		json_t *errors, json_t **out, struct cv_error *err)
{
	char today[CV_DATE_MAX], now[CV_RFC3339_MAX], id[CV_UUID_STR], direction[16];
	struct trade_check c = {conn, NULL, errors, today};
	struct aeo_compliance_event amended = {.kind = "declaration_amended",
					       .outcome = "",
					       .source = "single_window",
					       .notes = reason};
	struct aeo_context actx = {ctx->node_country, ctx->now_ms};
	char event_id[CV_UUID_STR], *text = NULL;
	struct checked in;
	struct cv_arena arena;
	int version, rc;

	*out = NULL;
	cv_date_from_ms(ctx->now_ms, today);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = own_declaration(conn, who, key, id, direction, &version, err);
	if (rc)
		return rc;
	cv_arena_init(&arena, 0);
	c.arena = &arena;
	check(&c, doc, &in);
	if (in.d.direction && strcmp(in.d.direction, direction))
		trade_refuse(&c, "direction", "direction cannot change (%s): cancel and lodge anew",
			     direction);
	if (json_array_size(errors)) {
		rc = CV_EINVAL;
		goto done;
	}
	rc = may_lodge(conn, who, &in.d, today, &in.d.operator_id, &arena, err);
	if (rc)
		goto done;
	in.d.document = doc;
	in.d.lodged_on = today;
	in.d.pre_arrival = arrives_later(in.d.expected_arrival, ctx->now_ms);
	version++;
	rc = trade_declaration_replace(conn, id, &in.d, version, err);
	text = rc ? NULL : json_dumps(doc, JSON_COMPACT);
	if (!rc)
		rc = text ? store_execf(conn, NULL,
					"INSERT INTO declaration_versions (declaration_id, version,"
					" document, reason, created_by, created_at)"
					" VALUES ($1, $2, $3, $4, $5, $6)",
					"tittt"
					"t",
					id, (int64_t)version, text, reason ? reason : "",
					who->user.username, now)
			  : CV_ENOMEM;
	if (!rc)
		rc = trade_event(conn, id, "amended", now, who->user.username,
				 json_pack("{s:i, s:s}", "version", version, "reason",
					   reason ? reason : ""));
	/* An amendment after lodgement counts in the trader's compliance record. */
	amended.occurred_on = today;
	amended.reference = id;
	if (!rc)
		rc = aeo_compliance_event_add(conn, &actx, who->user.username, in.d.operator_id,
					      &amended, event_id, err);
	if (!rc)
		rc = process(conn, ctx, who, id, &in.d, now, out, err);
done:
	free(text);
	cv_arena_release(&arena);
	return rc;
}

int trade_cancel(struct store_conn *conn, const struct trade_context *ctx,
		 const struct auth_principal *who, const char *key, const char *reason,
		 json_t **out, struct cv_error *err)
{
	char now[CV_RFC3339_MAX], id[CV_UUID_STR], direction[16];
	int version, rc = own_declaration(conn, who, key, id, direction, &version, err);

	*out = NULL;
	if (rc)
		return rc;
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "UPDATE declarations SET status = 'cancelled', updated_at = $2 WHERE id = $1",
			 "tt", id, now);
	/* Nothing left to examine: the open examination leaves every party's worklist. */
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE examinations SET status = 'cancelled'"
				 " WHERE declaration_id = $1 AND status = 'scheduled'",
				 "t", id);
	if (!rc)
		rc = trade_event(conn, id, "cancelled", now, who->user.username,
				 json_pack("{s:s}", "reason", reason ? reason : ""));
	if (!rc)
		rc = trade_notify(conn, who->user.operator_id, id, "cancelled", now,
				  json_pack("{s:s}", "reason", reason ? reason : ""));
	if (!rc)
		rc = trade_declaration_get(conn, who, id, out);
	return rc;
}
