/*
 * model_internal.h — what the files of the learned model share (model.c:
 * features, scoring, explanation; model_train.c: the booster; model_io.c:
 * the binary format). Not for other modules: they include risk/model.h.
 *
 * A model's features are, in order: for each encoder, its smoothed fraud
 * rate then its count; then the numeric features. An encoder is a list of up
 * to MODEL_COMPONENTS_MAX components (a text field, or a prefix of the HS
 * code); its key joins the components' texts with a unit separator.
 */
#ifndef CV_RISK_MODEL_INTERNAL_H
#define CV_RISK_MODEL_INTERNAL_H

#include "risk/model.h"

#include <stddef.h>
#include <stdint.h>

#define MODEL_COMPONENTS_MAX 3
#define MODEL_KEY_MAX 1024 /* bytes of a joined key; longer keys are missing */
#define MODEL_NAME_MAX 96
#define MODEL_FEATURES_MAX 512 /* a loaded model with more is refused */
#define MODEL_BINS_MAX 255     /* numeric bins; bin 0 more holds missing values */

/* Components beyond the text fields: prefixes of the HS code. */
enum model_component { MODEL_HS6 = RISK_MODEL_TEXT_FIELDS, MODEL_HS4, MODEL_HS2, MODEL_COMPONENTS };

/* Numeric features. Order is part of the saved format: append only. */
enum model_numeric {
	MODEL_TAX_RATE,
	MODEL_NET_MASS,
	MODEL_VALUE,
	MODEL_UNIT_VALUE, /* value / net mass; missing when the mass is 0 */
	MODEL_TAX_AMOUNT, /* value * tax rate / 100 */
	MODEL_NUMERICS
};

/* One key of an encoder with its training statistics. */
struct model_entry {
	uint32_t key_offset; /* in the encoder's pool */
	uint32_t key_len;
	double sum;   /* frauds among the training rows with this key */
	double count; /* training rows with this key */
};

struct model_encoder {
	int ncomponents;
	uint8_t components[MODEL_COMPONENTS_MAX];
	struct model_entry *entries; /* in insertion order, which the format keeps */
	size_t nentries, entries_cap;
	uint32_t *slots; /* open addressing: entry index + 1, 0 for empty */
	size_t nslots;   /* a power of two, at least twice nentries */
	char *pool;      /* the keys, back to back */
	size_t pool_len, pool_cap;
	char rate_name[MODEL_NAME_MAX];  /* "importer fraud rate" */
	char count_name[MODEL_NAME_MAX]; /* "importer count" */
};

/* A node of a tree: a split (feature >= 0) or a leaf (feature -1). */
struct model_node {
	int32_t feature;
	double threshold;     /* left when the value is <= threshold or missing */
	uint32_t left, right; /* children; always after the node in the array */
	double value;         /* leaf: its output; split: the expected output below */
};

struct model_tree {
	struct model_node *nodes;
	uint32_t nnodes;
};

struct risk_model {
	struct risk_model_params params;
	uint64_t rows, positives, seed;
	double prior;      /* share of fraud in the training rows */
	double init_score; /* log-odds of prior: the boosting's starting point */
	struct model_encoder *encoders;
	size_t nencoders;
	uint8_t *numerics; /* enum model_numeric of each numeric feature */
	size_t nnumerics;
	struct model_tree *trees;
	size_t ntrees, trees_cap;
};

/* Features of a model: two per encoder, then the numerics. */
static inline size_t model_feature_count(const struct risk_model *m)
{
	return 2 * m->nencoders + m->nnumerics;
}

/* A new empty model (params copied), or NULL. */
struct risk_model *model_new(const struct risk_model_params *params);

/* Give enc its components and feature names. CV_EINVAL for a bad component. */
int model_encoder_setup(struct model_encoder *enc, int ncomponents, const uint8_t *components);

/*
 * Join row's components into key (MODEL_KEY_MAX bytes); returns the length,
 * or 0 when a component is missing (the rate then falls back to the prior).
 */
size_t model_encoder_key(const struct model_encoder *enc, const struct risk_model_row *row,
			 char *key);

/* The entry of key, or NULL. */
const struct model_entry *model_encoder_find(const struct model_encoder *enc, const char *key,
					     size_t len);

/*
 * Add key (not present) with zero statistics; *index receives its entry's
 * index. *index is the existing one when the key is present and *added 0.
 */
int model_encoder_insert(struct model_encoder *enc, const char *key, size_t len, size_t *index,
			 int *added);

/* The smoothed fraud rate (sum + m * prior) / (count + m). */
static inline double model_smoothed_rate(double sum, double count, double prior, double m)
{
	return (sum + m * prior) / (count + m);
}

/* A numeric feature of row; NAN when missing. */
double model_numeric_value(enum model_numeric kind, const struct risk_model_row *row);

/* Every feature of row into x (model_feature_count values), as scoring sees them. */
void model_features(const struct risk_model *m, const struct risk_model_row *row, double *x);

/* Name of feature f. */
const char *model_feature_name(const struct risk_model *m, size_t f);

/* Append an empty tree; *tree points to it. */
int model_add_tree(struct risk_model *m, struct model_tree **tree);

#endif
