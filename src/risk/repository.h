/*
 * repository.h — where the selectivity engine keeps its state: versions of
 * the profile set (a draft is compiled before it is stored; one version is
 * active), watchlists, the lane parameters per office, and the node's
 * secret for the random draw. Thread-safe as far as the store is.
 */
#ifndef CV_RISK_REPOSITORY_H
#define CV_RISK_REPOSITORY_H

#include "base/err.h"
#include "risk/decision.h"
#include "store/db.h"

#include <jansson.h>

#define RISK_SECRET_BYTES 32

/*
 * Store source as a new draft version after compiling it. A compile error
 * is CV_EINVAL with *compile_err filled (line, column, message). In a transaction.
 */
int risk_profiles_add_draft(struct store_conn *conn, const char *actor, const char *source,
			    struct risk_compile_error *compile_err, json_t **out,
			    struct cv_error *err);
/* Make a version the active one (the previous active one retires). In a transaction. */
int risk_profiles_activate(struct store_conn *conn, const char *actor, const char *id_or_version,
			   json_t **out, struct cv_error *err);
/*
 * Retire the active version: until another is activated, lanes come from
 * the model, AEO status and the random draw alone. In a transaction.
 */
int risk_profiles_deactivate(struct store_conn *conn, const char *actor, const char *id_or_version,
			     json_t **out, struct cv_error *err);
/* Versions, newest first, without their source. */
int risk_profiles_list(struct store_conn *conn, json_t **out);
/* One version with its source; CV_ENOTFOUND when absent. */
int risk_profiles_get(struct store_conn *conn, const char *id_or_version, json_t **out);
/* Compile the active version; CV_ENOTFOUND when none is active. */
int risk_profiles_active(struct store_conn *conn, struct risk_profile_set **set,
			 struct cv_error *err);

/* Add values to a watchlist (existing ones are kept). In a transaction. */
int risk_watchlist_add(struct store_conn *conn, const char *actor, const char *name, json_t *values,
		       size_t *added, struct cv_error *err);
/* Take a value off a watchlist; CV_ENOTFOUND when it is not on it. In a transaction. */
int risk_watchlist_remove(struct store_conn *conn, const char *name, const char *value);
/* The watchlists: name, how many values, when one was last added. */
int risk_watchlists_list(struct store_conn *conn, json_t **out);
/*
 * Add the values of a CSV text (first column; a first row "value" is a
 * header; data is parsed in place), or with replace make them the whole
 * list. A bad row is CV_EINVAL naming its line, and nothing changes. In a
 * transaction.
 */
int risk_watchlist_load_csv(struct store_conn *conn, const char *actor, const char *name,
			    char *data, size_t size, int replace, size_t *added, size_t *removed,
			    struct cv_error *err);
/* The values of a watchlist, in order. */
int risk_watchlist_get(struct store_conn *conn, const char *name, json_t **out);
/* risk_in_list_fn over the database: ctx is the struct store_conn. */
int risk_watchlist_contains(void *conn, const char *list, const char *value);

/* The lane parameters of an office (its own row, or the default '*'). */
int risk_office_params_load(struct store_conn *conn, const char *office,
			    struct risk_office_params *out);

/* An office code: '*' (the default) or 1 to 32 letters, digits, '-' and '_'. */
int risk_office_code_valid(const char *office);
/* {office, inherited, blue_threshold, ...}: the parameters as the API shows them. */
json_t *risk_office_params_json(const char *office, const struct risk_office_params *p,
				int inherited);
/*
 * Apply the members of body (by the names risk_office_params_json uses) to
 * p; each bad member, and thresholds that do not rise or expected shares
 * above 1, go into errors as {field, message}. CV_EINVAL when any did.
 */
int risk_office_params_merge(json_t *body, struct risk_office_params *p, json_t *errors);
/* Store the parameters of an office (insert or replace). In a transaction. */
int risk_office_params_save(struct store_conn *conn, const char *office,
			    const struct risk_office_params *p);
/* True when the office has its own row (not the default's). */
int risk_office_params_own(struct store_conn *conn, const char *office);
/* Every office with its own parameters, the default '*' first. */
int risk_office_params_list(struct store_conn *conn, json_t **out);

/* The node's secret for the random draw, made on first use. */
int risk_node_secret(struct store_conn *conn, unsigned char secret[RISK_SECRET_BYTES]);

#endif
