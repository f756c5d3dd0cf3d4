/*
 * examination.h — what examinations of a declaration found, and what the
 * engine learns from it: the result goes into consignment memory under the
 * key of each item (importer, seller or exporter, HS6, origin), and into the
 * compliance record of the trader when it is a registered operator.
 */
#ifndef CV_RISK_EXAMINATION_H
#define CV_RISK_EXAMINATION_H

#include "aeo/applications.h"
#include "base/err.h"
#include "store/db.h"

#include <jansson.h>

struct risk_examination {
	const char *kind;        /* documentary or physical */
	const char *reason;      /* lane, random, officer, agency or import */
	const char *result;      /* clean, minor, major or seizure */
	const char *notes;       /* may be NULL */
	const char *examined_on; /* date, not in the future; NULL: today */
};

/* Append {field, message} to errors for every bad member of ex; CV_EINVAL when any. */
int risk_examination_check(const struct risk_examination *ex, const char *today, json_t *errors);

/*
 * Record an examination of declaration (its id or number). CV_EINVAL naming
 * the bad field; CV_ENOTFOUND for an unknown declaration. *out (may be NULL)
 * receives the examination as JSON. In a write transaction.
 */
int risk_examination_record(struct store_conn *conn, const struct aeo_context *ctx,
			    const char *actor, const char *declaration,
			    const struct risk_examination *ex, json_t **out, struct cv_error *err);

/*
 * The learning half of risk_examination_record, for an examination stored
 * elsewhere (a joint examination completing): memory and compliance. In a
 * write transaction.
 */
int risk_examination_learn(struct store_conn *conn, const struct aeo_context *ctx,
			   const char *actor, const char *declaration, const char *examination_id,
			   const struct risk_examination *ex, struct cv_error *err);

/* The examinations of a declaration, oldest first. CV_ENOTFOUND for an unknown declaration. */
int risk_examinations_list(struct store_conn *conn, const char *declaration, json_t **out);

#endif
