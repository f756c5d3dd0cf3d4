/*
 * api.h — the JSON API: what every resource file (users.c, auth.c, ...)
 * shares.
 *
 * A request reaches a handler through api_dispatch() (dispatch.c), which
 * has already: found the route, authenticated the caller, checked the
 * route's permission and the CSRF token, parsed a JSON body, and — for a
 * route marked API_WRITE — opened the transaction, in which the handler's
 * changes, the audit row and the stored idempotent response are committed
 * together. A handler parses its input, calls its domain module, and
 * renders JSON or a problem document; it never talks to libmicrohttpd and
 * never commits.
 *
 * Thread-safe: struct api_app is read-only once serving; a struct api_call
 * lives for one request on one thread.
 */
#ifndef CV_API_API_H
#define CV_API_API_H

#include "auth/roles.h"
#include "auth/sessions.h"
#include "base/config.h"
#include "http/request.h"
#include "store/db.h"

#include <jansson.h>

struct exchange_node;

/* The node as the API sees it: configuration, the database, its identity in the exchange. */
struct api_app {
	const struct cv_config *config;
	struct store *store;
	const struct exchange_node *node; /* NULL when the node has no key file yet */
};

/* Everything a handler needs for one request. */
struct api_call {
	struct api_app *app;
	struct http_request *req;
	struct store_conn *conn;
	const struct auth_principal *principal; /* NULL for anonymous callers */
	json_t *body;                           /* parsed JSON body (API_JSON routes) or NULL */
	/* Filled by write handlers for the audit row the dispatcher writes. */
	const char *entity_type;
	const char *entity_id;
	json_t *audit_detail; /* owned: the dispatcher decrefs it */
	/* Set by a handler whose failure must still be committed (failed login). */
	int commit_on_error;
	/* What a route's check left for its handler (freed with prepared_free by the dispatcher). */
	void *prepared;
	void (*prepared_free)(void *prepared);
};

/* Route flags. */
enum {
	API_JSON = 1u << 0,  /* the body must be a JSON object (415/400 otherwise) */
	API_WRITE = 1u << 1, /* dispatcher: transaction, audit row, Idempotency-Key */
	/*
	 * The response carries a secret shown once (a new API token): a retry with
	 * the same Idempotency-Key gets 409 instead of a stored copy of the secret.
	 */
	API_SECRET = 1u << 2,
};

struct api_route {
	const char *method;
	const char *pattern;
	enum auth_permission permission;
	unsigned flags;
	const char *action; /* audit action of a write: "user.create" */
	int (*handler)(struct api_call *call, struct http_response *resp);
	/*
	 * Optional, for API_WRITE routes with slow work that writes nothing
	 * (checking signatures): run before the write transaction, on the
	 * thread's own connection, so that the writer is not held meanwhile.
	 * Returns 0 to go on to the handler, non-zero when it answered resp.
	 */
	int (*check)(struct api_call *call, struct http_response *resp);
};

/* The route table (routes.c) and its length. */
extern const struct api_route api_routes[];
extern const size_t api_route_count;

/* libmicrohttpd handler: see server.h. ctx is a struct api_app. */
void api_dispatch(void *ctx, struct http_request *req, struct http_response *resp,
		  const char **log_user);

/* --- responses (json.c) --- */

/* Send value as JSON with status; steals the reference to value. */
int api_json(struct http_response *resp, int status, json_t *value);
/* A problem document; detail may be NULL. */
int api_problem(struct http_response *resp, int status, const char *detail);
/* 422 with errors[] = [{field, message}] (steals errors, an array). */
int api_problem_fields(struct http_response *resp, const char *detail, json_t *errors);
/*
 * The end of input checking: with errors collected, answer 422 naming each
 * field (errors is taken) and return 1; with none, free errors and return 0.
 */
int api_refuse_fields(struct http_response *resp, json_t *errors, const char *detail);
/*
 * The end of a write that returns an entity (out, taken): 422 naming every
 * field in errors (detail refused), or the error, or status with out —
 * audited on entity_type {out.id} with the members of out named in audited
 * (NULL-terminated) as detail.
 */
int api_write_answer(struct api_call *call, struct http_response *resp, int rc, json_t *errors,
		     const struct cv_error *err, const char *refused, const char *entity_type,
		     const char *const *audited, json_t *out, int status);
/* Map a CV_E* code and its cv_error to the right status and problem document. */
int api_error(struct http_response *resp, int code, const struct cv_error *err);
/* Reason phrase for a status ("Not Found"). */
const char *api_status_title(int status);

/* --- input (json.c) --- */

/*
 * Read a string member of the body. Missing (when required), not a string,
 * or longer than max: appends {field, message} to errors and returns NULL.
 */
const char *api_body_string(struct api_call *call, const char *field, int required, size_t max,
			    json_t *errors);
/* An optional boolean member; a non-boolean appends to errors. Returns def when absent. */
int api_body_bool(struct api_call *call, const char *field, int def, json_t *errors);
/* An integer member in [min, max]; missing (when required) or out of range appends to errors. */
long api_body_int(struct api_call *call, const char *field, int required, long min, long max,
		  long def, json_t *errors);
/*
 * The ?status= filter of a list: NULL when absent; one of allowed; else an
 * error naming them goes into errors (and NULL).
 */
const char *api_status_filter(struct api_call *call, const char *const *allowed, json_t *errors);
/* Answer a page of items (taken) with next_after, the cursor of the next page when it is full. */
int api_page(struct http_response *resp, json_t *items, int limit);
/* Append {field, message} to errors. */
void api_add_error(json_t *errors, const char *field, const char *message);
/* The node's context for the AEO lifecycle: country and the time now. */
struct aeo_context;
void api_aeo_context(const struct api_call *call, struct aeo_context *ctx);
/* The single window's context of a request: node country and currency, now. */
struct trade_context;
void api_trade_context(const struct api_call *call, struct trade_context *ctx);

/*
 * Paging from ?limit=&after=: limit defaults to def and is capped at max.
 * A bad limit appends to errors.
 */
int api_paging(struct api_call *call, int def, int max, const char **after, json_t *errors);

/* --- handlers, one file per resource --- */
int api_healthz(struct api_call *call, struct http_response *resp);
int api_meta(struct api_call *call, struct http_response *resp);
int api_openapi(struct api_call *call, struct http_response *resp);
int api_index_page(struct api_call *call, struct http_response *resp);

int api_auth_login(struct api_call *call, struct http_response *resp);
int api_auth_logout(struct api_call *call, struct http_response *resp);
int api_auth_me(struct api_call *call, struct http_response *resp);

/* A user as JSON (never with its password hash). */
json_t *api_user_json(const struct auth_user *user);
int api_users_list(struct api_call *call, struct http_response *resp);
int api_users_create(struct api_call *call, struct http_response *resp);
int api_users_get(struct api_call *call, struct http_response *resp);
int api_users_token_create(struct api_call *call, struct http_response *resp);

int api_operators_list(struct api_call *call, struct http_response *resp);
int api_operators_create(struct api_call *call, struct http_response *resp);
int api_operators_get(struct api_call *call, struct http_response *resp);
int api_operators_update(struct api_call *call, struct http_response *resp);

int api_applications_list(struct api_call *call, struct http_response *resp);
int api_applications_create(struct api_call *call, struct http_response *resp);
int api_applications_get(struct api_call *call, struct http_response *resp);
int api_applications_transition(struct api_call *call, struct http_response *resp);
int api_applications_saq_get(struct api_call *call, struct http_response *resp);
int api_applications_saq_answer(struct api_call *call, struct http_response *resp);
int api_applications_validation(struct api_call *call, struct http_response *resp);
int api_applications_finding(struct api_call *call, struct http_response *resp);
int api_applications_visit_plan(struct api_call *call, struct http_response *resp);
int api_applications_visit_close(struct api_call *call, struct http_response *resp);
int api_attachments_list(struct api_call *call, struct http_response *resp);
int api_attachments_add(struct api_call *call, struct http_response *resp);
int api_attachments_get(struct api_call *call, struct http_response *resp);
int api_applications_extend(struct api_call *call, struct http_response *resp);

int api_compliance_event_add(struct api_call *call, struct http_response *resp);
int api_compliance_events_list(struct api_call *call, struct http_response *resp);
int api_scoresheet_get(struct api_call *call, struct http_response *resp);
int api_aeo_candidates(struct api_call *call, struct http_response *resp);

int api_authorizations_list(struct api_call *call, struct http_response *resp);
int api_authorizations_worklist(struct api_call *call, struct http_response *resp);
int api_authorizations_get(struct api_call *call, struct http_response *resp);
int api_authorizations_change(struct api_call *call, struct http_response *resp);
int api_authorizations_measures(struct api_call *call, struct http_response *resp);
int api_public_aeo(struct api_call *call, struct http_response *resp);
int api_status_lists_get(struct api_call *call, struct http_response *resp);
int api_authorizations_audits(struct api_call *call, struct http_response *resp);
int api_authorizations_audit_schedule(struct api_call *call, struct http_response *resp);
int api_authorizations_audit_close(struct api_call *call, struct http_response *resp);
int api_aeo_monitoring(struct api_call *call, struct http_response *resp);
int api_authorizations_certificate(struct api_call *call, struct http_response *resp);

int api_declarations_lodge(struct api_call *call, struct http_response *resp);
int api_declarations_amend(struct api_call *call, struct http_response *resp);
int api_declarations_cancel(struct api_call *call, struct http_response *resp);
int api_declarations_get(struct api_call *call, struct http_response *resp);
int api_declarations_list(struct api_call *call, struct http_response *resp);
int api_notifications_list(struct api_call *call, struct http_response *resp);
int api_requirements(struct api_call *call, struct http_response *resp);
int api_examinations_pending(struct api_call *call, struct http_response *resp);
int api_reports_release_times(struct api_call *call, struct http_response *resp);
int api_reports_green(struct api_call *call, struct http_response *resp);
/*
 * Tell the node's MRA partners the current status of authorization_id
 * (exchange/mra.h), in the request's transaction.
 */
int api_mra_announce(struct api_call *call, const char *authorization_id, struct cv_error *err);
int api_partner_aeo_list(struct api_call *call, struct http_response *resp);
int api_certificates_list(struct api_call *call, struct http_response *resp);
int api_certificates_issue(struct api_call *call, struct http_response *resp);
int api_certificates_get(struct api_call *call, struct http_response *resp);
int api_certificates_revoke(struct api_call *call, struct http_response *resp);
int api_webhook_get(struct api_call *call, struct http_response *resp);
int api_webhook_put(struct api_call *call, struct http_response *resp);
int api_webhook_delete(struct api_call *call, struct http_response *resp);
int api_declarations_assessment(struct api_call *call, struct http_response *resp);
int api_declarations_payment(struct api_call *call, struct http_response *resp);
int api_declarations_arrival(struct api_call *call, struct http_response *resp);
int api_declarations_release(struct api_call *call, struct http_response *resp);
int api_declarations_exit(struct api_call *call, struct http_response *resp);
int api_examinations_get(struct api_call *call, struct http_response *resp);
int api_examinations_result(struct api_call *call, struct http_response *resp);
int api_lpcos_apply(struct api_call *call, struct http_response *resp);
int api_lpcos_decide(struct api_call *call, struct http_response *resp);
int api_lpcos_get(struct api_call *call, struct http_response *resp);
int api_lpcos_list(struct api_call *call, struct http_response *resp);
int api_risk_profiles_deactivate(struct api_call *call, struct http_response *resp);
int api_risk_profiles_projection(struct api_call *call, struct http_response *resp);
int api_risk_offices_list(struct api_call *call, struct http_response *resp);
int api_risk_office_get(struct api_call *call, struct http_response *resp);
int api_risk_office_put(struct api_call *call, struct http_response *resp);
int api_risk_statistics(struct api_call *call, struct http_response *resp);
int api_risk_models_list(struct api_call *call, struct http_response *resp);
int api_risk_watchlists_list(struct api_call *call, struct http_response *resp);
int api_risk_watchlist_remove(struct api_call *call, struct http_response *resp);
int api_risk_watchlist_csv(struct api_call *call, struct http_response *resp);
int api_declaration_risk_get(struct api_call *call, struct http_response *resp);
int api_declaration_risk_assess(struct api_call *call, struct http_response *resp);
int api_declaration_examinations_list(struct api_call *call, struct http_response *resp);
int api_declaration_examination_add(struct api_call *call, struct http_response *resp);
int api_risk_profiles_list(struct api_call *call, struct http_response *resp);
int api_risk_profiles_add(struct api_call *call, struct http_response *resp);
int api_risk_profiles_get(struct api_call *call, struct http_response *resp);
int api_risk_profiles_activate(struct api_call *call, struct http_response *resp);
int api_risk_watchlist_get(struct api_call *call, struct http_response *resp);
int api_risk_watchlist_add(struct api_call *call, struct http_response *resp);
int api_risk_assess(struct api_call *call, struct http_response *resp);

int api_safe_standards(struct api_call *call, struct http_response *resp);
int api_safe_standard_get(struct api_call *call, struct http_response *resp);
int api_safe_assess(struct api_call *call, struct http_response *resp);
int api_safe_report(struct api_call *call, struct http_response *resp);

int api_did_document(struct api_call *call, struct http_response *resp);
int api_exchange_partners_list(struct api_call *call, struct http_response *resp);
int api_exchange_partners_create(struct api_call *call, struct http_response *resp);
int api_exchange_partners_get(struct api_call *call, struct http_response *resp);
int api_exchange_partners_update(struct api_call *call, struct http_response *resp);
int api_exchange_partners_deactivate(struct api_call *call, struct http_response *resp);
int api_exchange_messages_list(struct api_call *call, struct http_response *resp);
int api_exchange_messages_get(struct api_call *call, struct http_response *resp);
int api_exchange_inbox(struct api_call *call, struct http_response *resp);
int api_exchange_inbox_check(struct api_call *call, struct http_response *resp);

int api_audit_list(struct api_call *call, struct http_response *resp);
int api_audit_verify(struct api_call *call, struct http_response *resp);

#endif
