/*
 * validation.h — desk review and on-site validation of an AEO application.
 *
 * While an application is under review, validation planned or validated, the
 * AEO unit records a finding per criterion (met, partly met, not met, with
 * notes and evidence) and plans site visits (date, sites, officers) whose
 * reports it records. Each AEO type is judged on its criteria: AEOC on
 * compliance, records, solvency and competence; AEOS on compliance, records,
 * solvency and security; AEOF on all five. An application can be authorized
 * only when every criterion of its type has a finding and none is "not met"
 * (aeo_validation_ready). The validation report gathers it all.
 *
 * Thread-safe as far as the store is.
 */
#ifndef CV_AEO_VALIDATION_H
#define CV_AEO_VALIDATION_H

#include "aeo/applications.h"

#include <jansson.h>

/* The criteria an AEO type is judged on, NULL-terminated. */
const char *const *aeo_validation_criteria(const char *type);

/* Record (or replace) the finding on one criterion. In a write transaction. */
int aeo_finding_record(struct store_conn *conn, const struct aeo_context *ctx,
		       const struct auth_principal *actor, const struct aeo_application *app,
		       const char *criterion, const char *result, const char *notes,
		       const char *evidence, struct cv_error *err);

/* Plan a visit: date, sites and officers as JSON arrays of strings. In a write transaction. */
int aeo_visit_plan(struct store_conn *conn, const struct aeo_context *ctx,
		   const struct auth_principal *actor, const struct aeo_application *app,
		   const char *planned_on, json_t *sites, json_t *officers, char id[CV_UUID_STR],
		   struct cv_error *err);

/* Close a visit as done (with its report) or cancelled. In a write transaction. */
int aeo_visit_close(struct store_conn *conn, const struct aeo_context *ctx,
		    const struct auth_principal *actor, const struct aeo_application *app,
		    const char *visit_id, const char *status, const char *report,
		    struct cv_error *err);

/*
 * Can the application be authorized? CV_OK, or CV_ECONFLICT with a message
 * naming the criteria without a finding and those not met.
 */
int aeo_validation_ready(struct store_conn *conn, const struct aeo_application *app,
			 struct cv_error *err);

/* The validation report: criteria of the type with their findings, visits, and readiness. */
int aeo_validation_report(struct store_conn *conn, const struct aeo_application *app, json_t **out);

#endif
