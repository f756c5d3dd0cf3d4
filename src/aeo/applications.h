/*
 * applications.h — AEO applications and their lifecycle.
 *
 * The lifecycle is one explicit state machine with one transition table
 * (applications.c):
 *
 *   draft → submitted → accepted | rejected_incomplete
 *   accepted → under_review → validation_planned → validated → authorized | refused
 *   withdrawn from any state before a decision
 *
 * Each action belongs to the applicant (a trader of the operator) or to the
 * customs AEO unit. Anything else is refused with CV_ECONFLICT and a message
 * that names the current state and the actions allowed from it. Every
 * transition writes the timeline (aeo_application_events); the caller
 * writes the audit row in the same transaction.
 *
 * Clocks come from aeo_policy: accept or reject within accept_days of
 * submission, decide within decide_days of acceptance, extendable once by
 * at most extension_max_days with a reason the applicant sees.
 * "authorize" also creates the authorization (numbered in the national
 * format) with its revalidation date.
 *
 * Volume: a programme receives hundreds of applications a year; a unit of
 * three officers works through them with the overdue and due-soon lists.
 * Thread-safe as far as the store is.
 */
#ifndef CV_AEO_APPLICATIONS_H
#define CV_AEO_APPLICATIONS_H

#include "auth/sessions.h"
#include "base/clock.h"
#include "store/db.h"

#define AEO_REASON_MAX 2000
#define AEO_NUMBER_MAX 40

struct aeo_application {
	char id[CV_UUID_STR];
	char operator_id[CV_UUID_STR];
	char type[5]; /* AEOC, AEOS, AEOF */
	char state[24];
	int consent_mra;
	char submitted_at[CV_RFC3339_MAX];
	char accept_due[CV_DATE_MAX];
	char accepted_at[CV_RFC3339_MAX];
	char decision_due[CV_DATE_MAX];
	int extension_days;
	char extension_reason[AEO_REASON_MAX * 4 + 1];
	char decided_at[CV_RFC3339_MAX];
	char created_at[CV_RFC3339_MAX];
	char updated_at[CV_RFC3339_MAX];
	char saq_template[32]; /* the questionnaire the application locked */
	char saq_version[32];
	char saq_variant[16]; /* standard, sme or ecommerce */
};

struct aeo_authorization {
	char id[CV_UUID_STR];
	char number[AEO_NUMBER_MAX];
	char operator_id[CV_UUID_STR];
	char application_id[CV_UUID_STR];
	char type[5];
	char status[12];
	int consent_mra;
	char valid_from[CV_DATE_MAX];
	char revalidation_due[CV_DATE_MAX];
	char status_changed_at[CV_RFC3339_MAX];
};

/*
 * What a lifecycle call needs to know about its surroundings: the node's
 * country (for authorization numbers) and the time, passed in so that
 * deadlines can be tested on any date.
 */
struct aeo_context {
	const char *node_country;
	int64_t now_ms;
};

/* True for AEOC, AEOS and AEOF. */
int aeo_type_valid(const char *type);

/*
 * Start a draft for operator_id. Refuses (CV_ECONFLICT) a second open
 * application of the same type, and any application inside the
 * reapplication bar after a revocation (the message gives the end date).
 * In a write transaction.
 */
int aeo_application_create(struct store_conn *conn, const struct aeo_context *ctx,
			   const struct auth_principal *actor, const char *operator_id,
			   const char *type, int consent_mra, struct aeo_application *out,
			   struct cv_error *err);

/* Read one application; CV_ENOTFOUND when absent. */
int aeo_application_get(struct store_conn *conn, const char *id, struct aeo_application *out);

/*
 * Apply action ("submit", "accept", ...) with a reason (required for
 * reject_incomplete and refuse). CV_EPERM when the actor's side may not
 * take the action, CV_ECONFLICT when the state does not allow it, CV_EINVAL
 * for an unknown action or a missing reason. On "authorize", *authorization
 * (may be NULL) receives the new authorization. In a write transaction.
 */
int aeo_application_transition(struct store_conn *conn, const struct aeo_context *ctx,
			       const struct auth_principal *actor, const char *id,
			       const char *action, const char *reason, struct aeo_application *out,
			       struct aeo_authorization *authorization, struct cv_error *err);

/*
 * Extend the decision deadline once, by 1..extension_max_days days, with a
 * reason the applicant sees. In a write transaction.
 */
int aeo_application_extend(struct store_conn *conn, const struct aeo_context *ctx,
			   const struct auth_principal *actor, const char *id, int days,
			   const char *reason, struct aeo_application *out, struct cv_error *err);

/*
 * The actions allowed from state, as "submit, withdraw" ("none (the
 * application is closed)" if final). For an actor, only the actions its
 * side may take; actor NULL lists both sides'.
 */
const char *aeo_application_allowed(const char *state, const struct auth_principal *actor,
				    char *out, size_t size);

/* Which deadline list to read. */
enum aeo_deadline_filter { AEO_ALL, AEO_OVERDUE, AEO_DUE_SOON };

struct aeo_application_query {
	const char *operator_id; /* "" for all (officers); a trader's own otherwise */
	const char *state;       /* "" for any */
	enum aeo_deadline_filter deadline;
	const char *today; /* date the deadlines are judged on */
	const char *after; /* id of the last item of the previous page */
	int limit;
};

/* List applications; deadline lists are ordered by the deadline, others by id. */
int aeo_application_list(struct store_conn *conn, const struct aeo_application_query *q,
			 struct aeo_application *out, int *count);

/* Visit the timeline of an application in time order. */
int aeo_application_timeline(struct store_conn *conn, const char *id,
			     int (*visit)(void *ctx, const char *action, const char *from,
					  const char *to, const char *actor, const char *reason,
					  const char *at),
			     void *ctx);

/* Read one authorization by id or number; CV_ENOTFOUND when absent. */
int aeo_authorization_get(struct store_conn *conn, const char *id_or_number,
			  struct aeo_authorization *out);

#endif
