/*
 * applications.c — the AEO application state machine (see applications.h).
 *
 * The table `transitions` below is the whole lifecycle: to change who may do
 * what from which state, change a row. The functions around it only load
 * the application, find the row, apply the clock rules of the action, and
 * record the event.
 */
#include "aeo/applications.h"

#include "aeo/operators.h"
#include "aeo/policy.h"
#include "aeo/saq.h"
#include "aeo/validation.h"

#include <stdio.h>
#include <string.h>

enum side { APPLICANT, CUSTOMS };

#define MAX_FROM 6

struct transition {
	const char *action;
	const char *to;
	enum side side;
	int needs_reason;
	const char *from[MAX_FROM]; /* NULL-terminated when shorter */
};

static const struct transition transitions[] = {
	{"submit", "submitted", APPLICANT, 0, {"draft"}},
	{"accept", "accepted", CUSTOMS, 0, {"submitted"}},
	{"reject_incomplete", "rejected_incomplete", CUSTOMS, 1, {"submitted"}},
	{"start_review", "under_review", CUSTOMS, 0, {"accepted"}},
	{"plan_validation", "validation_planned", CUSTOMS, 0, {"under_review"}},
	{"validate", "validated", CUSTOMS, 0, {"validation_planned"}},
	{"authorize", "authorized", CUSTOMS, 0, {"validated"}},
	{"refuse", "refused", CUSTOMS, 1, {"validated"}},
	{"withdraw",
	 "withdrawn",
	 APPLICANT,
	 0,
	 {"draft", "submitted", "accepted", "under_review", "validation_planned", "validated"}},
};

#define NTRANSITIONS (sizeof(transitions) / sizeof(transitions[0]))
#define COLUMNS                                                                                    \
	"id, operator_id, type, state, consent_mra, COALESCE(submitted_at, ''),"                   \
	" COALESCE(accept_due, ''), COALESCE(accepted_at, ''), COALESCE(decision_due, ''),"        \
	" extension_days, COALESCE(extension_reason, ''), COALESCE(decided_at, ''), created_at,"   \
	" updated_at, saq_template, saq_version, saq_variant"
/* States from which a transition still leads somewhere: the application is open. */
#define OPEN_STATES                                                                                \
	"('draft', 'submitted', 'accepted', 'under_review', 'validation_planned', 'validated')"

int aeo_type_valid(const char *type)
{
	return type && (strcmp(type, "AEOC") == 0 || strcmp(type, "AEOS") == 0 ||
			strcmp(type, "AEOF") == 0);
}

static int allowed_from(const struct transition *t, const char *state)
{
	for (int i = 0; i < MAX_FROM && t->from[i]; i++)
		if (strcmp(t->from[i], state) == 0)
			return 1;
	return 0;
}

static int side_of(const struct auth_principal *actor);

const char *aeo_application_allowed(const char *state, const struct auth_principal *actor,
				    char *out, size_t size)
{
	size_t used = 0;
	int any = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NTRANSITIONS; i++) {
		if (!allowed_from(&transitions[i], state))
			continue;
		any = 1;
		if (actor && side_of(actor) != (int)transitions[i].side)
			continue;
		int n = snprintf(out + used, size - used, "%s%s", used ? ", " : "",
				 transitions[i].action);
		if (n > 0 && (size_t)n < size - used)
			used += (size_t)n;
	}
	if (!any)
		snprintf(out, size, "none (the application is closed)");
	return out;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void read_application(struct store_stmt *stmt, struct aeo_application *a)
{
	copy(a->id, sizeof(a->id), store_col_text(stmt, 0));
	copy(a->operator_id, sizeof(a->operator_id), store_col_text(stmt, 1));
	copy(a->type, sizeof(a->type), store_col_text(stmt, 2));
	copy(a->state, sizeof(a->state), store_col_text(stmt, 3));
	a->consent_mra = (int)store_col_int64(stmt, 4);
	copy(a->submitted_at, sizeof(a->submitted_at), store_col_text(stmt, 5));
	copy(a->accept_due, sizeof(a->accept_due), store_col_text(stmt, 6));
	copy(a->accepted_at, sizeof(a->accepted_at), store_col_text(stmt, 7));
	copy(a->decision_due, sizeof(a->decision_due), store_col_text(stmt, 8));
	a->extension_days = (int)store_col_int64(stmt, 9);
	copy(a->extension_reason, sizeof(a->extension_reason), store_col_text(stmt, 10));
	copy(a->decided_at, sizeof(a->decided_at), store_col_text(stmt, 11));
	copy(a->created_at, sizeof(a->created_at), store_col_text(stmt, 12));
	copy(a->updated_at, sizeof(a->updated_at), store_col_text(stmt, 13));
	copy(a->saq_template, sizeof(a->saq_template), store_col_text(stmt, 14));
	copy(a->saq_version, sizeof(a->saq_version), store_col_text(stmt, 15));
	copy(a->saq_variant, sizeof(a->saq_variant), store_col_text(stmt, 16));
}

int aeo_application_get(struct store_conn *conn, const char *id, struct aeo_application *out)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT " COLUMNS " FROM aeo_applications WHERE id = $1", "t", id);

	if (rc)
		return rc;
	read_application(stmt, out);
	store_finish(stmt);
	return CV_OK;
}

static int record_event(struct store_conn *conn, const struct aeo_context *ctx, const char *id,
			const char *action, const char *from, const char *to,
			const struct auth_principal *actor, const char *reason)
{
	char event_id[CV_UUID_STR], at[CV_RFC3339_MAX];

	cv_uuid7(event_id);
	cv_clock_format_rfc3339(ctx->now_ms, at, sizeof(at));
	return store_execf(conn, NULL,
			   "INSERT INTO aeo_application_events (id, application_id, action, from_state,"
			   " to_state, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			   "tttttttt", event_id, id, action, from, to, actor->user.username,
			   reason ? reason : "", at);
}

/*
 * The reapplication bar: after a revocation, no application until
 * reapplication_bar_years have passed. *until receives the end date.
 */
static int reapplication_barred(struct store_conn *conn, const struct aeo_context *ctx,
				const char *operator_id, char until[CV_DATE_MAX], int *barred)
{
	struct store_stmt *stmt;
	char today[CV_DATE_MAX], revoked[CV_DATE_MAX];
	int years, rc = aeo_policy_int(conn, "reapplication_bar_years", &years);

	*barred = 0;
	if (rc)
		return rc;
	rc = store_prepare(conn,
			   "SELECT MAX(COALESCE(revoked_on, SUBSTR(status_changed_at, 1, 10)))"
			   " FROM aeo_authorizations WHERE operator_id = $1 AND status = 'revoked'"
			   " AND revocation_ground <> 'holder_request'",
			   &stmt);
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", operator_id);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW && !store_col_is_null(stmt, 0)) {
		snprintf(revoked, sizeof(revoked), "%.10s", store_col_text(stmt, 0));
		cv_date_from_ms(ctx->now_ms, today);
		rc = cv_date_add_years(revoked, years, until);
		*barred = rc == CV_OK && strcmp(today, until) < 0;
	} else if (rc == STORE_ROW || rc == STORE_DONE) {
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc;
}

static int count_open(struct store_conn *conn, const char *operator_id, const char *type, int *open)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT COUNT(*) FROM aeo_applications WHERE operator_id = $1 AND type = $2"
			       " AND state IN " OPEN_STATES,
			       &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "tt", operator_id, type);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		*open = (int)store_col_int64(stmt, 0);
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc;
}

/* Authorizations of this type the operator holds now (valid or suspended). */
static int count_held(struct store_conn *conn, const char *operator_id, const char *type, int *held)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT COUNT(*) FROM aeo_authorizations WHERE operator_id = $1 AND type = $2"
				 " AND status IN ('valid', 'suspended')",
				 "tt", operator_id, type);

	if (rc)
		return rc;
	*held = (int)store_col_int64(stmt, 0);
	store_finish(stmt);
	return CV_OK;
}

int aeo_application_create(struct store_conn *conn, const struct aeo_context *ctx,
			   const struct auth_principal *actor, const char *operator_id,
			   const char *type, int consent_mra, struct aeo_application *out,
			   struct cv_error *err)
{
	struct aeo_operator op;
	char until[CV_DATE_MAX], now[CV_RFC3339_MAX], version[32];
	int barred = 0, open_count = 0, held = 0, rc;

	if (!aeo_type_valid(type))
		return cv_error_set(err, CV_EINVAL, "type", "type must be AEOC, AEOS or AEOF");
	if (aeo_operator_get(conn, operator_id, &op) != CV_OK || !aeo_operator_visible(actor, op.id))
		return cv_error_set(err, CV_ENOTFOUND, "operator_id", "no such operator");
	rc = reapplication_barred(conn, ctx, op.id, until, &barred);
	if (!rc && barred)
		return cv_error_set(err, CV_ECONFLICT, "operator_id",
				    "the operator's authorization was revoked: no new application is "
				    "accepted before %s",
				    until);
	if (!rc)
		rc = count_open(conn, op.id, type, &open_count);
	if (!rc && open_count)
		return cv_error_set(err, CV_ECONFLICT, "type",
				    "the operator already has an open %s application", type);
	if (!rc)
		rc = count_held(conn, op.id, type, &held);
	if (!rc && held)
		return cv_error_set(err, CV_ECONFLICT, "type",
				    "the operator already holds a valid or suspended %s authorization",
				    type);
	if (rc)
		return cv_error_set(err, rc, NULL, "%s", store_errmsg(conn));
	/* The application locks the questionnaire version it starts on. */
	if (aeo_saq_latest(conn, SAQ_DEFAULT_TEMPLATE, version, sizeof(version)) != CV_OK)
		return cv_error_set(err, CV_EINTERNAL, NULL,
				    "no self-assessment questionnaire is loaded: run caravan init");
	memset(out, 0, sizeof(*out));
	cv_uuid7(out->id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO aeo_applications (id, operator_id, type, state, consent_mra,"
			 " created_by, created_at, updated_at, saq_template, saq_version, saq_variant)"
			 " VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6, $7, $8, $9)",
			 "tttitttt"
			 "t",
			 out->id, op.id, type, (int64_t)(consent_mra != 0), actor->user.username,
			 now, SAQ_DEFAULT_TEMPLATE, version, aeo_saq_variant(op.sme, op.ecommerce));
	if (!rc)
		rc = record_event(conn, ctx, out->id, "create", NULL, "draft", actor, NULL);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot create the application: %s",
				    store_errmsg(conn));
	return aeo_application_get(conn, out->id, out);
}

/* Build the authorization number from the policy's format. */
static int make_number(struct store_conn *conn, const struct aeo_context *ctx, const char *type,
		       char *out, size_t size)
{
	char format[128];
	struct store_stmt *stmt;
	int64_t serial = 0;
	size_t used = 0;
	int rc = aeo_policy_text(conn, "authorization_number_format", format, sizeof(format));

	if (rc)
		return rc;
	rc = store_prepare(conn,
			   "UPDATE aeo_serials SET last = last + 1 WHERE type = $1 RETURNING last",
			   &stmt);
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", type);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW)
		serial = store_col_int64(stmt, 0);
	store_finish(stmt);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : CV_EINTERNAL;
	for (const char *p = format; *p && used + 1 < size;) {
		int n = 0, width;
		if (strncmp(p, "{CC}", 4) == 0) {
			n = snprintf(out + used, size - used, "%s", ctx->node_country);
			p += 4;
		} else if (strncmp(p, "{T}", 3) == 0) {
			n = snprintf(out + used, size - used, "%c", type[3]);
			p += 3;
		} else if (sscanf(p, "{SERIAL%d}", &width) == 1 && width > 0 && width < 20 &&
			   strchr(p, '}')) {
			n = snprintf(out + used, size - used, "%0*lld", width, (long long)serial);
			p = strchr(p, '}') + 1;
		} else {
			out[used] = *p++;
			n = 1;
		}
		if (n < 0 || (size_t)n >= size - used)
			return CV_EINTERNAL;
		used += (size_t)n;
		out[used] = '\0';
	}
	return CV_OK;
}

static int create_authorization(struct store_conn *conn, const struct aeo_context *ctx,
				const struct aeo_application *app, struct aeo_authorization *out)
{
	char now[CV_RFC3339_MAX];
	int years, rc;

	memset(out, 0, sizeof(*out));
	rc = aeo_policy_int(conn, "revalidation_years", &years);
	if (!rc)
		rc = make_number(conn, ctx, app->type, out->number, sizeof(out->number));
	if (rc)
		return rc;
	cv_uuid7(out->id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	cv_date_from_ms(ctx->now_ms, out->valid_from);
	cv_date_add_years(out->valid_from, years, out->revalidation_due);
	copy(out->operator_id, sizeof(out->operator_id), app->operator_id);
	copy(out->application_id, sizeof(out->application_id), app->id);
	copy(out->type, sizeof(out->type), app->type);
	copy(out->status, sizeof(out->status), "valid");
	copy(out->status_changed_at, sizeof(out->status_changed_at), now);
	out->consent_mra = app->consent_mra;
	return store_execf(conn, NULL,
			   "INSERT INTO aeo_authorizations (id, number, operator_id, application_id, type,"
			   " status, consent_mra, valid_from, revalidation_due, status_changed_at, created_at)"
			   " VALUES ($1, $2, $3, $4, $5, 'valid', $6, $7, $8, $9, $9)",
			   "tttttittt", out->id, out->number, out->operator_id, out->application_id,
			   out->type, (int64_t)out->consent_mra, out->valid_from,
			   out->revalidation_due, now);
}

static const struct transition *find_transition(const char *action)
{
	for (size_t i = 0; i < NTRANSITIONS; i++)
		if (strcmp(transitions[i].action, action) == 0)
			return &transitions[i];
	return NULL;
}

/* Set the clocks an action starts or stops. */
static int apply_clocks(struct store_conn *conn, const struct aeo_context *ctx,
			const struct transition *t, const char *id)
{
	char now[CV_RFC3339_MAX], today[CV_DATE_MAX], due[CV_DATE_MAX];
	int days, rc = CV_OK;

	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	cv_date_from_ms(ctx->now_ms, today);
	if (strcmp(t->action, "submit") == 0) {
		rc = aeo_policy_int(conn, "accept_days", &days);
		if (!rc)
			rc = cv_date_add_days(today, days, due);
		if (!rc)
			rc = store_execf(conn, NULL,
					 "UPDATE aeo_applications SET submitted_at = $2, accept_due = $3 WHERE id = $1",
					 "ttt", id, now, due);
	} else if (strcmp(t->action, "accept") == 0) {
		rc = aeo_policy_int(conn, "decide_days", &days);
		if (!rc)
			rc = cv_date_add_days(today, days, due);
		if (!rc)
			rc = store_execf(conn, NULL,
					 "UPDATE aeo_applications SET accepted_at = $2, decision_due = $3 WHERE id = $1",
					 "ttt", id, now, due);
	} else if (strcmp(t->action, "reject_incomplete") == 0 ||
		   strcmp(t->action, "authorize") == 0 || strcmp(t->action, "refuse") == 0) {
		rc = store_execf(conn, NULL,
				 "UPDATE aeo_applications SET decided_at = $2 WHERE id = $1", "tt",
				 id, now);
	}
	return rc;
}

/* The side an actor acts for, or -1 when the role takes no part in the lifecycle. */
static int side_of(const struct auth_principal *actor)
{
	if (actor->user.role == ROLE_TRADER)
		return APPLICANT;
	if (actor->user.role == ROLE_AEO_OFFICER)
		return CUSTOMS;
	return -1;
}

int aeo_application_transition(struct store_conn *conn, const struct aeo_context *ctx,
			       const struct auth_principal *actor, const char *id,
			       const char *action, const char *reason, struct aeo_application *out,
			       struct aeo_authorization *authorization, struct cv_error *err)
{
	const struct transition *t = find_transition(action ? action : "");
	struct aeo_authorization auth;
	char allowed[256], now[CV_RFC3339_MAX], until[CV_DATE_MAX];
	int rc, barred;

	if (!t)
		return cv_error_set(err, CV_EINVAL, "action",
				    "unknown action \"%s\": submit, accept, reject_incomplete, "
				    "start_review, plan_validation, validate, authorize, refuse or withdraw",
				    action ? action : "");
	rc = aeo_application_get(conn, id, out);
	if (rc == CV_ENOTFOUND || (rc == CV_OK && !aeo_operator_visible(actor, out->operator_id)))
		return cv_error_set(err, CV_ENOTFOUND, "id", "no such application");
	if (rc)
		return rc;
	if (side_of(actor) != (int)t->side)
		return cv_error_set(err, CV_EPERM, "action", "only %s may %s an application",
				    t->side == APPLICANT ? "the applicant" : "the customs AEO unit",
				    t->action);
	if (!allowed_from(t, out->state))
		return cv_error_set(err, CV_ECONFLICT, "action",
				    "cannot %s an application that is %s; allowed from %s: %s",
				    t->action, out->state, out->state,
				    aeo_application_allowed(out->state, NULL, allowed,
							    sizeof(allowed)));
	if (t->needs_reason && (!reason || !*reason))
		return cv_error_set(err, CV_EINVAL, "reason",
				    "%s needs a reason the applicant will see", t->action);
	if (reason && strlen(reason) > AEO_REASON_MAX * 4)
		return cv_error_set(err, CV_EINVAL, "reason",
				    "reason is too long (at most %d characters)", AEO_REASON_MAX);
	if (strcmp(t->action, "submit") == 0) {
		char missing[512];
		int nmissing = 0;
		rc = reapplication_barred(conn, ctx, out->operator_id, until, &barred);
		if (!rc && barred)
			return cv_error_set(err, CV_ECONFLICT, "action",
					    "the operator's authorization was revoked: no application is "
					    "accepted before %s",
					    until);
		if (!rc)
			rc = aeo_saq_missing(conn, out, &nmissing, missing, sizeof(missing));
		if (!rc && nmissing)
			return cv_error_set(err, CV_EINVAL, "saq",
					    "the self-assessment questionnaire lacks %d required answer%s: %s",
					    nmissing, nmissing == 1 ? "" : "s", missing);
	}
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE aeo_applications SET state = $2, updated_at = $3 WHERE id = $1",
				 "ttt", id, t->to, now);
	if (!rc)
		rc = apply_clocks(conn, ctx, t, id);
	if (!rc)
		rc = record_event(conn, ctx, id, t->action, out->state, t->to, actor, reason);
	if (!rc && strcmp(t->action, "authorize") == 0) {
		/* Every criterion of the type has a finding, and none is "not met". */
		rc = aeo_validation_ready(conn, out, err);
		if (rc)
			return rc;
		rc = create_authorization(conn, ctx, out, &auth);
		if (!rc && authorization)
			*authorization = auth;
	}
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot %s the application: %s", t->action,
				    store_errmsg(conn));
	return aeo_application_get(conn, id, out);
}

int aeo_application_extend(struct store_conn *conn, const struct aeo_context *ctx,
			   const struct auth_principal *actor, const char *id, int days,
			   const char *reason, struct aeo_application *out, struct cv_error *err)
{
	char due[CV_DATE_MAX], now[CV_RFC3339_MAX];
	int max, rc;

	if (actor->user.role != ROLE_AEO_OFFICER)
		return cv_error_set(err, CV_EPERM, NULL,
				    "only the customs AEO unit extends deadlines");
	rc = aeo_application_get(conn, id, out);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, "id", "no such application");
	if (!rc)
		rc = aeo_policy_int(conn, "extension_max_days", &max);
	if (rc)
		return rc;
	if (!out->decision_due[0] || !out->accepted_at[0] || out->decided_at[0] ||
	    strcmp(out->state, "withdrawn") == 0)
		return cv_error_set(err, CV_ECONFLICT, "days",
				    "only the decision deadline of an accepted, undecided application "
				    "can be extended; this one is %s",
				    out->state);
	if (out->extension_days)
		return cv_error_set(err, CV_ECONFLICT, "days",
				    "the deadline was already extended once, by %d days",
				    out->extension_days);
	if (days < 1 || days > max)
		return cv_error_set(err, CV_EINVAL, "days", "days must be from 1 to %d", max);
	if (!reason || !*reason || strlen(reason) > AEO_REASON_MAX * 4)
		return cv_error_set(err, CV_EINVAL, "reason",
				    "an extension needs a reason the applicant will see (at most %d characters)",
				    AEO_REASON_MAX);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = cv_date_add_days(out->decision_due, days, due);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE aeo_applications SET decision_due = $2, extension_days = $3,"
				 " extension_reason = $4, updated_at = $5 WHERE id = $1",
				 "ttit"
				 "t",
				 id, due, (int64_t)days, reason, now);
	if (!rc)
		rc = record_event(conn, ctx, id, "extend", out->state, out->state, actor, reason);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot extend: %s", store_errmsg(conn));
	return aeo_application_get(conn, id, out);
}

int aeo_application_list(struct store_conn *conn, const struct aeo_application_query *q,
			 struct aeo_application *out, int *count)
{
	struct store_stmt *stmt;
	char soon[CV_DATE_MAX];
	int soon_days = 7, rc;

	*count = 0;
	if (q->deadline == AEO_DUE_SOON) {
		rc = aeo_policy_int(conn, "due_soon_days", &soon_days);
		if (rc)
			return rc;
	}
	rc = cv_date_add_days(q->today, soon_days, soon);
	if (rc)
		return rc;
	/*
	 * The deadline that runs now: accept_due while submitted, decision_due
	 * while accepted and undecided. Overdue: before today. Due soon: from
	 * today to today + due_soon_days.
	 */
	rc = store_prepare(conn,
			   "SELECT " COLUMNS " FROM ("
			   " SELECT *, CASE WHEN state = 'submitted' THEN accept_due"
			   "  WHEN state IN ('accepted', 'under_review', 'validation_planned', 'validated')"
			   "  THEN decision_due END AS due FROM aeo_applications) a"
			   " WHERE ($1 = '' OR operator_id = $1) AND ($2 = '' OR state = $2)"
			   "  AND ($3 = 0 OR (due IS NOT NULL AND"
			   "       (($3 = 1 AND due < $4) OR ($3 = 2 AND due >= $4 AND due <= $5))))"
			   "  AND ($3 <> 0 OR id > $6)"
			   " ORDER BY CASE WHEN $3 = 0 THEN id ELSE due END, id LIMIT $7",
			   &stmt);
	if (rc)
		return rc;
	rc = store_bindf(stmt, "ttittti", q->operator_id, q->state, (int64_t)q->deadline, q->today,
			 soon, q->after, (int64_t)q->limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		read_application(stmt, &out[(*count)++]);
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int aeo_application_timeline(struct store_conn *conn, const char *id,
			     int (*visit)(void *ctx, const char *action, const char *from,
					  const char *to, const char *actor, const char *reason,
					  const char *at),
			     void *ctx)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT action, COALESCE(from_state, ''), to_state, actor, reason, at"
			       " FROM aeo_application_events WHERE application_id = $1 ORDER BY at, id",
			       &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW)
		rc = visit(ctx, store_col_text(stmt, 0), store_col_text(stmt, 1),
			   store_col_text(stmt, 2), store_col_text(stmt, 3),
			   store_col_text(stmt, 4), store_col_text(stmt, 5));
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int aeo_authorization_get(struct store_conn *conn, const char *key, struct aeo_authorization *out)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT id, number, operator_id, application_id, type, status, consent_mra,"
				 " valid_from, revalidation_due, status_changed_at FROM aeo_authorizations"
				 " WHERE id = $1 OR number = $1 OR application_id = $1",
				 "t", key);

	if (rc)
		return rc;
	copy(out->id, sizeof(out->id), store_col_text(stmt, 0));
	copy(out->number, sizeof(out->number), store_col_text(stmt, 1));
	copy(out->operator_id, sizeof(out->operator_id), store_col_text(stmt, 2));
	copy(out->application_id, sizeof(out->application_id), store_col_text(stmt, 3));
	copy(out->type, sizeof(out->type), store_col_text(stmt, 4));
	copy(out->status, sizeof(out->status), store_col_text(stmt, 5));
	out->consent_mra = (int)store_col_int64(stmt, 6);
	copy(out->valid_from, sizeof(out->valid_from), store_col_text(stmt, 7));
	copy(out->revalidation_due, sizeof(out->revalidation_due), store_col_text(stmt, 8));
	copy(out->status_changed_at, sizeof(out->status_changed_at), store_col_text(stmt, 9));
	store_finish(stmt);
	return CV_OK;
}
