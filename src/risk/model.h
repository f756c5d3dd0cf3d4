/*
 * model.h — the learned risk model: gradient-boosted decision trees over
 * target-encoded identifiers, trained on examined declarations.
 *
 * The selectivity engine trains a model on the declaration items whose
 * examination result is known (fraud: a major finding or a seizure), stores
 * it as a versioned BLOB (risk_model_save / risk_model_load), and scores each
 * new item with risk_model_score(): the probability of fraud times 100, which
 * the lane decision adds times the office's model weight (docs/RISK.md).
 * risk_model_explain() names the features that pushed an item's score up or
 * down, for the explanation that goes with every decision.
 *
 * The method (docs/RISK.md, "The learned model"): each high-cardinality
 * identifier (importer, declarant, seller, HS6/HS4/HS2, origin, ...) and some
 * combinations become two numbers — its smoothed fraud rate in the training
 * rows (out-of-fold while training, so a row never sees its own label) and
 * how often it was seen; with the declared numbers (tax rate, mass, value,
 * unit value) they feed a LightGBM-style booster (log loss, histograms of at
 * most 255 bins, leaf-wise growth, L2 regularisation, row and feature
 * subsampling).
 *
 * Ownership: a struct risk_model owns everything it refers to, including the
 * encoding tables; rows are borrowed for the duration of a call.
 * Thread-safety: training is single-threaded and deterministic for a given
 * seed; a trained or loaded model is immutable, so score, explain, save and
 * summary may run on one model from many threads at once.
 */
#ifndef CV_RISK_MODEL_H
#define CV_RISK_MODEL_H

#include "base/buf.h"
#include "base/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The text fields of a row. Order is part of the saved format: append only. */
enum risk_model_text {
	RISK_MODEL_OFFICE,
	RISK_MODEL_PROCEDURE, /* the dataset's Process Type */
	RISK_MODEL_IMPORT_TYPE,
	RISK_MODEL_IMPORT_USE,
	RISK_MODEL_PAYMENT_TYPE,
	RISK_MODEL_MODE,
	RISK_MODEL_DECLARANT,
	RISK_MODEL_IMPORTER,
	RISK_MODEL_SELLER,
	RISK_MODEL_COURIER,
	RISK_MODEL_HS, /* 6 to 10 digits; the model uses its HS6, HS4 and HS2 prefixes */
	RISK_MODEL_DEPARTURE,
	RISK_MODEL_ORIGIN,
	RISK_MODEL_TAX_TYPE,
	RISK_MODEL_ORIGIN_INDICATOR,
	RISK_MODEL_TEXT_FIELDS
};

/* The numeric fields of a row. */
enum risk_model_number {
	RISK_MODEL_TAX_RATE, /* percent */
	RISK_MODEL_NET_MASS, /* kg */
	RISK_MODEL_VALUE,    /* declared value */
	RISK_MODEL_NUMBER_FIELDS
};

/*
 * One declaration item as the model sees it. A missing text is "" (never
 * NULL) and falls back to the training prior; a missing number is NAN.
 * fraud (0 or 1) is read by training only.
 */
struct risk_model_row {
	const char *text[RISK_MODEL_TEXT_FIELDS];
	double number[RISK_MODEL_NUMBER_FIELDS];
	int fraud;
};

/* The field names ("office", "procedure", ... "tax_rate"), as in profiles. */
const char *risk_model_text_name(enum risk_model_text field);
const char *risk_model_number_name(enum risk_model_number field);

/* Training parameters; risk_model_params_defaults() gives the tuned values. */
struct risk_model_params {
	int trees;               /* boosting rounds */
	double learning_rate;    /* shrinkage of each tree */
	int max_leaves;          /* leaves per tree (leaf-wise growth) */
	int max_depth;           /* depth limit of a leaf */
	int min_leaf_rows;       /* rows a leaf must keep */
	double min_leaf_hessian; /* sum of p(1-p) a leaf must keep */
	double l2;               /* L2 penalty on leaf values (lambda) */
	double min_gain;         /* a split must gain at least this */
	double row_fraction;     /* rows sampled for each tree */
	double feature_fraction; /* features sampled for each tree */
	int bins;                /* histogram bins per numeric feature, 2..255 */
	int folds;               /* K of the out-of-fold target encoding, 2..20 */
	double smoothing;        /* m: weight of the prior in a smoothed rate */
};

void risk_model_params_defaults(struct risk_model_params *params);

/*
 * Set one parameter by name ("trees", "learning_rate", "max_leaves",
 * "max_depth", "min_leaf_rows", "min_leaf_hessian", "l2", "min_gain",
 * "row_fraction", "feature_fraction", "bins", "folds", "smoothing") from
 * text; an unknown name or a value out of range is CV_EINVAL naming it.
 */
int risk_model_params_set(struct risk_model_params *params, const char *name, const char *value,
			  struct cv_error *err);

/* Checks every parameter's range; CV_EINVAL names the first bad one. */
int risk_model_params_check(const struct risk_model_params *params, struct cv_error *err);

struct risk_model;

/* Called after each tree when given to risk_model_train; ctx is the caller's. */
typedef void (*risk_model_progress_fn)(void *ctx, int trees_done, int trees_total);

/*
 * Train on n rows (borrowed). params NULL means the defaults. The same rows,
 * params and seed give a bit-identical model. Fails with CV_EINVAL when n is
 * under 2, a label is not 0/1, or the rows hold only one class; CV_ENOMEM.
 */
int risk_model_train(const struct risk_model_row *rows, size_t n,
		     const struct risk_model_params *params, uint64_t seed,
		     risk_model_progress_fn progress, void *progress_ctx, struct risk_model **out,
		     struct cv_error *err);

/* The risk of row: the model's probability of fraud times 100, in [0, 100]. */
double risk_model_score(const struct risk_model *model, const struct risk_model_row *row);

/* One feature's share of a score, in log-odds (positive raises the risk). */
struct risk_model_contribution {
	const char *feature; /* "importer fraud rate", "unit_value"...; owned by the model */
	double contribution;
};

/*
 * Attribute row's score to the model's features (each split on a row's path
 * credits its feature with the change of the expected value, Saabas-style),
 * and fill out with the top_k strongest by absolute value, strongest first.
 * Returns how many were filled (at most top_k). out needs top_k entries.
 */
size_t risk_model_explain(const struct risk_model *model, const struct risk_model_row *row,
			  struct risk_model_contribution *out, size_t top_k);

/*
 * Append the model to out in caravan's versioned binary format (magic
 * "CVRISKM", a version, the parameters and training summary, the encoding
 * tables and the trees, a checksum). CV_ENOMEM only.
 */
int risk_model_save(const struct risk_model *model, struct cv_buf *out);

/*
 * Read a model saved by risk_model_save. Anything else — a wrong magic or
 * version, a truncated blob, a bad checksum, a table or tree that does not
 * hold together — is CV_EINVAL with a message; never a crash.
 */
int risk_model_load(const void *data, size_t len, struct risk_model **out, struct cv_error *err);

/*
 * The training summary for the API: {"format": 1, "rows", "positives",
 * "trees", "features", "seed", "params": {...}}. New reference; NULL when
 * out of memory.
 */
json_t *risk_model_summary_json(const struct risk_model *model);

/* Number of trees and of features of a model. */
int risk_model_tree_count(const struct risk_model *model);
size_t risk_model_feature_count(const struct risk_model *model);

void risk_model_free(struct risk_model *model);

/*
 * precision@n%: the share of fraud among the k riskiest of n rows, where
 * k = round(n * percent / 100) (half up), at least 1; rows of equal score
 * are taken in index order. labels are 0/1. 0 when n is 0.
 */
double risk_model_precision_at(const double *scores, const int *labels, size_t n, double percent);

#endif
