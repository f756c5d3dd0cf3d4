/*
 * training.h — the learned model inside the node: the training rows are the
 * examined declaration items in the database (label: the declaration's worst
 * examination result was a major finding or a seizure); a trained model is
 * stored as a new version and becomes the active one; the engine loads the
 * active model to score each item (risk/assess.c).
 */
#ifndef CV_RISK_TRAINING_H
#define CV_RISK_TRAINING_H

#include "base/arena.h"
#include "base/err.h"
#include "base/ids.h"
#include "risk/model.h"
#include "store/db.h"

#include <jansson.h>

/* The attributes a declaration document carries for the model besides its columns. */
struct risk_model_attributes {
	const char *import_type, *import_use, *payment_type, *tax_type, *origin_indicator;
};

/* Read the attributes from a declaration document's text ({"attributes": {...}}); "" when absent. */
void risk_model_attributes_read(const char *document, struct cv_arena *arena,
				struct risk_model_attributes *out);

/*
 * Every examined item as a training row, strings from arena. *positives
 * receives how many are fraud. The rows are in lodgement order.
 */
int risk_training_rows(struct store_conn *conn, struct cv_arena *arena, struct risk_model_row **rows,
		       size_t *n, size_t *positives, struct cv_error *err);

/*
 * Store model as a new version, active from now on (the previous one
 * retires). *out (may be NULL) receives {id, version, status, summary,
 * created_by, created_at}. In a write transaction.
 */
int risk_model_store(struct store_conn *conn, const char *actor, const struct risk_model *model,
		     json_t **out, struct cv_error *err);

/* The active model and its id; CV_ENOTFOUND when none was trained. */
int risk_model_load_active(struct store_conn *conn, struct risk_model **model, char id[CV_UUID_STR],
			   struct cv_error *err);

/* Model versions, newest first, with their summaries (not the models). */
int risk_models_list(struct store_conn *conn, json_t **out);

#endif
