/* audits.c — see audits.h. */
#include "aeo/audits.h"

#include "aeo/policy.h"

#include <stdio.h>
#include <string.h>

#define FINDINGS_MAX 16000

int aeo_audit_schedule(struct store_conn *conn, const struct aeo_context *ctx,
		       const struct auth_principal *actor, const char *authorization_id,
		       const char *kind, const char *planned_on, const char *reason,
		       char id[CV_UUID_STR], struct cv_error *err)
{
	struct aeo_authorization z;
	struct store_stmt *stmt;
	char now[CV_RFC3339_MAX];
	int64_t day;
	int open = 0, rc;

	if (actor->user.role != ROLE_AEO_OFFICER)
		return cv_error_set(err, CV_EPERM, NULL,
				    "only the customs AEO unit schedules audits");
	rc = aeo_authorization_get(conn, authorization_id, &z);
	if (rc)
		return cv_error_set(err, rc, "id", "no such authorization");
	if (strcmp(z.status, "valid") && strcmp(z.status, "suspended"))
		return cv_error_set(err, CV_ECONFLICT, "id",
				    "the authorization is %s: there is nothing to audit", z.status);
	if (!kind ||
	    (strcmp(kind, "periodic") && strcmp(kind, "triggered") && strcmp(kind, "revalidation")))
		return cv_error_set(err, CV_EINVAL, "kind",
				    "kind must be periodic, triggered or revalidation");
	if (!planned_on || cv_date_parse(planned_on, &day))
		return cv_error_set(err, CV_EINVAL, "planned_on",
				    "planned_on is a date (YYYY-MM-DD)");
	if (!reason || !*reason || strlen(reason) > 2000)
		return cv_error_set(err, CV_EINVAL, "reason",
				    "say why the audit is scheduled (at most 2000 bytes)");
	rc = store_prepare(conn,
			   "SELECT COUNT(*) FROM aeo_audits WHERE authorization_id = $1 AND status = 'planned'",
			   &stmt);
	if (!rc) {
		rc = store_bindf(stmt, "t", z.id);
		if (!rc && store_step(stmt) == STORE_ROW)
			open = (int)store_col_int64(stmt, 0);
		store_finish(stmt);
	}
	if (!rc && open)
		return cv_error_set(err, CV_ECONFLICT, "id", "an audit of %s is already planned",
				    z.number);
	cv_uuid7(id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO aeo_audits (id, authorization_id, kind, reason, planned_on, status,"
				 " scheduled_by, created_at) VALUES ($1, $2, $3, $4, $5, 'planned', $6, $7)",
				 "ttttttt", id, z.id, kind, reason, planned_on,
				 actor->user.username, now);
	return rc;
}

int aeo_audit_close(struct store_conn *conn, const struct aeo_context *ctx,
		    const struct auth_principal *actor, const char *authorization_id,
		    const char *audit_id, const struct aeo_audit_close *c, struct cv_error *err)
{
	struct aeo_authorization z;
	char now[CV_RFC3339_MAX];
	int64_t changed = 0;
	int done, rc;

	if (actor->user.role != ROLE_AEO_OFFICER)
		return cv_error_set(err, CV_EPERM, NULL, "only the customs AEO unit closes audits");
	if (!c->status || (strcmp(c->status, "done") && strcmp(c->status, "cancelled")))
		return cv_error_set(err, CV_EINVAL, "status", "status must be done or cancelled");
	done = !strcmp(c->status, "done");
	if (done && (!c->findings || !*c->findings || strlen(c->findings) > FINDINGS_MAX))
		return cv_error_set(err, CV_EINVAL, "findings",
				    "an audit done needs its findings (at most %d bytes)",
				    FINDINGS_MAX);
	if (done &&
	    (!c->outcome || (strcmp(c->outcome, "maintained") && strcmp(c->outcome, "suspended") &&
			     strcmp(c->outcome, "revoked"))))
		return cv_error_set(err, CV_EINVAL, "outcome",
				    "outcome must be maintained, suspended or revoked");
	if (!done && c->outcome)
		return cv_error_set(err, CV_EINVAL, "outcome", "a cancelled audit has no outcome");
	rc = aeo_authorization_get(conn, authorization_id, &z);
	if (rc)
		return cv_error_set(err, rc, "id", "no such authorization");
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, &changed,
			 "UPDATE aeo_audits SET status = $3, findings = $4, outcome = $5, closed_by = $6, closed_at = $7"
			 " WHERE id = $1 AND authorization_id = $2 AND status = 'planned'",
			 "ttttttt", audit_id, z.id, c->status, c->findings ? c->findings : "",
			 done ? c->outcome : NULL, actor->user.username, now);
	if (!rc && !changed)
		return cv_error_set(err, CV_ENOTFOUND, "audit",
				    "no planned audit with this id on %s", z.number);
	if (!rc && done && strcmp(c->outcome, "maintained")) {
		/* The outcome acts on the authorization, with its own rules (grounds, allowed states). */
		struct aeo_authorization_change change = {
			.action = !strcmp(c->outcome, "suspended") ? "suspend" : "revoke",
			.ground = c->ground,
			.reason = c->reason,
		};
		rc = aeo_authorization_change(conn, ctx, actor, z.id, &change, &z, err);
	}
	return rc;
}

int aeo_audits_json(struct store_conn *conn, const char *authorization_id, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT id, kind, reason, planned_on, status, findings, COALESCE(outcome, ''),"
			       " scheduled_by, COALESCE(closed_by, ''), created_at, COALESCE(closed_at, '')"
			       " FROM aeo_audits WHERE authorization_id = $1 ORDER BY id DESC",
			       &stmt);

	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "t", authorization_id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
				      store_col_text(stmt, 0), "kind", store_col_text(stmt, 1),
				      "reason", store_col_text(stmt, 2), "planned_on",
				      store_col_text(stmt, 3), "status", store_col_text(stmt, 4),
				      "findings", store_col_text(stmt, 5), "scheduled_by",
				      store_col_text(stmt, 7), "created_at",
				      store_col_text(stmt, 9));
		const char *outcome = store_col_text(stmt, 6), *closed_at = store_col_text(stmt, 10);
		json_object_set_new(a, "outcome", *outcome ? json_string(outcome) : json_null());
		json_object_set_new(a, "closed_at",
				    *closed_at ? json_string(closed_at) : json_null());
		json_array_append_new(*out, a);
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int aeo_monitoring_json(struct store_conn *conn, const char *today, json_t **out)
{
	char soon[CV_DATE_MAX], since[CV_DATE_MAX];
	struct store_stmt *stmt;
	int reval_days, audit_months, grade_a, rc;

	rc = aeo_policy_int(conn, "monitoring_revalidation_days", &reval_days);
	if (!rc)
		rc = aeo_policy_int(conn, "monitoring_audit_months", &audit_months);
	if (!rc)
		rc = aeo_policy_int(conn, "grade_a", &grade_a);
	if (!rc)
		rc = cv_date_add_days(today, reval_days, soon);
	if (!rc)
		rc = cv_date_add_days(today, -(int)(audit_months * 30.44), since);
	if (!rc)
		rc = store_prepare(conn,
				   "SELECT z.id, z.number, o.name, z.type, z.status, z.revalidation_due, s.score,"
				   " (SELECT MAX(closed_at) FROM aeo_audits a WHERE a.authorization_id = z.id"
				   "  AND a.status = 'done') AS last_audit, z.valid_from"
				   " FROM aeo_authorizations z JOIN operators o ON o.id = z.operator_id"
				   " LEFT JOIN scoresheets s ON s.operator_id = z.operator_id"
				   " WHERE z.status IN ('valid', 'suspended') AND NOT EXISTS ("
				   "  SELECT 1 FROM aeo_audits a WHERE a.authorization_id = z.id AND a.status = 'planned')"
				   " ORDER BY z.number",
				   &stmt);
	if (rc)
		return rc;
	*out = json_array();
	while ((rc = store_step(stmt)) == STORE_ROW) {
		json_t *reasons = json_array();
		const char *due = store_col_text(stmt, 5), *last = store_col_text(stmt, 7);
		char text[160];

		if (!store_col_is_null(stmt, 6) && store_col_double(stmt, 6) < grade_a) {
			snprintf(text, sizeof(text), "compliance score %.1f is below grade A (%d)",
				 store_col_double(stmt, 6), grade_a);
			json_array_append_new(reasons, json_pack("{s:s, s:s}", "kind", "triggered",
								 "reason", text));
		}
		if (strcmp(due, soon) <= 0) {
			snprintf(text, sizeof(text), "revalidation due on %s", due);
			json_array_append_new(reasons, json_pack("{s:s, s:s}", "kind",
								 "revalidation", "reason", text));
		}
		/* Never audited counts from the grant: a fresh authorization is not overdue. */
		if (last && strncmp(last, since, 10) < 0) {
			snprintf(text, sizeof(text), "no audit completed since %.10s", last);
			json_array_append_new(reasons, json_pack("{s:s, s:s}", "kind", "periodic",
								 "reason", text));
		} else if (!last && strcmp(store_col_text(stmt, 8), since) < 0) {
			snprintf(text, sizeof(text), "never audited since the grant on %s",
				 store_col_text(stmt, 8));
			json_array_append_new(reasons, json_pack("{s:s, s:s}", "kind", "periodic",
								 "reason", text));
		}
		if (json_array_size(reasons))
			json_array_append_new(*out,
					      json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id",
							store_col_text(stmt, 0), "number",
							store_col_text(stmt, 1), "operator_name",
							store_col_text(stmt, 2), "type",
							store_col_text(stmt, 3), "status",
							store_col_text(stmt, 4), "reasons", reasons));
		else
			json_decref(reasons);
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}
