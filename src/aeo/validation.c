/* validation.c — see validation.h. */
#include "aeo/validation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 8000

/* The criteria each AEO type is judged on (WTO TFA Art. 7.7, EU UCC Art. 39). */
static const char *const criteria_aeoc[] = {"compliance", "records", "solvency", "competence", NULL};
static const char *const criteria_aeos[] = {"compliance", "records", "solvency", "security", NULL};
static const char *const criteria_aeof[] = {"compliance", "records",  "solvency",
					    "competence", "security", NULL};

static const char *const *criteria_of(const char *type)
{
	return !strcmp(type, "AEOC")   ? criteria_aeoc
	       : !strcmp(type, "AEOS") ? criteria_aeos
				       : criteria_aeof;
}

const char *const *aeo_validation_criteria(const char *type) { return criteria_of(type); }

static int judged_on(const char *type, const char *criterion)
{
	for (const char *const *c = criteria_of(type); *c; c++)
		if (!strcmp(*c, criterion))
			return 1;
	return 0;
}

/* Findings and visits belong to the review: from acceptance of review to the decision. */
static int in_review(const struct aeo_application *app)
{
	return !strcmp(app->state, "under_review") || !strcmp(app->state, "validation_planned") ||
	       !strcmp(app->state, "validated");
}

static int officer_in_review(const struct auth_principal *actor, const struct aeo_application *app,
			     struct cv_error *err)
{
	if (actor->user.role != ROLE_AEO_OFFICER)
		return cv_error_set(err, CV_EPERM, NULL,
				    "only the customs AEO unit validates applications");
	if (!in_review(app))
		return cv_error_set(err, CV_ECONFLICT, NULL,
				    "validation is recorded while the application is under review, validation "
				    "planned or validated; it is %s",
				    app->state);
	return CV_OK;
}

int aeo_finding_record(struct store_conn *conn, const struct aeo_context *ctx,
		       const struct auth_principal *actor, const struct aeo_application *app,
		       const char *criterion, const char *result, const char *notes,
		       const char *evidence, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	int rc = officer_in_review(actor, app, err);

	if (rc)
		return rc;
	if (!criterion || !judged_on(app->type, criterion)) {
		char list[128] = "";
		for (const char *const *c = criteria_of(app->type); *c; c++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 *list ? ", " : "", *c);
		return cv_error_set(err, CV_EINVAL, "criterion",
				    "a %s application is judged on: %s", app->type, list);
	}
	if (!result ||
	    (strcmp(result, "met") && strcmp(result, "partly_met") && strcmp(result, "not_met")))
		return cv_error_set(err, CV_EINVAL, "result",
				    "result must be met, partly_met or not_met");
	if ((notes && strlen(notes) > TEXT_MAX) || (evidence && strlen(evidence) > TEXT_MAX))
		return cv_error_set(err, CV_EINVAL,
				    notes && strlen(notes) > TEXT_MAX ? "notes" : "evidence",
				    "at most %d bytes", TEXT_MAX);
	if (strcmp(result, "met") && (!notes || !*notes))
		return cv_error_set(err, CV_EINVAL, "notes",
				    "a criterion not fully met needs notes saying why");
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	return store_execf(conn, NULL,
			   "INSERT INTO aeo_findings (application_id, criterion, result, notes, evidence, officer,"
			   " recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (application_id, criterion)"
			   " DO UPDATE SET result = $3, notes = $4, evidence = $5, officer = $6, recorded_at = $7",
			   "ttttttt", app->id, criterion, result, notes ? notes : "",
			   evidence ? evidence : "", actor->user.username, now);
}

static int string_list(json_t *list, size_t max_items, const char *field, struct cv_error *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > max_items)
		return cv_error_set(err, CV_EINVAL, field, "%s: a list of 1 to %zu texts", field,
				    max_items);
	json_array_foreach(list, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 400)
			return cv_error_set(err, CV_EINVAL, field,
					    "%s: item %zu must be text of 1 to 400 bytes", field,
					    i + 1);
	}
	return CV_OK;
}

int aeo_visit_plan(struct store_conn *conn, const struct aeo_context *ctx,
		   const struct auth_principal *actor, const struct aeo_application *app,
		   const char *planned_on, json_t *sites, json_t *officers, char id[CV_UUID_STR],
		   struct cv_error *err)
{
	char now[CV_RFC3339_MAX], *sites_text, *officers_text;
	int64_t day;
	int rc = officer_in_review(actor, app, err);

	if (!rc && (!planned_on || cv_date_parse(planned_on, &day)))
		rc = cv_error_set(err, CV_EINVAL, "planned_on", "planned_on is a date (YYYY-MM-DD)");
	if (!rc)
		rc = string_list(sites, 20, "sites", err);
	if (!rc)
		rc = string_list(officers, 10, "officers", err);
	if (rc)
		return rc;
	sites_text = json_dumps(sites, JSON_COMPACT);
	officers_text = json_dumps(officers, JSON_COMPACT);
	cv_uuid7(id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = sites_text && officers_text
		     ? store_execf(conn, NULL,
				   "INSERT INTO aeo_visits (id, application_id, planned_on, sites, officers, status,"
				   " created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'planned', $6, $7, $7)",
				   "ttttttt", id, app->id, planned_on, sites_text, officers_text,
				   actor->user.username, now)
		     : CV_ENOMEM;
	free(sites_text);
	free(officers_text);
	return rc;
}

int aeo_visit_close(struct store_conn *conn, const struct aeo_context *ctx,
		    const struct auth_principal *actor, const struct aeo_application *app,
		    const char *visit_id, const char *status, const char *report,
		    struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	int64_t changed = 0;
	int rc = officer_in_review(actor, app, err);

	if (rc)
		return rc;
	if (!status || (strcmp(status, "done") && strcmp(status, "cancelled")))
		return cv_error_set(err, CV_EINVAL, "status", "status must be done or cancelled");
	if (!strcmp(status, "done") && (!report || !*report))
		return cv_error_set(err, CV_EINVAL, "report", "a visit done needs its report");
	if (report && strlen(report) > 4 * TEXT_MAX)
		return cv_error_set(err, CV_EINVAL, "report", "the report is at most %d bytes",
				    4 * TEXT_MAX);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, &changed,
			 "UPDATE aeo_visits SET status = $3, report = $4, updated_at = $5"
			 " WHERE id = $1 AND application_id = $2 AND status = 'planned'",
			 "ttttt", visit_id, app->id, status, report ? report : "", now);
	if (!rc && !changed)
		return cv_error_set(err, CV_ENOTFOUND, "visit",
				    "no planned visit with this id on this application");
	return rc;
}

/* Findings of an application, as criterion -> {result, notes, evidence, officer, recorded_at}. */
static int load_findings(struct store_conn *conn, const char *application_id, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT criterion, result, notes, evidence, officer, recorded_at FROM aeo_findings"
			       " WHERE application_id = $1",
			       &stmt);

	*out = json_object();
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", application_id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_object_set_new(*out, store_col_text(stmt, 0),
				    json_pack("{s:s, s:s, s:s, s:s, s:s}", "result",
					      store_col_text(stmt, 1), "notes",
					      store_col_text(stmt, 2), "evidence",
					      store_col_text(stmt, 3), "officer",
					      store_col_text(stmt, 4), "recorded_at",
					      store_col_text(stmt, 5)));
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int aeo_validation_ready(struct store_conn *conn, const struct aeo_application *app,
			 struct cv_error *err)
{
	char missing[160] = "", failing[160] = "";
	json_t *findings;
	int rc = load_findings(conn, app->id, &findings);

	if (rc) {
		json_decref(findings);
		return rc;
	}
	for (const char *const *c = criteria_of(app->type); *c; c++) {
		json_t *f = json_object_get(findings, *c);
		char *list = !f ? missing
			     : !strcmp(json_string_value(json_object_get(f, "result")), "not_met")
				     ? failing
				     : NULL;
		if (list)
			snprintf(list + strlen(list), 160 - strlen(list), "%s%s", *list ? ", " : "",
				 *c);
	}
	json_decref(findings);
	if (*missing || *failing)
		return cv_error_set(err, CV_ECONFLICT, "action", "cannot authorize: %s%s%s%s%s",
				    *missing ? "no finding yet on " : "", missing,
				    *missing && *failing ? "; " : "", *failing ? "not met: " : "",
				    failing);
	return CV_OK;
}

int aeo_validation_report(struct store_conn *conn, const struct aeo_application *app, json_t **out)
{
	json_t *findings, *criteria = json_array(), *visits = json_array();
	struct store_stmt *stmt;
	struct cv_error err;
	int rc = load_findings(conn, app->id, &findings);

	for (const char *const *c = criteria_of(app->type); !rc && *c; c++) {
		json_t *f = json_object_get(findings, *c);
		json_array_append_new(criteria, json_pack("{s:s, s:O}", "criterion", *c, "finding",
							  f ? f : json_null()));
	}
	if (!rc)
		rc = store_prepare(conn,
				   "SELECT id, planned_on, sites, officers, status, report FROM aeo_visits"
				   " WHERE application_id = $1 ORDER BY planned_on, id",
				   &stmt);
	if (!rc) {
		rc = store_bindf(stmt, "t", app->id);
		while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
			json_t *sites = json_loads(store_col_text(stmt, 2), 0, NULL);
			json_t *officers = json_loads(store_col_text(stmt, 3), 0, NULL);
			json_array_append_new(visits,
					      json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "id",
							store_col_text(stmt, 0), "planned_on",
							store_col_text(stmt, 1), "sites",
							sites ? sites : json_array(), "officers",
							officers ? officers : json_array(),
							"status", store_col_text(stmt, 4), "report",
							store_col_text(stmt, 5)));
			rc = CV_OK;
		}
		store_finish(stmt);
	}
	json_decref(findings);
	if (rc < 0) {
		json_decref(criteria);
		json_decref(visits);
		return rc;
	}
	cv_error_clear(&err);
	*out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:b}", "application_id", app->id, "type",
			 app->type, "state", app->state, "criteria", criteria, "visits", visits,
			 "ready_to_authorize", aeo_validation_ready(conn, app, &err) == CV_OK);
	if (*out && err.message[0])
		json_object_set_new(*out, "not_ready_because", json_string(err.message));
	return *out ? CV_OK : CV_ENOMEM;
}
