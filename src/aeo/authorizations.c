/*
 * authorizations.c — the authorization state machine (see authorizations.h).
 * The table `changes` is the whole lifecycle after the grant.
 */
#include "aeo/authorizations.h"

#include "aeo/operators.h"
#include "aeo/policy.h"

#include <stdio.h>
#include <string.h>

#define MAX_FROM 2
#define MAX_GROUNDS 3

struct change_rule {
	const char *action;
	const char *to;
	const char *from[MAX_FROM];
	const char *grounds[MAX_GROUNDS]; /* empty: no ground taken */
	int needs_reason;
};

static const struct change_rule rules[] = {
	{"suspend",
	 "suspended",
	 {"valid"},
	 {"conditions_not_met", "revocation_grounds_under_investigation", "holder_request"},
	 1},
	{"lift", "valid", {"suspended"}, {NULL}, 1},
	{"revoke",
	 "revoked",
	 {"valid", "suspended"},
	 {"for_cause", "unremedied_suspension", "holder_request"},
	 1},
	{"expire", "expired", {"valid", "suspended"}, {NULL}, 0},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int rule_allows(const struct change_rule *r, const char *status)
{
	for (int i = 0; i < MAX_FROM && r->from[i]; i++)
		if (!strcmp(r->from[i], status))
			return 1;
	return 0;
}

static const char *allowed(const char *status, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NRULES; i++) {
		int n;
		if (!rule_allows(&rules[i], status))
			continue;
		n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", rules[i].action);
		if (n > 0 && (size_t)n < size - used)
			used += (size_t)n;
	}
	if (!used)
		snprintf(out, size, "none (the authorization has ended)");
	return out;
}

static int ground_ok(const struct change_rule *r, const char *ground, char *list, size_t size)
{
	size_t used = 0;
	int ok = 0;

	list[0] = '\0';
	for (int i = 0; i < MAX_GROUNDS && r->grounds[i]; i++) {
		int n = snprintf(list + used, size - used, "%s%s", used ? ", " : "", r->grounds[i]);
		if (n > 0 && (size_t)n < size - used)
			used += (size_t)n;
		ok |= ground && !strcmp(ground, r->grounds[i]);
	}
	return r->grounds[0] ? ok : !ground || !*ground;
}

static int record(struct store_conn *conn, const struct aeo_context *ctx, const char *id,
		  const char *action, const char *from, const char *to, const char *ground,
		  const char *reason, const char *actor)
{
	char event_id[CV_UUID_STR], at[CV_RFC3339_MAX];

	cv_uuid7(event_id);
	cv_clock_format_rfc3339(ctx->now_ms, at, sizeof(at));
	return store_execf(conn, NULL,
			   "INSERT INTO aeo_authorization_events (id, authorization_id, action, from_status,"
			   " to_status, ground, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			   "ttttttttt", event_id, id, action, from, to, ground ? ground : "",
			   reason ? reason : "", actor, at);
}

/* Open a suspension, or close the open one with an outcome. */
static int apply_suspension(struct store_conn *conn, const struct aeo_context *ctx, const char *id,
			    const struct aeo_authorization_change *c, const char *to,
			    struct cv_error *err)
{
	char now[CV_RFC3339_MAX], today[CV_DATE_MAX], until[CV_DATE_MAX], sid[CV_UUID_STR];
	int days = c->remedy_days, rc = CV_OK;

	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	cv_date_from_ms(ctx->now_ms, today);
	if (!strcmp(c->action, "suspend")) {
		if (!days)
			rc = aeo_policy_int(conn, "remedy_days", &days);
		if (!rc && (days < 1 || days > 365))
			return cv_error_set(err, CV_EINVAL, "remedy_days",
					    "remedy_days must be from 1 to 365");
		if (!rc)
			rc = cv_date_add_days(today, days, until);
		cv_uuid7(sid);
		if (!rc)
			rc = store_execf(conn, NULL,
					 "INSERT INTO aeo_suspensions (id, authorization_id, ground, reason, remedy_until,"
					 " started_at) VALUES ($1, $2, $3, $4, $5, $6)",
					 "tttttt", sid, id, c->ground, c->reason, until, now);
		return rc;
	}
	/* lift, revoke or expire end an open suspension, if any. */
	return store_execf(conn, NULL,
			   "UPDATE aeo_suspensions SET ended_at = $2, outcome = $3"
			   " WHERE authorization_id = $1 AND ended_at IS NULL",
			   "ttt", id, now, !strcmp(to, "valid") ? "lifted" : to);
}

int aeo_authorization_change(struct store_conn *conn, const struct aeo_context *ctx,
			     const struct auth_principal *actor, const char *id,
			     const struct aeo_authorization_change *c,
			     struct aeo_authorization *out, struct cv_error *err)
{
	const struct change_rule *r = NULL;
	char list[256], now[CV_RFC3339_MAX], effective[CV_DATE_MAX], from[12];
	int64_t day;
	int rc;

	for (size_t i = 0; c->action && i < NRULES; i++)
		if (!strcmp(rules[i].action, c->action))
			r = &rules[i];
	if (!r)
		return cv_error_set(err, CV_EINVAL, "action",
				    "action must be suspend, lift, revoke or expire");
	rc = aeo_authorization_get(conn, id, out);
	if (rc == CV_ENOTFOUND || (rc == CV_OK && !aeo_operator_visible(actor, out->operator_id)))
		return cv_error_set(err, CV_ENOTFOUND, "id", "no such authorization");
	if (rc)
		return rc;
	if (actor->user.role != ROLE_AEO_OFFICER)
		return cv_error_set(err, CV_EPERM, "action",
				    "only the customs AEO unit may %s an authorization", r->action);
	if (!rule_allows(r, out->status))
		return cv_error_set(err, CV_ECONFLICT, "action",
				    "cannot %s an authorization that is %s; allowed from %s: %s",
				    r->action, out->status, out->status,
				    allowed(out->status, list, sizeof(list)));
	if (!ground_ok(r, c->ground, list, sizeof(list)))
		return cv_error_set(err, CV_EINVAL, "ground",
				    r->grounds[0] ? "%s needs a ground: %s" : "%s takes no ground%s",
				    r->action, list);
	if (r->needs_reason && (!c->reason || !*c->reason))
		return cv_error_set(err, CV_EINVAL, "reason",
				    "%s needs a reason the holder will see", r->action);
	if (c->remedy_days && strcmp(r->action, "suspend"))
		return cv_error_set(err, CV_EINVAL, "remedy_days",
				    "only a suspension has a remedy period");
	cv_date_from_ms(ctx->now_ms, effective);
	if (c->effective_on) {
		int64_t today_day;
		cv_date_parse(effective, &today_day);
		/* Not in the future (the status changes now), and at most a year back. */
		if (strcmp(r->action, "revoke") || cv_date_parse(c->effective_on, &day) ||
		    day > today_day || day < today_day - 365)
			return cv_error_set(err, CV_EINVAL, "effective_on",
					    "effective_on is a date (YYYY-MM-DD) within the last year, "
					    "for revoke only");
		copy(effective, sizeof(effective), c->effective_on);
	}
	copy(from, sizeof(from), out->status);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "UPDATE aeo_authorizations SET status = $2, status_changed_at = $3,"
			 " revocation_ground = CASE WHEN $2 = 'revoked' THEN $4 ELSE revocation_ground END,"
			 " revoked_on = CASE WHEN $2 = 'revoked' THEN $5 ELSE revoked_on END WHERE id = $1",
			 "ttttt", out->id, r->to, now, c->ground ? c->ground : "", effective);
	if (!rc)
		rc = apply_suspension(conn, ctx, out->id, c, r->to, err);
	if (!rc)
		rc = record(conn, ctx, out->id, r->action, from, r->to, c->ground, c->reason,
			    actor->user.username);
	if (rc && err && !err->message[0])
		cv_error_set(err, rc, NULL, "cannot %s: %s", r->action, store_errmsg(conn));
	return rc ? rc : aeo_authorization_get(conn, out->id, out);
}

int aeo_authorization_measures(struct store_conn *conn, const struct aeo_context *ctx,
			       const struct auth_principal *actor, const char *id,
			       const char *measures, struct cv_error *err)
{
	struct aeo_authorization z;
	char now[CV_RFC3339_MAX];
	int64_t changed = 0;
	int rc = aeo_authorization_get(conn, id, &z);

	if (rc == CV_ENOTFOUND || (rc == CV_OK && !aeo_operator_visible(actor, z.operator_id)))
		return cv_error_set(err, CV_ENOTFOUND, "id", "no such authorization");
	if (rc)
		return rc;
	if (actor->user.role != ROLE_TRADER)
		return cv_error_set(err, CV_EPERM, "measures", "the holder states its measures");
	if (!measures || !*measures || strlen(measures) > 4 * AEO_REASON_MAX)
		return cv_error_set(err, CV_EINVAL, "measures",
				    "measures: what the holder does to remedy, and by when");
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, &changed,
			 "UPDATE aeo_suspensions SET measures = $2, measures_at = $3"
			 " WHERE authorization_id = $1 AND ended_at IS NULL",
			 "ttt", z.id, measures, now);
	if (!rc && !changed)
		return cv_error_set(err, CV_ECONFLICT, "measures",
				    "the authorization is %s, not suspended", z.status);
	if (!rc)
		rc = record(conn, ctx, z.id, "measures", z.status, z.status, NULL, measures,
			    actor->user.username);
	return rc;
}

static json_t *benefits_json(struct store_conn *conn, const char *type)
{
	struct store_stmt *stmt;
	json_t *list = json_array();

	if (store_prepare(conn,
			  "SELECT code, name, description, types FROM aeo_benefits ORDER BY position",
			  &stmt))
		return list;
	while (store_step(stmt) == STORE_ROW)
		if (strstr(store_col_text(stmt, 3), type))
			json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "code",
							      store_col_text(stmt, 0), "name",
							      store_col_text(stmt, 1), "description",
							      store_col_text(stmt, 2)));
	store_finish(stmt);
	return list;
}

int aeo_authorization_json(struct store_conn *conn, const struct aeo_authorization *z, json_t **out)
{
	struct store_stmt *stmt = NULL;
	json_t *timeline = json_array(), *suspension = json_null();
	int rc;

	rc = store_prepare(conn,
			   "SELECT action, from_status, to_status, ground, reason, actor, at FROM aeo_authorization_events"
			   " WHERE authorization_id = $1 ORDER BY at, id",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "t", z->id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(timeline, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
							  "action", store_col_text(stmt, 0),
							  "from_status", store_col_text(stmt, 1),
							  "to_status", store_col_text(stmt, 2),
							  "ground", store_col_text(stmt, 3),
							  "reason", store_col_text(stmt, 4),
							  "actor", store_col_text(stmt, 5), "at",
							  store_col_text(stmt, 6)));
		rc = CV_OK;
	}
	store_finish(stmt);
	stmt = NULL;
	if (rc >= 0)
		rc = store_prepare(conn,
				   "SELECT ground, reason, remedy_until, measures, started_at FROM aeo_suspensions"
				   " WHERE authorization_id = $1 AND ended_at IS NULL",
				   &stmt);
	if (rc >= 0 && !store_bindf(stmt, "t", z->id) && store_step(stmt) == STORE_ROW) {
		json_decref(suspension);
		suspension = json_pack("{s:s, s:s, s:s, s:s, s:s}", "ground",
				       store_col_text(stmt, 0), "reason", store_col_text(stmt, 1),
				       "remedy_until", store_col_text(stmt, 2), "measures",
				       store_col_text(stmt, 3), "since", store_col_text(stmt, 4));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(timeline);
		json_decref(suspension);
		return rc;
	}
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:o, s:o, s:o}", "id",
			 z->id, "number", z->number, "operator_id", z->operator_id,
			 "application_id", z->application_id, "type", z->type, "status", z->status,
			 "consent_mra", z->consent_mra, "valid_from", z->valid_from,
			 "revalidation_due", z->revalidation_due, "status_changed_at",
			 z->status_changed_at, "benefits", benefits_json(conn, z->type),
			 "suspension", suspension, "timeline", timeline);
	return *out ? CV_OK : CV_ENOMEM;
}

int aeo_authorization_list_json(struct store_conn *conn, const char *operator_id,
				const char *status, const char *after, int limit, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT z.id, z.number, z.operator_id, o.name, z.type, z.status, z.valid_from,"
			       " z.revalidation_due, z.status_changed_at FROM aeo_authorizations z"
			       " JOIN operators o ON o.id = z.operator_id"
			       " WHERE ($1 = '' OR z.operator_id = $1) AND ($2 = '' OR z.status = $2)"
			       " AND ($3 = '' OR z.id < $3) ORDER BY z.id DESC LIMIT $4",
			       &stmt);

	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "ttti", operator_id, status, after, (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(*out,
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
						"id", store_col_text(stmt, 0), "number",
						store_col_text(stmt, 1), "operator_id",
						store_col_text(stmt, 2), "operator_name",
						store_col_text(stmt, 3), "type",
						store_col_text(stmt, 4), "status",
						store_col_text(stmt, 5), "valid_from",
						store_col_text(stmt, 6), "revalidation_due",
						store_col_text(stmt, 7), "status_changed_at",
						store_col_text(stmt, 8)));
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int aeo_authorization_worklist_json(struct store_conn *conn, const char *today, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT z.id, z.number, o.name, s.ground, s.remedy_until, s.measures"
			       " FROM aeo_suspensions s JOIN aeo_authorizations z ON z.id = s.authorization_id"
			       " JOIN operators o ON o.id = z.operator_id"
			       " WHERE s.ended_at IS NULL AND s.remedy_until < $1 ORDER BY s.remedy_until, z.id",
			       &stmt);

	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "t", today);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id",
						      store_col_text(stmt, 0), "number",
						      store_col_text(stmt, 1), "operator_name",
						      store_col_text(stmt, 2), "ground",
						      store_col_text(stmt, 3), "remedy_until",
						      store_col_text(stmt, 4), "measures",
						      store_col_text(stmt, 5)));
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int aeo_authorization_public_json(struct store_conn *conn, const char *number, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT z.number, o.name, o.country, z.type, z.status, z.valid_from, z.status_changed_at"
			       " FROM aeo_authorizations z JOIN operators o ON o.id = z.operator_id WHERE z.number = $1",
			       &stmt);

	*out = NULL;
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", number);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "number",
				 store_col_text(stmt, 0), "operator_name", store_col_text(stmt, 1),
				 "country", store_col_text(stmt, 2), "type",
				 store_col_text(stmt, 3), "status", store_col_text(stmt, 4),
				 "valid_from", store_col_text(stmt, 5), "status_changed_at",
				 store_col_text(stmt, 6));
		rc = *out ? CV_OK : CV_ENOMEM;
	} else if (rc == STORE_DONE) {
		rc = CV_ENOTFOUND;
	}
	store_finish(stmt);
	return rc;
}
