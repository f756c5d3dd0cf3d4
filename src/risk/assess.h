/*
 * assess.h — the selectivity engine on stored declarations: read a
 * declaration from the database as the engine sees it (the trader's AEO
 * status and compliance score, consignment memory per item), decide its
 * lane with the active profile set, and store the decision with its
 * explanation and the profiles it hit.
 *
 * A struct risk_assessor holds what does not change between declarations
 * (the compiled active profile set, the active learned model, the node
 * secret): open one per request or per batch. Compiled sets and models are
 * cached for the process and shared between threads; opening an assessor
 * costs two indexed reads while the active versions stay the same.
 */
#ifndef CV_RISK_ASSESS_H
#define CV_RISK_ASSESS_H

#include "base/arena.h"
#include "base/err.h"
#include "base/ids.h"
#include "risk/decision.h"
#include "risk/training.h"
#include "store/db.h"

#include <jansson.h>

struct risk_assessor;

/* The active profile set (an empty one when none is active) and the node secret. */
int risk_assessor_open(struct store_conn *conn, struct risk_assessor **out, struct cv_error *err);
void risk_assessor_free(struct risk_assessor *a);
/* The compiled profile set the assessor uses (never NULL). */
const struct risk_profile_set *risk_assessor_profiles(const struct risk_assessor *a);

/*
 * Decide the lane of a declaration that is not stored (POST
 * /api/v1/risk/assess): the office's parameters, the node secret, the
 * active set (and model); nothing is written.
 */
int risk_assess_declaration(struct risk_assessor *a, struct store_conn *conn,
			    const struct risk_declaration *d, struct cv_arena *arena,
			    enum risk_lane *lane, json_t **explanation);

/* A stored declaration as the engine reads it, with what the decision needs besides. */
struct risk_stored_declaration {
	struct risk_declaration d;
	const char *number, *office, *lodged_on, *direction;
	struct risk_office_params params; /* of its office */
	const char *trader; /* importer (import) or exporter: whose AEO status counts */
	struct risk_model_attributes attributes; /* what the document carries for the model */
	const char **memory_keys; /* per item: importer|seller or exporter|HS6|origin */
	int *clean;               /* per item: clean examinations in a row (memory) */
};

/*
 * Read declaration id (its UUID or its number) into out, allocated from arena.
 * CV_ENOTFOUND when absent.
 */
int risk_declaration_load(struct store_conn *conn, const char *id, struct cv_arena *arena,
			  struct risk_stored_declaration *out, struct cv_error *err);

/* What a caller that only goes on needs of a decision. */
struct risk_outcome {
	char decision_id[CV_UUID_STR];
	char lane[8]; /* green, blue, yellow, red */
};

/*
 * Decide the lane of a stored declaration and store the decision (the
 * previous one, if any, is superseded). brief (may be NULL) receives the
 * decision's id and lane; *out (may be NULL) the whole decision as GET
 * /api/v1/declarations/{id}/risk returns it, read back (dearer: ask for
 * it only to show it). In a write transaction.
 */
int risk_assess_stored(struct risk_assessor *a, struct store_conn *conn, const char *id,
		       struct risk_outcome *brief, json_t **out, struct cv_error *err);

/* The current decision of a declaration; CV_ENOTFOUND when it has none. */
int risk_decision_get(struct store_conn *conn, const char *id, json_t **out);

/* The memory key of an item: importer|seller (or exporter)|HS6|origin, from arena. */
const char *risk_memory_key(struct cv_arena *arena, const struct risk_item *item);

#endif
