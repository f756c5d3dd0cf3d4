/*
 * authorizations.h — an AEO authorization after it is granted: suspension,
 * lifting, revocation and expiry, public verification, the benefits of its
 * type.
 *
 * One transition table (authorizations.c), as for applications:
 *
 *   valid → suspended (ground, remedy period)   suspended → valid (lift)
 *   valid | suspended → revoked (ground, effective date) | expired
 *
 * Suspension grounds: conditions_not_met (remediable: the holder gets a
 * remedy period, remedy_days of aeo_policy by default, and states its
 * measures), revocation_grounds_under_investigation, holder_request. An
 * expired remedy period puts the authorization on the revocation worklist.
 * Revocation grounds: for_cause, unremedied_suspension, holder_request; all
 * but holder_request bar a new application for reapplication_bar_years.
 *
 * Only the customs AEO unit changes the status; the holder states measures.
 * Every change writes the authorization's timeline; the caller writes the
 * audit row in the same transaction. Thread-safe as far as the store is.
 */
#ifndef CV_AEO_AUTHORIZATIONS_H
#define CV_AEO_AUTHORIZATIONS_H

#include "aeo/applications.h"

#include <jansson.h>

struct aeo_authorization_change {
	const char *action;       /* suspend, lift, revoke, expire */
	const char *ground;       /* suspend and revoke */
	const char *reason;       /* required for suspend, lift, revoke */
	int remedy_days;          /* suspend: 0 takes remedy_days from aeo_policy */
	const char *effective_on; /* revoke: date, default today */
};

/*
 * Change an authorization's status. CV_EPERM unless the actor is an AEO
 * officer, CV_ECONFLICT when the status does not allow the action (the
 * message names the status and the allowed actions), CV_EINVAL naming a bad
 * field. In a write transaction.
 */
int aeo_authorization_change(struct store_conn *conn, const struct aeo_context *ctx,
			     const struct auth_principal *actor, const char *id,
			     const struct aeo_authorization_change *change,
			     struct aeo_authorization *out, struct cv_error *err);

/* The holder states the measures it takes during a suspension. In a write transaction. */
int aeo_authorization_measures(struct store_conn *conn, const struct aeo_context *ctx,
			       const struct auth_principal *actor, const char *id,
			       const char *measures, struct cv_error *err);

/* An authorization with its benefits, open suspension and timeline, as JSON. */
int aeo_authorization_json(struct store_conn *conn, const struct aeo_authorization *z, json_t **out);

/* Authorizations, optionally of one operator and one status, newest first, paged by id. */
int aeo_authorization_list_json(struct store_conn *conn, const char *operator_id,
				const char *status, const char *after, int limit, json_t **out);

/* Suspended authorizations whose remedy period ended before today: to revoke or lift. */
int aeo_authorization_worklist_json(struct store_conn *conn, const char *today, json_t **out);

/*
 * What anyone may know of an authorization number: number, operator name,
 * country, type, status, valid from, last status change. CV_ENOTFOUND for
 * an unknown number.
 */
int aeo_authorization_public_json(struct store_conn *conn, const char *number, json_t **out);

#endif
