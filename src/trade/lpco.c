/* lpco.c — see lpco.h. */
#include "trade/lpco.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/ids.h"
#include "trade/fields.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 100
#define MAX_YEARS 3

/* ---- reading -------------------------------------------------------------------- */

/* Which LPCOs who may see: its operator's (trader), its agency's (officer), all (customs). */
#define VISIBLE " ($2 = '' OR l.operator_id = $2) AND ($3 = '' OR l.agency = $3)"

static void visibility(const struct auth_principal *who, const char **operator_id,
		       const char **agency)
{
	*operator_id = who->user.role == ROLE_TRADER ? who->user.operator_id : "";
	*agency = who->user.role == ROLE_PGA_OFFICER ? who->user.agency_code : "";
	/* A trader without an operator, or an officer without an agency, sees nothing. */
	if (who->user.role == ROLE_TRADER && !**operator_id)
		*operator_id = "-";
	if (who->user.role == ROLE_PGA_OFFICER && !**agency)
		*agency = "-";
}

#define COLUMNS                                                                                    \
	"l.id, l.number, l.type, l.agency, o.tin, o.name, l.status, l.valid_from, l.valid_to,"     \
	" l.notes, l.reasons, l.applied_by, l.applied_at, l.decided_by, l.decided_at"

static json_t *nullable(struct store_stmt *stmt, int col)
{
	return store_col_is_null(stmt, col) ? json_null() : json_string(store_col_text(stmt, col));
}

static json_t *lpco_json(struct store_stmt *stmt)
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:s,"
			      " s:s, s:o, s:o}",
			      "id", store_col_text(stmt, 0), "number", nullable(stmt, 1), "type",
			      store_col_text(stmt, 2), "agency", store_col_text(stmt, 3),
			      "operator", "tin", store_col_text(stmt, 4), "name",
			      store_col_text(stmt, 5), "status", store_col_text(stmt, 6),
			      "valid_from", store_col_text(stmt, 7), "valid_to",
			      store_col_text(stmt, 8), "notes", store_col_text(stmt, 9), "reasons",
			      store_col_text(stmt, 10), "applied_by", store_col_text(stmt, 11),
			      "applied_at", store_col_text(stmt, 12), "decided_by",
			      nullable(stmt, 13), "decided_at", nullable(stmt, 14));
	return o;
}

static json_t *lines_json(struct store_conn *conn, const char *id)
{
	struct store_stmt *stmt;
	json_t *lines = json_array();
	int rc = store_prepare(conn,
			       "SELECT line, hs, description, unit, requested, granted, used"
			       " FROM lpco_lines WHERE lpco_id = $1 ORDER BY line",
			       &stmt);

	if (rc)
		return lines;
	rc = store_bindf(stmt, "t", id);
	while (!rc && store_step(stmt) == STORE_ROW)
		json_array_append_new(lines, json_pack("{s:I, s:s, s:s, s:s, s:f, s:f, s:f, s:f}",
						       "line", (json_int_t)store_col_int64(stmt, 0),
						       "hs", store_col_text(stmt, 1), "description",
						       store_col_text(stmt, 2), "unit",
						       store_col_text(stmt, 3), "requested",
						       store_col_double(stmt, 4), "granted",
						       store_col_double(stmt, 5), "used",
						       store_col_double(stmt, 6), "balance",
						       store_col_double(stmt, 5) -
							       store_col_double(stmt, 6)));
	store_finish(stmt);
	return lines;
}

int trade_lpco_get(struct store_conn *conn, const struct auth_principal *who, const char *key,
		   json_t **out)
{
	const char *operator_id, *agency;
	struct store_stmt *stmt;
	char id[CV_UUID_STR];
	int rc;

	*out = NULL;
	visibility(who, &operator_id, &agency);
	rc = store_query_row(conn, &stmt,
			     "SELECT " COLUMNS
			     " FROM lpcos l JOIN operators o ON o.id = l.operator_id"
			     " WHERE (l.id = $1 OR l.number = $1) AND" VISIBLE,
			     "ttt", key, operator_id, agency);
	if (rc)
		return rc;
	*out = lpco_json(stmt);
	snprintf(id, sizeof(id), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	json_object_set_new(*out, "lines", lines_json(conn, id));
	return CV_OK;
}

int trade_lpcos_list(struct store_conn *conn, const struct auth_principal *who, const char *status,
		     const char *after, int limit, json_t **out)
{
	const char *operator_id, *agency;
	struct store_stmt *stmt;
	int rc;

	*out = NULL;
	visibility(who, &operator_id, &agency);
	rc = store_prepare(conn,
			   "SELECT " COLUMNS " FROM lpcos l JOIN operators o ON o.id = l.operator_id"
			   " WHERE ($1 = '' OR l.status = $1) AND" VISIBLE
			   " AND ($4 = '' OR l.id < $4) ORDER BY l.id DESC LIMIT $5",
			   &stmt);
	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "tttti", status ? status : "", operator_id, agency,
			 after ? after : "", (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		json_array_append_new(*out, lpco_json(stmt));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}

/* ---- applying and deciding ------------------------------------------------------ */

static void check_dates(struct trade_check *c, const char *from, const char *to)
{
	int64_t a, b;

	if (from && cv_date_parse(from, &a))
		trade_refuse(c, "valid_from", "valid_from must be a date (YYYY-MM-DD)");
	else if (to && cv_date_parse(to, &b))
		trade_refuse(c, "valid_to", "valid_to must be a date (YYYY-MM-DD)");
	else if (from && to && (b < a || b - a > MAX_YEARS * 366))
		trade_refuse(c, "valid_to",
			     "valid_to must be on or after valid_from, within %d years", MAX_YEARS);
}

/* The authority that issues type (from the requirements), or NULL when no requirement names it. */
static const char *authority_of(struct trade_check *c, const char *type)
{
	struct store_stmt *stmt;
	const char *authority;

	if (store_query_row(c->conn, &stmt,
			    "SELECT authority FROM regulatory_requirements WHERE lpco_type = $1 LIMIT 1",
			    "t", type))
		return NULL;
	authority = cv_arena_strdup(c->arena, store_col_text(stmt, 0));
	store_finish(stmt);
	return authority;
}

static void check_agency(struct trade_check *c, const char *type, const char *agency)
{
	struct store_stmt *stmt;
	const char *authority = type ? authority_of(c, type) : NULL;

	if (!agency)
		return;
	if (store_query_row(c->conn, &stmt, "SELECT authorities FROM agencies WHERE code = $1", "t",
			    agency)) {
		trade_refuse(c, "agency", "agency \"%s\" is not a partner agency of this node",
			     agency);
		return;
	}
	if (authority && !strstr(store_col_text(stmt, 0), authority))
		trade_refuse(c, "agency", "%s does not issue %s (an %s authority's document)",
			     agency, type, authority);
	store_finish(stmt);
}

static void check_line(struct trade_check *c, json_t *line, size_t i)
{
	static const char *const known[] = {"hs", "description", "quantity", "unit", NULL};
	const char *hs, *key;
	char where[32];
	json_t *v;

	snprintf(where, sizeof(where), "lines[%zu].", i);
	if (!json_is_object(line)) {
		trade_refuse(c, cv_arena_printf(c->arena, "lines[%zu]", i),
			     "lines[%zu] must be an object", i);
		return;
	}
	json_object_foreach(line, key, v) {
		if (!trade_listed(key, known))
			trade_refuse(c, cv_arena_printf(c->arena, "%s%s", where, key),
				     "%s%s is not a member of an LPCO line", where, key);
	}
	hs = trade_text(c, line, "hs", cv_arena_strdup(c->arena, where), 10, 1);
	if (hs) {
		size_t n = strlen(hs), d = 0;
		while (d < n && isdigit((unsigned char)hs[d]))
			d++;
		if (d != n || n < 4)
			trade_refuse(c, cv_arena_printf(c->arena, "%shs", where),
				     "%shs must be 4 to 10 digits: the goods it covers", where);
	}
	trade_text(c, line, "description", cv_arena_strdup(c->arena, where), 500, 1);
	v = json_object_get(line, "quantity");
	if (!json_is_number(v) || !(json_number_value(v) > 0) || json_number_value(v) > 1e12)
		trade_refuse(c, cv_arena_printf(c->arena, "%squantity", where),
			     "%squantity must be a number above 0", where);
	if (!trade_listed(trade_text(c, line, "unit", cv_arena_strdup(c->arena, where), 3, 1),
			  trade_units) &&
	    json_is_string(json_object_get(line, "unit")))
		trade_refuse(c, cv_arena_printf(c->arena, "%sunit", where),
			     "%sunit must be a UNECE Rec 20 code (KGM, H87, LTR, ...)", where);
}

int trade_lpco_apply(struct store_conn *conn, const struct trade_context *ctx,
		     const struct auth_principal *who, json_t *body, json_t *errors, json_t **out,
		     struct cv_error *err)
{
	static const char *const known[] = {"type",  "agency", "valid_from", "valid_to",
					    "lines", "notes",  NULL};
	char today[CV_DATE_MAX], now[CV_RFC3339_MAX], id[CV_UUID_STR];
	struct cv_arena arena;
	struct trade_check c = {conn, &arena, errors, today};
	const char *type, *agency, *from, *to, *notes, *key;
	json_t *lines = json_object_get(body, "lines"), *v;
	size_t i;
	int rc = CV_OK;

	*out = NULL;
	if (who->user.role != ROLE_TRADER || !*who->user.operator_id)
		return cv_error_set(err, CV_EPERM, NULL, "traders apply for LPCOs");
	cv_date_from_ms(ctx->now_ms, today);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	cv_arena_init(&arena, 0);
	json_object_foreach(body, key, v) {
		if (!trade_listed(key, known))
			trade_refuse(&c, cv_arena_strdup(&arena, key),
				     "%s is not a member of an LPCO application", key);
	}
	type = trade_text(&c, body, "type", "", 40, 1);
	if (type && !trade_code_like(type, 40))
		trade_refuse(&c, "type", "type must be a document type code (\"ODS-LICENCE\")");
	agency = trade_text(&c, body, "agency", "", 32, 1);
	check_agency(&c, type, agency);
	from = trade_text(&c, body, "valid_from", "", 10, 0);
	to = trade_text(&c, body, "valid_to", "", 10, 1);
	check_dates(&c, from ? from : today, to);
	notes = trade_text(&c, body, "notes", "", 2000, 0);
	if (!json_is_array(lines) || json_array_size(lines) < 1 ||
	    json_array_size(lines) > MAX_LINES)
		trade_refuse(&c, "lines", "lines must be a list of 1 to %d goods lines", MAX_LINES);
	else {
		json_array_foreach(lines, i, v) {
			check_line(&c, v, i);
		}
	}
	if (json_array_size(errors)) {
		rc = CV_EINVAL;
		goto done;
	}
	cv_uuid7(id);
	rc = store_execf(conn, NULL,
			 "INSERT INTO lpcos (id, type, agency, operator_id, status, valid_from, valid_to,"
			 " notes, applied_by, applied_at) VALUES ($1, $2, $3, $4, 'applied', $5, $6, $7,"
			 " $8, $9)",
			 "ttttttttt", id, type, agency, who->user.operator_id, from ? from : today,
			 to, notes ? notes : "", who->user.username, now);
	json_array_foreach(lines, i, v) {
		if (rc)
			break;
		rc = store_execf(conn, NULL,
				 "INSERT INTO lpco_lines (lpco_id, line, hs, description, unit, requested)"
				 " VALUES ($1, $2, $3, $4, $5, $6)",
				 "titttd", id, (int64_t)i + 1,
				 json_string_value(json_object_get(v, "hs")),
				 json_string_value(json_object_get(v, "description")),
				 json_string_value(json_object_get(v, "unit")),
				 json_number_value(json_object_get(v, "quantity")));
	}
	if (!rc)
		rc = trade_lpco_get(conn, who, id, out);
done:
	cv_arena_release(&arena);
	return rc;
}

/* The next number: AGENCY-YYYY-000001. */
static int next_number(struct store_conn *conn, const char *agency, const char *today, char *out,
		       size_t size)
{
	char counter[64];
	int64_t serial;
	int rc;

	snprintf(counter, sizeof(counter), "lpco:%s:%.4s", agency, today);
	rc = trade_counter_next(conn, counter, &serial);
	if (!rc)
		snprintf(out, size, "%s-%.4s-%06lld", agency, today, (long long)serial);
	return rc;
}

int trade_lpco_decide(struct store_conn *conn, const struct trade_context *ctx,
		      const struct auth_principal *who, const char *key, json_t *body,
		      json_t *errors, json_t **out, struct cv_error *err)
{
	char today[CV_DATE_MAX], now[CV_RFC3339_MAX], number[96], id[CV_UUID_STR];
	struct cv_arena arena;
	struct trade_check c = {conn, &arena, errors, today};
	const char *decision, *reasons, *from, *to;
	json_t *lpco = NULL, *granted = json_object_get(body, "lines"), *v;
	size_t i;
	int rc;

	*out = NULL;
	if (who->user.role != ROLE_PGA_OFFICER)
		return cv_error_set(err, CV_EPERM, NULL, "officers of the issuing agency decide");
	/* Not its agency's: not found, as for anyone who may not see it. */
	rc = trade_lpco_get(conn, who, key, &lpco);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, NULL, "no LPCO of your agency with this id or number");
	if (rc)
		return rc;
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(lpco, "id")));
	if (strcmp(json_string_value(json_object_get(lpco, "status")), "applied")) {
		rc = cv_error_set(err, CV_ECONFLICT, "status", "the LPCO is %s already",
				  json_string_value(json_object_get(lpco, "status")));
		json_decref(lpco);
		return rc;
	}
	cv_date_from_ms(ctx->now_ms, today);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	cv_arena_init(&arena, 0);
	decision = trade_text(&c, body, "decision", "", 10, 1);
	if (decision && strcmp(decision, "issue") && strcmp(decision, "refuse"))
		trade_refuse(&c, "decision", "decision must be issue or refuse");
	reasons = trade_text(&c, body, "reasons", "", 2000, decision && !strcmp(decision, "refuse"));
	from = trade_text(&c, body, "valid_from", "", 10, 0);
	to = trade_text(&c, body, "valid_to", "", 10, 0);
	if (!from)
		from = json_string_value(json_object_get(lpco, "valid_from"));
	if (!to)
		to = json_string_value(json_object_get(lpco, "valid_to"));
	check_dates(&c, from, to);
	if (granted && !json_is_array(granted))
		trade_refuse(&c, "lines", "lines must be a list of {line, quantity}");
	json_array_foreach(granted, i, v) {
		json_int_t line = json_integer_value(json_object_get(v, "line"));
		json_t *q = json_object_get(v, "quantity");
		if (line < 1 || (size_t)line > json_array_size(json_object_get(lpco, "lines")))
			trade_refuse(&c, cv_arena_printf(&arena, "lines[%zu].line", i),
				     "lines[%zu].line must be a line of the application", i);
		if (!json_is_number(q) || json_number_value(q) < 0)
			trade_refuse(&c, cv_arena_printf(&arena, "lines[%zu].quantity", i),
				     "lines[%zu].quantity must be a number, 0 or more", i);
	}
	if (json_array_size(errors)) {
		rc = CV_EINVAL;
		goto done;
	}
	if (!strcmp(decision, "refuse")) {
		rc = store_execf(conn, NULL,
				 "UPDATE lpcos SET status = 'refused', reasons = $2, decided_by = $3,"
				 " decided_at = $4 WHERE id = $1",
				 "tttt", id, reasons, who->user.username, now);
		goto read;
	}
	rc = next_number(conn, json_string_value(json_object_get(lpco, "agency")), today, number,
			 sizeof(number));
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE lpcos SET status = 'issued', number = $2, valid_from = $3,"
				 " valid_to = $4, decided_by = $5, decided_at = $6 WHERE id = $1",
				 "tttttt", id, number, from, to, who->user.username, now);
	/* What was asked for, unless the agency grants less (or more) per line. */
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE lpco_lines SET granted = requested WHERE lpco_id = $1",
				 "t", id);
	json_array_foreach(granted, i, v) {
		if (rc)
			break;
		rc = store_execf(conn, NULL,
				 "UPDATE lpco_lines SET granted = $3 WHERE lpco_id = $1 AND line = $2",
				 "tid", id, (int64_t)json_integer_value(json_object_get(v, "line")),
				 json_number_value(json_object_get(v, "quantity")));
	}
read:
	if (!rc)
		rc = trade_lpco_get(conn, who, id, out);
done:
	json_decref(lpco);
	cv_arena_release(&arena);
	return rc;
}

/* ---- using ---------------------------------------------------------------------- */

int trade_lpco_check_use(struct store_conn *conn, const struct trade_lpco_use *u, int *line,
			 double *quantity, char *why, size_t why_size)
{
	struct store_stmt *stmt;
	const char *unit;
	int rc = store_query_row(conn, &stmt,
				 "SELECT l.status, l.type, l.operator_id, l.valid_from, l.valid_to,"
				 " n.line, n.unit, n.granted - n.used, n.hs"
				 " FROM lpcos l LEFT JOIN lpco_lines n ON n.lpco_id = l.id"
				 " AND substr($2, 1, length(n.hs)) = n.hs"
				 " WHERE l.number = $1 ORDER BY n.granted - n.used DESC LIMIT 1",
				 "tt", u->number, u->hs);

	*line = 0;
	*quantity = 0;
	if (rc == CV_ENOTFOUND) {
		snprintf(why, why_size, "%s %s was not issued by this node", u->type, u->number);
		return CV_EINVAL;
	}
	if (rc)
		return rc;
	unit = store_col_is_null(stmt, 6) ? "" : store_col_text(stmt, 6);
	/* A line counting in kilograms draws the item's net mass. */
	*quantity = !strcmp(unit, u->unit) ? u->quantity : !strcmp(unit, "KGM") ? u->net_mass : -1;
	if (strcmp(store_col_text(stmt, 0), "issued"))
		snprintf(why, why_size, "%s is %s, not issued", u->number, store_col_text(stmt, 0));
	else if (strcmp(store_col_text(stmt, 1), u->type))
		snprintf(why, why_size, "%s is a %s, not a %s", u->number, store_col_text(stmt, 1),
			 u->type);
	else if (u->operator_id && strcmp(store_col_text(stmt, 2), u->operator_id))
		snprintf(why, why_size, "%s was issued to another operator", u->number);
	else if (strcmp(u->date, store_col_text(stmt, 3)) < 0 ||
		 strcmp(u->date, store_col_text(stmt, 4)) > 0)
		snprintf(why, why_size, "%s is valid from %s to %s, not on %s", u->number,
			 store_col_text(stmt, 3), store_col_text(stmt, 4), u->date);
	else if (store_col_is_null(stmt, 5))
		snprintf(why, why_size, "%s does not cover HS %s", u->number, u->hs);
	else if (*quantity < 0)
		snprintf(why, why_size, "%s counts in %s, the item in %s", u->number, unit, u->unit);
	else if (store_col_double(stmt, 7) < *quantity)
		snprintf(why, why_size, "%s has a balance of %g %s for HS %s, the item needs %g",
			 u->number, store_col_double(stmt, 7), unit, store_col_text(stmt, 8),
			 *quantity);
	else
		*line = (int)store_col_int64(stmt, 5);
	store_finish(stmt);
	return *line ? CV_OK : CV_EINVAL;
}

int trade_lpco_draw(struct store_conn *conn, const char *number, int line,
		    const char *declaration_id, int item, double quantity, const char *at,
		    struct cv_error *err)
{
	struct store_stmt *stmt;
	char id[CV_UUID_STR];
	int64_t changed = 0;
	int rc = store_query_row(conn, &stmt, "SELECT id FROM lpcos WHERE number = $1", "t", number);

	if (rc)
		return rc;
	snprintf(id, sizeof(id), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	/* Check and decrement in one statement: a second drawer sees the first one's use. */
	rc = store_execf(conn, &changed,
			 "UPDATE lpco_lines SET used = used + $3"
			 " WHERE lpco_id = $1 AND line = $2 AND granted - used >= $3",
			 "tid", id, (int64_t)line, quantity);
	if (!rc && changed != 1)
		return cv_error_set(err, CV_ECONFLICT, "quantity",
				    "%s line %d has less than %g left", number, line, quantity);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO lpco_uses (lpco_id, line, declaration_id, item, quantity,"
				 " used_at) VALUES ($1, $2, $3, $4, $5, $6)",
				 "titidt", id, (int64_t)line, declaration_id, (int64_t)item,
				 quantity, at);
	return rc;
}
