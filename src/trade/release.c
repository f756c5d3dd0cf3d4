/* release.c — see release.h. */
#include "trade/release.h"

#include "base/clock.h"
#include "base/arena.h"
#include "base/ids.h"
#include "exchange/certificates.h"
#include "trade/fields.h"
#include "trade/notify.h"
#include "trade/lpco.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared --------------------------------------------------------------------- */

struct header {
	char id[CV_UUID_STR], number[64], status[32], lane[16], operator_id[CV_UUID_STR];
	char trader_tin[64], lodged_on[CV_DATE_MAX], direction[16], lodged_at[CV_RFC3339_MAX];
	int documents_missing;
	int has_arrived;
};

static int load_header(struct store_conn *conn, const char *key, struct header *h)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT d.id, d.number, d.status, COALESCE(d.operator_id, ''), d.lodged_on,"
				 " CASE d.direction WHEN 'export' THEN d.exporter WHEN 'import' THEN d.importer"
				 " ELSE d.declarant END, d.documents_missing, d.arrived_at IS NOT NULL,"
				 " COALESCE((SELECT lane FROM risk_decisions r WHERE r.declaration_id = d.id"
				 " AND r.superseded = 0), ''), d.direction, d.lodged_at"
				 " FROM declarations d WHERE d.id = $1 OR d.number = $1",
				 "t", key);

	memset(h, 0, sizeof(*h));
	if (rc)
		return rc;
	snprintf(h->id, sizeof(h->id), "%s", store_col_text(stmt, 0));
	snprintf(h->number, sizeof(h->number), "%s", store_col_text(stmt, 1));
	snprintf(h->status, sizeof(h->status), "%s", store_col_text(stmt, 2));
	snprintf(h->operator_id, sizeof(h->operator_id), "%s", store_col_text(stmt, 3));
	snprintf(h->lodged_on, sizeof(h->lodged_on), "%s", store_col_text(stmt, 4));
	snprintf(h->trader_tin, sizeof(h->trader_tin), "%s", store_col_text(stmt, 5));
	h->documents_missing = (int)store_col_int64(stmt, 6);
	h->has_arrived = (int)store_col_int64(stmt, 7);
	snprintf(h->lane, sizeof(h->lane), "%s", store_col_text(stmt, 8));
	snprintf(h->direction, sizeof(h->direction), "%s", store_col_text(stmt, 9));
	snprintf(h->lodged_at, sizeof(h->lodged_at), "%s", store_col_text(stmt, 10));
	store_finish(stmt);
	return CV_OK;
}

/* load_header for a step that answers the caller: not found says what. */
static int find(struct store_conn *conn, const char *key, struct header *h, struct cv_error *err)
{
	int rc = load_header(conn, key, h);

	return rc == CV_ENOTFOUND
		       ? cv_error_set(err, rc, NULL, "no declaration with this id or number")
		       : rc;
}

static int is_final(const char *status)
{
	return !strcmp(status, "released") || !strcmp(status, "cancelled") ||
	       !strcmp(status, "rejected");
}

/* ---- duties and taxes ----------------------------------------------------------- */

/* The tariff's rates for hs on date: the longest matching prefix. */
static int tariff(struct store_conn *conn, const char *hs, const char *date, double *duty,
		  double *vat, char *source, size_t size)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT hs_prefix, duty_rate, vat_rate FROM tariff_rates"
				 " WHERE substr($1, 1, length(hs_prefix)) = hs_prefix AND valid_from <= $2"
				 " ORDER BY length(hs_prefix) DESC, valid_from DESC LIMIT 1",
				 "tt", hs, date);

	*duty = *vat = 0;
	if (rc == CV_ENOTFOUND) {
		snprintf(source, size, "no tariff line");
		return CV_OK;
	}
	if (rc)
		return rc;
	snprintf(source, size, "tariff %s",
		 *store_col_text(stmt, 0) ? store_col_text(stmt, 0) : "*");
	*duty = store_col_double(stmt, 1);
	*vat = store_col_double(stmt, 2);
	store_finish(stmt);
	return CV_OK;
}

static int preference(struct store_conn *conn, const char *hs, const char *origin,
		      const char *agreement, double *duty, char *source, size_t size)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT duty_rate FROM preferential_rates WHERE origin = $2 AND agreement = $3"
				 " AND substr($1, 1, length(hs_prefix)) = hs_prefix"
				 " ORDER BY length(hs_prefix) DESC LIMIT 1",
				 "ttt", hs, origin, agreement);

	if (rc)
		return rc; /* CV_ENOTFOUND: the general rate */
	*duty = store_col_double(stmt, 0);
	snprintf(source, size, "preference %s (origin %s)", agreement, origin);
	store_finish(stmt);
	return CV_OK;
}

static int minor_units(struct store_conn *conn, const char *currency)
{
	struct store_stmt *stmt;
	int minor = 2;

	if (!store_query_row(conn, &stmt,
			     "SELECT minor_units FROM currency_minor_units WHERE code = $1", "t",
			     currency)) {
		minor = (int)store_col_int64(stmt, 0);
		store_finish(stmt);
	}
	return minor;
}

/* A deferred-payment benefit: the trader holds a valid authorization of a type that has it. */
static int deferred(struct store_conn *conn, const char *tin)
{
	struct store_stmt *stmt;

	if (store_query_row(conn, &stmt,
			    "SELECT 1 FROM operators o JOIN aeo_authorizations a ON a.operator_id = o.id"
			    " JOIN aeo_benefits b ON b.code = 'deferred_payment'"
			    " AND (',' || b.types || ',') LIKE ('%,' || a.type || ',%')"
			    " WHERE o.tin = $1 AND a.status = 'valid'",
			    "t", tin))
		return 0;
	store_finish(stmt);
	return 1;
}

static int64_t paid(struct store_conn *conn, const char *declaration_id)
{
	struct store_stmt *stmt;
	int64_t sum = 0;

	if (!store_query_row(conn, &stmt,
			     "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE declaration_id = $1",
			     "t", declaration_id)) {
		sum = store_col_int64(stmt, 0);
		store_finish(stmt);
	}
	return sum;
}

/* An item of the declaration as the assessment needs it. */
struct assessed_item {
	int64_t number;
	double value; /* node currency */
	struct trade_item item;
	const char *certificate;
	json_t *preference; /* the claim's verdict (a shared reference), or NULL */
};

static int load_items(struct store_conn *conn, const char *declaration_id, struct cv_arena *arena,
		      struct assessed_item **out, size_t *n)
{
	struct store_stmt *stmt;
	size_t cap = 0;
	int rc = store_prepare(conn,
			       "SELECT item, hs, origin, value, preference, certificate_of_origin,"
			       " quantity, unit, preference_verdict FROM declaration_items"
			       " WHERE declaration_id = $1 ORDER BY item",
			       &stmt);

	*out = NULL;
	*n = 0;
	if (!rc)
		rc = store_bindf(stmt, "t", declaration_id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		struct assessed_item *a;

		rc = CV_OK;
		if (*n == cap) {
			struct assessed_item *grown;
			cap = cap ? cap * 2 : 16;
			grown = cv_arena_alloc(arena, cap * sizeof(*grown));
			if (!grown) {
				rc = CV_ENOMEM;
				break;
			}
			if (*n)
				memcpy(grown, *out, *n * sizeof(*grown));
			*out = grown;
		}
		a = &(*out)[(*n)++];
		memset(a, 0, sizeof(*a));
		a->number = store_col_int64(stmt, 0);
		a->item.hs = cv_arena_strdup(arena, store_col_text(stmt, 1));
		a->item.origin = cv_arena_strdup(arena, store_col_text(stmt, 2));
		a->value = store_col_double(stmt, 3);
		a->item.preference = cv_arena_strdup(arena, store_col_text(stmt, 4));
		a->certificate = cv_arena_strdup(arena, store_col_text(stmt, 5));
		a->item.quantity = store_col_double(stmt, 6);
		a->item.unit = cv_arena_strdup(arena, store_col_text(stmt, 7));
		/* Kept at release: the verdict of a released declaration stays as it was. */
		if (!store_col_is_null(stmt, 8))
			a->preference = json_loads(store_col_text(stmt, 8), 0, NULL);
		if (!a->item.hs || !a->item.origin || !a->item.preference || !a->certificate ||
		    !a->item.unit)
			rc = CV_ENOMEM;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

/*
 * Decide every claim to preference of an import: the items claiming one
 * arrangement under one certificate from one origin are one claim
 * (exchange/certificates.h); each gets the claim's verdict as
 * {arrangement, certificate, electronic, accepted, reasons}.
 */
static int decide_preferences(struct store_conn *conn, const struct trade_context *ctx,
			      const struct header *h, struct assessed_item *items, size_t n,
			      struct cv_arena *arena)
{
	struct trade_item *claimed = cv_arena_alloc(arena, (n ? n : 1) * sizeof(*claimed));
	int64_t *numbers = cv_arena_alloc(arena, (n ? n : 1) * sizeof(*numbers));
	int rc = claimed && numbers ? CV_OK : CV_ENOMEM;

	for (size_t i = 0; !rc && i < n; i++) {
		struct assessed_item *a = &items[i];
		struct exchange_preference_claim claim = {h->id,
							  h->lodged_at,
							  a->certificate,
							  a->item.preference,
							  a->item.origin,
							  h->trader_tin,
							  claimed,
							  numbers,
							  0};
		struct exchange_preference_verdict verdict;

		if (!*a->item.preference || a->preference)
			continue;
		for (size_t j = i; j < n; j++) {
			if (!strcmp(items[j].item.preference, a->item.preference) &&
			    !strcmp(items[j].certificate, a->certificate) &&
			    !strcmp(items[j].item.origin, a->item.origin)) {
				claimed[claim.nitems] = items[j].item;
				numbers[claim.nitems++] = items[j].number;
			}
		}
		rc = exchange_preference_check(conn, ctx->node_country, ctx->now_ms, &claim,
					       &verdict);
		if (rc)
			break;
		a->preference = json_pack("{s:s, s:s, s:b, s:b, s:o}", "arrangement",
					  a->item.preference, "certificate", a->certificate,
					  "electronic", verdict.electronic, "accepted",
					  verdict.accepted, "reasons", verdict.reasons);
		if (!a->preference)
			return CV_ENOMEM;
		for (size_t j = i + 1; j < n; j++)
			if (!strcmp(items[j].item.preference, a->item.preference) &&
			    !strcmp(items[j].certificate, a->certificate) &&
			    !strcmp(items[j].item.origin, a->item.origin))
				items[j].preference = json_incref(a->preference);
	}
	return rc;
}

int trade_assessment(struct store_conn *conn, const struct trade_context *ctx, const char *key,
		     json_t **out)
{
	struct header h;
	struct assessed_item *items = NULL;
	struct cv_arena arena;
	json_t *lines = json_array();
	int64_t duty_total = 0, vat_total = 0, received;
	double scale;
	size_t n = 0;
	int rc = load_header(conn, key, &h), is_deferred, import;

	*out = NULL;
	cv_arena_init(&arena, 0);
	if (rc)
		goto out;
	import = !strcmp(h.direction, "import");
	scale = pow(10, minor_units(conn, ctx->node_currency));
	rc = load_items(conn, h.id, &arena, &items, &n);
	/* Preference lowers import duty only: an export's or transit's claim is not decided. */
	if (!rc && import)
		rc = decide_preferences(conn, ctx, &h, items, n, &arena);
	for (size_t i = 0; !rc && i < n; i++) {
		struct assessed_item *a = &items[i];
		const char *hs = a->item.hs;
		/* The customs value in whole minor units of the node's currency. */
		int64_t value = llround(a->value * scale), duty, vat;
		double duty_rate, vat_rate;
		char source[96];
		json_t *line;

		rc = tariff(conn, hs, h.lodged_on, &duty_rate, &vat_rate, source, sizeof(source));
		if (rc)
			break;
		if (a->preference && json_is_true(json_object_get(a->preference, "accepted")))
			preference(conn, hs, a->item.origin, a->item.preference, &duty_rate, source,
				   sizeof(source));
		/* The tariff is the import tariff: goods leaving, or passing under transit, owe none of it. */
		if (!import) {
			duty_rate = vat_rate = 0;
			snprintf(source, sizeof(source), "%s: no import duty or VAT", h.direction);
		}
		duty = llround((double)value * duty_rate / 100.0);
		vat = llround((double)(value + duty) * vat_rate / 100.0);
		duty_total += duty;
		vat_total += vat;
		line = json_pack("{s:I, s:s, s:I, s:f, s:s, s:I, s:f, s:I, s:I, s:I}", "item",
				 (json_int_t)a->number, "hs", hs, "customs_value",
				 (json_int_t)value, "duty_rate", duty_rate, "rate_source", source,
				 "duty", (json_int_t)duty, "vat_rate", vat_rate, "vat_base",
				 (json_int_t)(value + duty), "vat", (json_int_t)vat, "total",
				 (json_int_t)(duty + vat));
		if (line && a->preference)
			json_object_set(line, "preference", a->preference);
		json_array_append_new(lines, line);
	}
	if (rc)
		goto out;
	received = paid(conn, h.id);
	is_deferred = deferred(conn, h.trader_tin);
	*out = json_pack("{s:s, s:s, s:O, s:I, s:I, s:I, s:I, s:I, s:b}", "declaration", h.id,
			 "currency", ctx->node_currency, "lines", lines, "duty",
			 (json_int_t)duty_total, "vat", (json_int_t)vat_total, "total",
			 (json_int_t)(duty_total + vat_total), "paid", (json_int_t)received, "due",
			 (json_int_t)(duty_total + vat_total > received
					      ? duty_total + vat_total - received
					      : 0),
			 "deferred", is_deferred);
	rc = *out ? CV_OK : CV_ENOMEM;
out:
	for (size_t i = 0; i < n; i++)
		json_decref(items[i].preference);
	json_decref(lines);
	cv_arena_release(&arena);
	return rc;
}

/* ---- conditions and status ------------------------------------------------------ */

static void unmet_add(json_t *unmet, const char *condition, const char *message)
{
	json_array_append_new(unmet,
			      json_pack("{s:s, s:s}", "condition", condition, "message", message));
}

static int count(struct store_conn *conn, const char *sql, const char *id)
{
	struct store_stmt *stmt;
	int n = 0;

	if (!store_query_row(conn, &stmt, sql, "t", id)) {
		n = (int)store_col_int64(stmt, 0);
		store_finish(stmt);
	}
	return n;
}

static int conditions(struct store_conn *conn, const struct trade_context *ctx,
		      const struct header *h, json_t *unmet)
{
	json_t *assessment = NULL;
	char message[160];
	int rc;

	if (h->documents_missing)
		unmet_add(unmet, "documents",
			  "a required licence, permit or certificate is missing or cannot be used");
	if (count(conn,
		  "SELECT COUNT(*) FROM examinations WHERE declaration_id = $1 AND status = 'scheduled'",
		  h->id))
		unmet_add(unmet, "examination",
			  "the examination has not been completed by every party");
	if (count(conn,
		  "SELECT COUNT(*) FROM examinations WHERE declaration_id = $1 AND result = 'seizure'",
		  h->id))
		unmet_add(unmet, "seizure", "goods were seized: they are not released");
	/* Yellow: a documentary check by customs, i.e. a completed examination of any kind. */
	if (!strcmp(h->lane, "yellow") &&
	    !count(conn,
		   "SELECT COUNT(*) FROM examinations WHERE declaration_id = $1 AND status = 'completed'",
		   h->id))
		unmet_add(unmet, "documentary_check",
			  "the yellow lane needs customs' documentary check");
	rc = trade_assessment(conn, ctx, h->id, &assessment);
	if (rc)
		return rc;
	if (json_integer_value(json_object_get(assessment, "due")) > 0 &&
	    !json_is_true(json_object_get(assessment, "deferred"))) {
		long long due = json_integer_value(json_object_get(assessment, "due"));
		int minor = minor_units(conn, ctx->node_currency);
		snprintf(message, sizeof(message),
			 "%.*f %s of duties and taxes is due (%lld in minor units)", minor,
			 (double)due / pow(10, minor), ctx->node_currency, due);
		unmet_add(unmet, "payment", message);
	}
	json_decref(assessment);
	return CV_OK;
}

int trade_release_conditions(struct store_conn *conn, const struct trade_context *ctx,
			     const char *key, json_t **unmet)
{
	struct header h;
	int rc = load_header(conn, key, &h);

	*unmet = NULL;
	if (rc)
		return rc;
	*unmet = json_array();
	return conditions(conn, ctx, &h, *unmet);
}

int trade_refresh_status(struct store_conn *conn, const struct trade_context *ctx, const char *key)
{
	char now[CV_RFC3339_MAX];
	const char *status = "lane_assigned";
	json_t *unmet = json_array(), *u;
	struct header h;
	size_t i;
	int rc = load_header(conn, key, &h);

	if (rc || is_final(h.status) || !strcmp(h.status, "accepted"))
		goto done;
	rc = conditions(conn, ctx, &h, unmet);
	/* The first that stands, in the order the trader must clear them. */
	json_array_foreach(unmet, i, u) {
		const char *c = json_string_value(json_object_get(u, "condition"));
		if (!strcmp(c, "documents"))
			status = "documents_required";
		else if (strcmp(status, "documents_required") && !strcmp(c, "examination"))
			status = "under_examination";
		else if (!strcmp(status, "lane_assigned") && !strcmp(c, "payment"))
			status = "payment_required";
	}
	if (rc || !strcmp(status, h.status))
		goto done;
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "UPDATE declarations SET status = $2, updated_at = $3 WHERE id = $1",
			 "ttt", h.id, status, now);
	/* Payment is the one the trader is not told of elsewhere. */
	if (!rc && !strcmp(status, "payment_required")) {
		json_t *assessment = NULL;
		rc = trade_assessment(conn, ctx, h.id, &assessment);
		if (!rc)
			rc = trade_notify(conn, h.operator_id, h.id, "payment_required", now,
					  json_pack("{s:O, s:O}", "due",
						    json_object_get(assessment, "due"), "currency",
						    json_object_get(assessment, "currency")));
		json_decref(assessment);
	}
done:
	json_decref(unmet);
	return rc;
}

/* ---- payment, arrival, release, exit -------------------------------------------- */

int trade_payment(struct store_conn *conn, const struct trade_context *ctx,
		  const struct auth_principal *who, const char *key, json_t *body, json_t *errors,
		  json_t **out, struct cv_error *err)
{
	static const char *const methods[] = {"card", "bank_transfer", "e_wallet", "guarantee",
					      NULL};
	char now[CV_RFC3339_MAX], id[CV_UUID_STR];
	struct cv_arena arena;
	struct trade_check c = {conn, &arena, errors, NULL};
	const char *reference, *method;
	json_t *amount = json_object_get(body, "amount");
	struct header h;
	int rc = load_header(conn, key, &h);

	*out = NULL;
	if (rc == CV_ENOTFOUND ||
	    (!rc && (who->user.role != ROLE_TRADER || strcmp(h.operator_id, who->user.operator_id))))
		return cv_error_set(err, CV_ENOTFOUND, NULL,
				    "no declaration of yours with this id or number");
	if (rc)
		return rc;
	if (is_final(h.status))
		return cv_error_set(err, CV_ECONFLICT, "status", "the declaration is %s", h.status);
	cv_arena_init(&arena, 0);
	reference = trade_text(&c, body, "reference", "", 64, 1);
	if (reference && !trade_code_like(reference, 64))
		trade_refuse(&c, "reference",
			     "reference must be the payment's reference (letters, digits, - / .)");
	method = trade_text(&c, body, "method", "", 20, 1);
	if (method && !trade_listed(method, methods))
		trade_refuse(&c, "method",
			     "method must be card, bank_transfer, e_wallet or guarantee");
	if (!json_is_integer(amount) || json_integer_value(amount) <= 0)
		trade_refuse(&c, "amount", "amount must be a whole number of minor units above 0");
	if (json_array_size(errors)) {
		rc = CV_EINVAL;
		goto done;
	}
	if (trade_exists(conn, "SELECT 1 FROM payments WHERE reference = $1", reference)) {
		rc = cv_error_set(err, CV_ECONFLICT, "reference", "payment %s is recorded already",
				  reference);
		goto done;
	}
	cv_uuid7(id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO payments (id, declaration_id, reference, amount, method, paid_at,"
			 " recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			 "tttittt", id, h.id, reference, (int64_t)json_integer_value(amount),
			 method, now, who->user.username);
	if (!rc)
		rc = trade_event(conn, h.id, "paid", now, who->user.username,
				 json_pack("{s:s, s:O, s:s}", "reference", reference, "amount",
					   amount, "method", method));
	if (!rc)
		rc = trade_refresh_status(conn, ctx, h.id);
	if (!rc)
		rc = trade_assessment(conn, ctx, h.id, out);
done:
	cv_arena_release(&arena);
	return rc;
}

static int customs_only(const struct auth_principal *who, struct cv_error *err)
{
	return who->user.role == ROLE_BORDER_OFFICER
		       ? CV_OK
		       : cv_error_set(err, CV_EPERM, NULL, "border officers record this");
}

int trade_arrival(struct store_conn *conn, const struct trade_context *ctx,
		  const struct auth_principal *who, const char *key, json_t **out,
		  struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	struct header h;
	int rc = customs_only(who, err);

	*out = NULL;
	if (!rc)
		rc = find(conn, key, &h, err);
	if (rc)
		return rc;
	if (is_final(h.status))
		return cv_error_set(err, CV_ECONFLICT, "status", "%s is %s", h.number, h.status);
	if (h.has_arrived)
		return cv_error_set(err, CV_ECONFLICT, "status", "the goods of %s arrived already",
				    h.number);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL, "UPDATE declarations SET arrived_at = $2 WHERE id = $1", "tt",
			 h.id, now);
	if (!rc)
		rc = trade_event(conn, h.id, "arrived", now, who->user.username, NULL);
	if (!rc)
		rc = trade_declaration_get(conn, who, h.id, out);
	return rc;
}

int trade_exit(struct store_conn *conn, const struct trade_context *ctx,
	       const struct auth_principal *who, const char *key, json_t **out, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	struct header h;
	int rc = customs_only(who, err);

	int64_t changed = 0;

	*out = NULL;
	if (!rc)
		rc = find(conn, key, &h, err);
	if (rc)
		return rc;
	if (strcmp(h.status, "released"))
		return cv_error_set(err, CV_ECONFLICT, "status",
				    "goods leave after release; %s is %s", h.number, h.status);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, &changed,
			 "UPDATE declarations SET exited_at = $2 WHERE id = $1 AND exited_at IS NULL",
			 "tt", h.id, now);
	if (!rc && !changed)
		rc = cv_error_set(err, CV_ECONFLICT, "status", "the goods of %s left already",
				  h.number);
	if (!rc)
		rc = trade_event(conn, h.id, "exited", now, who->user.username, NULL);
	if (!rc)
		rc = trade_declaration_get(conn, who, h.id, out);
	return rc;
}

/* Draw each item's quantity from the LPCOs it references (checked at lodgement). */
static int draw_lpcos(struct store_conn *conn, const struct header *h, const char *now,
		      struct cv_error *err)
{
	struct store_stmt *stmt;
	json_t *uses = json_array(), *u;
	size_t i;
	int rc = store_prepare(conn,
			       /* Each item with the referenced LPCOs that cover its HS code. */
			       "SELECT DISTINCT i.item, i.hs, i.quantity, i.unit, i.net_mass, dd.type,"
			       " dd.reference FROM declaration_items i JOIN declaration_documents dd"
			       " ON dd.declaration_id = i.declaration_id"
			       " JOIN lpcos l ON l.number = dd.reference AND l.type = dd.type"
			       " JOIN lpco_lines n ON n.lpco_id = l.id"
			       " AND substr(i.hs, 1, length(n.hs)) = n.hs"
			       " WHERE i.declaration_id = $1 ORDER BY i.item",
			       &stmt);

	if (!rc)
		rc = store_bindf(stmt, "t", h->id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		json_array_append_new(uses, json_pack("{s:I, s:s, s:f, s:s, s:f, s:s, s:s}", "item",
						      (json_int_t)store_col_int64(stmt, 0), "hs",
						      store_col_text(stmt, 1), "quantity",
						      store_col_double(stmt, 2), "unit",
						      store_col_text(stmt, 3), "net_mass",
						      store_col_double(stmt, 4), "type",
						      store_col_text(stmt, 5), "number",
						      store_col_text(stmt, 6)));
	}
	store_finish(stmt);
	rc = rc < 0 ? rc : CV_OK;
	json_array_foreach(uses, i, u) {
		struct trade_lpco_use use = {json_string_value(json_object_get(u, "number")),
					     json_string_value(json_object_get(u, "type")),
					     h->operator_id,
					     json_string_value(json_object_get(u, "hs")),
					     json_real_value(json_object_get(u, "quantity")),
					     json_string_value(json_object_get(u, "unit")),
					     json_real_value(json_object_get(u, "net_mass")),
					     h->lodged_on};
		char why[256];
		double quantity;
		int line;
		if (rc)
			break;
		/* Valid on the day it was lodged; the balance is what is left now. */
		if (trade_lpco_check_use(conn, &use, &line, &quantity, why, sizeof(why))) {
			rc = cv_error_set(err, CV_ECONFLICT, "documents", "%s", why);
			break;
		}
		rc = trade_lpco_draw(conn, use.number, line, h->id,
				     (int)json_integer_value(json_object_get(u, "item")), quantity,
				     now, err);
	}
	json_decref(uses);
	return rc;
}

/*
 * Keep each item's verdict on its claim to preference as it stood at
 * release: what happens to the certificate or the partner afterwards is a
 * matter for post-clearance control, not for this declaration's duties.
 */
static int keep_verdicts(struct store_conn *conn, const struct trade_context *ctx,
			 const struct header *h)
{
	json_t *assessment = NULL, *line;
	size_t i;
	int rc = trade_assessment(conn, ctx, h->id, &assessment);

	json_array_foreach(json_object_get(assessment, "lines"), i, line) {
		json_t *verdict = json_object_get(line, "preference");
		char *text;

		if (rc)
			break;
		if (!verdict)
			continue;
		text = json_dumps(verdict, JSON_COMPACT);
		rc = text ? store_execf(conn, NULL,
					"UPDATE declaration_items SET preference_verdict = $3"
					" WHERE declaration_id = $1 AND item = $2",
					"tit", h->id,
					(int64_t)json_integer_value(json_object_get(line, "item")),
					text)
			  : CV_ENOMEM;
		free(text);
	}
	json_decref(assessment);
	return rc;
}

int trade_release(struct store_conn *conn, const struct trade_context *ctx,
		  const struct auth_principal *who, const char *key, json_t **out,
		  struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	json_t *unmet = json_array();
	struct header h;
	int rc = customs_only(who, err);

	*out = NULL;
	if (!rc)
		rc = find(conn, key, &h, err);
	if (!rc && is_final(h.status))
		rc = cv_error_set(err, CV_ECONFLICT, "status", "%s is %s already", h.number,
				  h.status);
	if (!rc)
		rc = conditions(conn, ctx, &h, unmet);
	if (!rc && json_array_size(unmet)) {
		char *text = json_dumps(unmet, JSON_COMPACT);
		rc = cv_error_set(err, CV_ECONFLICT, "conditions", "not yet released: %s",
				  text ? text : "conditions unmet");
		free(text);
	}
	json_decref(unmet);
	if (rc)
		return rc;
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = keep_verdicts(conn, ctx, &h);
	if (!rc)
		rc = draw_lpcos(conn, &h, now, err);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE declarations SET status = 'released', released_at = $2,"
				 " updated_at = $2 WHERE id = $1",
				 "tt", h.id, now);
	if (!rc)
		rc = trade_event(conn, h.id, "released", now, who->user.username, NULL);
	if (!rc)
		rc = trade_notify(conn, h.operator_id, h.id, "released", now, NULL);
	if (!rc)
		rc = trade_declaration_get(conn, who, h.id, out);
	return rc;
}
