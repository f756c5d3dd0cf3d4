/*
 * audits.h — monitoring of authorized operators and post-authorization
 * audits.
 *
 * Monitoring is continuous and driven by data: aeo_monitoring_json() lists
 * the valid and suspended authorizations that need attention, with the
 * reasons — the holder's compliance score fell below grade A, the
 * revalidation is due within monitoring_revalidation_days, or no audit was
 * completed for monitoring_audit_months — unless an audit is already
 * planned. The AEO unit schedules an audit (periodic, triggered or
 * revalidation) and closes it with its findings and an outcome: maintained,
 * suspended or revoked (the last two change the authorization through
 * authorizations.h, with a ground and a reason, in the same transaction).
 *
 * Thread-safe as far as the store is.
 */
#ifndef CV_AEO_AUDITS_H
#define CV_AEO_AUDITS_H

#include "aeo/authorizations.h"

#include <jansson.h>

/* Schedule an audit. CV_ECONFLICT when one is already planned. In a write transaction. */
int aeo_audit_schedule(struct store_conn *conn, const struct aeo_context *ctx,
		       const struct auth_principal *actor, const char *authorization_id,
		       const char *kind, const char *planned_on, const char *reason,
		       char id[CV_UUID_STR], struct cv_error *err);

struct aeo_audit_close {
	const char *status;   /* done or cancelled */
	const char *findings; /* required when done */
	const char *outcome;  /* done: maintained, suspended or revoked */
	const char *ground;   /* suspended or revoked: the ground (authorizations.h) */
	const char *reason;   /* suspended or revoked: the reason the holder sees */
};

/* Close a planned audit; its outcome may suspend or revoke the authorization. In a transaction. */
int aeo_audit_close(struct store_conn *conn, const struct aeo_context *ctx,
		    const struct auth_principal *actor, const char *authorization_id,
		    const char *audit_id, const struct aeo_audit_close *close, struct cv_error *err);

/* The audits of an authorization, newest first. */
int aeo_audits_json(struct store_conn *conn, const char *authorization_id, json_t **out);

/* Authorizations needing attention as of today, with their reasons. */
int aeo_monitoring_json(struct store_conn *conn, const char *today, json_t **out);

#endif
