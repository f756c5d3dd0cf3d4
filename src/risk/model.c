/*
 * model.c — the learned risk model at scoring time: features of a row,
 * score, explanation, parameters, the training summary (see model.h).
 *
 * Design. Scoring one item must be cheap and lock-free, since the engine
 * scores every item of every declaration (~50 declarations a second at peak,
 * a few items each): a row's features are computed straight from the row —
 * one hash lookup per encoder (17 identifiers and 4 combinations), five
 * arithmetic numbers — and each tree is walked with plain comparisons on
 * those values, so a score costs a few microseconds and touches nothing but
 * the immutable model. Training (model_train.c) works on histogram bins
 * instead, but stores each split as a threshold on the raw value, chosen so
 * that the two agree exactly: a bin b holds the values v with
 * edge[b-2] < v <= edge[b-1], and the split "bin <= t" is stored as
 * "v <= edge[t-1]".
 *
 * The encoding tables are open-addressing hash tables of the keys seen in
 * training (about 12,000 importers and 19,000 importer × HS6 pairs in the
 * published dataset), keys back to back in one pool.
 */
#include "risk/model_internal.h"

#include "base/mem.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SEPARATOR '\x1f'
#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL
#define SLOTS_INITIAL 64
#define ENTRIES_INITIAL 64
#define POOL_INITIAL 1024
#define PERCENT 100.0

static const char *const text_names[RISK_MODEL_TEXT_FIELDS] = {
	[RISK_MODEL_OFFICE] = "office",
	[RISK_MODEL_PROCEDURE] = "procedure",
	[RISK_MODEL_IMPORT_TYPE] = "import_type",
	[RISK_MODEL_IMPORT_USE] = "import_use",
	[RISK_MODEL_PAYMENT_TYPE] = "payment_type",
	[RISK_MODEL_MODE] = "mode",
	[RISK_MODEL_DECLARANT] = "declarant",
	[RISK_MODEL_IMPORTER] = "importer",
	[RISK_MODEL_SELLER] = "seller",
	[RISK_MODEL_COURIER] = "courier",
	[RISK_MODEL_HS] = "hs",
	[RISK_MODEL_DEPARTURE] = "departure",
	[RISK_MODEL_ORIGIN] = "origin",
	[RISK_MODEL_TAX_TYPE] = "tax_type",
	[RISK_MODEL_ORIGIN_INDICATOR] = "origin_indicator",
};

static const char *const number_names[RISK_MODEL_NUMBER_FIELDS] = {"tax_rate", "net_mass", "value"};

static const char *const numeric_names[MODEL_NUMERICS] = {"tax_rate", "net_mass", "value",
							  "unit_value", "tax_amount"};

static const char *const prefix_names[] = {"hs6", "hs4", "hs2"};
static const size_t prefix_lengths[] = {6, 4, 2};

const char *risk_model_text_name(enum risk_model_text field)
{
	return (unsigned)field < RISK_MODEL_TEXT_FIELDS ? text_names[field] : "";
}

const char *risk_model_number_name(enum risk_model_number field)
{
	return (unsigned)field < RISK_MODEL_NUMBER_FIELDS ? number_names[field] : "";
}

/* ---- parameters ---------------------------------------------------------- */

void risk_model_params_defaults(struct risk_model_params *p)
{
	/* Chosen on train.csv -> valid.csv (docs/RISK.md, "The learned model"). */
	p->trees = 600;
	p->learning_rate = 0.05;
	p->max_leaves = 255;
	p->max_depth = 16;
	p->min_leaf_rows = 20;
	p->min_leaf_hessian = 1e-3;
	p->l2 = 1.0;
	p->min_gain = 0.0;
	p->row_fraction = 0.8;
	p->feature_fraction = 0.8;
	p->bins = MODEL_BINS_MAX;
	p->folds = 5;
	p->smoothing = 10.0;
}

enum param_kind { PARAM_INT, PARAM_DOUBLE };

struct param_spec {
	const char *name;
	enum param_kind kind;
	size_t offset;
	double min, max; /* inclusive */
};

#define PARAM(name, kind, min, max)                                                                \
	{                                                                                          \
#name, kind, offsetof(struct risk_model_params, name), min, max                    \
	}

static const struct param_spec param_specs[] = {
	PARAM(trees, PARAM_INT, 1, 100000),
	PARAM(learning_rate, PARAM_DOUBLE, 1e-6, 1),
	PARAM(max_leaves, PARAM_INT, 2, 4096),
	PARAM(max_depth, PARAM_INT, 1, 64),
	PARAM(min_leaf_rows, PARAM_INT, 1, 1e9),
	PARAM(min_leaf_hessian, PARAM_DOUBLE, 0, 1e9),
	PARAM(l2, PARAM_DOUBLE, 0, 1e9),
	PARAM(min_gain, PARAM_DOUBLE, 0, 1e9),
	PARAM(row_fraction, PARAM_DOUBLE, 1e-3, 1),
	PARAM(feature_fraction, PARAM_DOUBLE, 1e-3, 1),
	PARAM(bins, PARAM_INT, 2, MODEL_BINS_MAX),
	PARAM(folds, PARAM_INT, 2, 20),
	PARAM(smoothing, PARAM_DOUBLE, 0, 1e9),
};

#define NPARAMS (sizeof(param_specs) / sizeof(param_specs[0]))

static double param_get(const struct risk_model_params *p, const struct param_spec *s)
{
	const char *base = (const char *)p + s->offset;

	if (s->kind == PARAM_INT)
		return *(const int *)(const void *)base;
	return *(const double *)(const void *)base;
}

int risk_model_params_check(const struct risk_model_params *p, struct cv_error *err)
{
	for (size_t i = 0; i < NPARAMS; i++) {
		double v = param_get(p, &param_specs[i]);

		/* Written so that NAN fails too. */
		if (!(v >= param_specs[i].min && v <= param_specs[i].max))
			return cv_error_set(err, CV_EINVAL, param_specs[i].name,
					    "%s must be between %g and %g", param_specs[i].name,
					    param_specs[i].min, param_specs[i].max);
	}
	return CV_OK;
}

int risk_model_params_set(struct risk_model_params *p, const char *name, const char *value,
			  struct cv_error *err)
{
	for (size_t i = 0; i < NPARAMS; i++) {
		const struct param_spec *s = &param_specs[i];
		char *base = (char *)p + s->offset, *end;
		double v;

		if (strcmp(s->name, name) != 0)
			continue;
		errno = 0;
		v = strtod(value, &end);
		if (end == value || *end != '\0' || errno == ERANGE ||
		    !(v >= s->min && v <= s->max) || (s->kind == PARAM_INT && v != floor(v)))
			return cv_error_set(err, CV_EINVAL, name,
					    "%s must be %s between %g and %g, not \"%s\"", name,
					    s->kind == PARAM_INT ? "an integer" : "a number",
					    s->min, s->max, value);
		if (s->kind == PARAM_INT)
			*(int *)(void *)base = (int)v;
		else
			*(double *)(void *)base = v;
		return CV_OK;
	}
	return cv_error_set(err, CV_EINVAL, name,
			    "unknown model parameter \"%s\" (trees, learning_rate, max_leaves, max_depth, min_leaf_rows, min_leaf_hessian, l2, min_gain, row_fraction, feature_fraction, bins, folds, smoothing)",
			    name);
}

/* ---- encoders ------------------------------------------------------------ */

static const char *component_name(int c)
{
	return c < RISK_MODEL_TEXT_FIELDS ? text_names[c] : prefix_names[c - MODEL_HS6];
}

int model_encoder_setup(struct model_encoder *enc, int ncomponents, const uint8_t *components)
{
	char name[MODEL_NAME_MAX];
	size_t len = 0;

	if (ncomponents < 1 || ncomponents > MODEL_COMPONENTS_MAX)
		return CV_EINVAL;
	enc->ncomponents = ncomponents;
	for (int i = 0; i < ncomponents; i++) {
		int n;

		if (components[i] >= MODEL_COMPONENTS)
			return CV_EINVAL;
		enc->components[i] = components[i];
		n = snprintf(name + len, sizeof(name) - len, "%s%s", i ? "+" : "",
			     component_name(components[i]));
		if (n < 0 || (size_t)n >= sizeof(name) - len)
			return CV_EINVAL;
		len += (size_t)n;
	}
	if (snprintf(enc->rate_name, sizeof(enc->rate_name), "%s fraud rate", name) < 0 ||
	    snprintf(enc->count_name, sizeof(enc->count_name), "%s count", name) < 0)
		return CV_EINVAL;
	return CV_OK;
}

size_t model_encoder_key(const struct model_encoder *enc, const struct risk_model_row *row,
			 char *key)
{
	size_t len = 0;

	for (int i = 0; i < enc->ncomponents; i++) {
		int c = enc->components[i];
		const char *text;
		size_t n;

		if (c < RISK_MODEL_TEXT_FIELDS) {
			text = row->text[c] ? row->text[c] : "";
			n = strlen(text);
		} else {
			text = row->text[RISK_MODEL_HS] ? row->text[RISK_MODEL_HS] : "";
			n = prefix_lengths[c - MODEL_HS6];
			if (strnlen(text, n) < n)
				return 0;
		}
		if (n == 0 || len + n + 1 > MODEL_KEY_MAX)
			return 0;
		if (i)
			key[len++] = KEY_SEPARATOR;
		memcpy(key + len, text, n);
		len += n;
	}
	return len;
}

static uint64_t hash_key(const char *key, size_t len)
{
	uint64_t h = FNV_OFFSET;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * FNV_PRIME;
	return h;
}

/* The slot of key: its entry's slot, or the empty slot where it would go. */
static size_t find_slot(const struct model_encoder *enc, const char *key, size_t len)
{
	size_t mask = enc->nslots - 1, s = (size_t)hash_key(key, len) & mask;

	for (;;) {
		uint32_t e = enc->slots[s];

		if (e == 0)
			return s;
		if (enc->entries[e - 1].key_len == len &&
		    memcmp(enc->pool + enc->entries[e - 1].key_offset, key, len) == 0)
			return s;
		s = (s + 1) & mask;
	}
}

const struct model_entry *model_encoder_find(const struct model_encoder *enc, const char *key,
					     size_t len)
{
	size_t s;

	if (enc->nslots == 0)
		return NULL;
	s = find_slot(enc, key, len);
	return enc->slots[s] ? &enc->entries[enc->slots[s] - 1] : NULL;
}

static int grow_slots(struct model_encoder *enc)
{
	size_t n = enc->nslots ? enc->nslots * 2 : SLOTS_INITIAL;
	uint32_t *old = enc->slots;
	size_t old_n = enc->nslots;

	enc->slots = cv_calloc(n, sizeof(*enc->slots));
	if (!enc->slots) {
		enc->slots = old;
		return CV_ENOMEM;
	}
	enc->nslots = n;
	for (size_t i = 0; i < old_n; i++) {
		const struct model_entry *e;

		if (!old[i])
			continue;
		e = &enc->entries[old[i] - 1];
		enc->slots[find_slot(enc, enc->pool + e->key_offset, e->key_len)] = old[i];
	}
	cv_free(old);
	return CV_OK;
}

static int grow_pool(struct model_encoder *enc, size_t extra)
{
	size_t cap = enc->pool_cap ? enc->pool_cap : POOL_INITIAL;
	char *grown;

	while (cap - enc->pool_len < extra)
		cap *= 2;
	if (cap == enc->pool_cap)
		return CV_OK;
	if (cap > UINT32_MAX)
		return CV_ENOMEM;
	grown = cv_realloc(enc->pool, cap);
	if (!grown)
		return CV_ENOMEM;
	enc->pool = grown;
	enc->pool_cap = cap;
	return CV_OK;
}

int model_encoder_insert(struct model_encoder *enc, const char *key, size_t len, size_t *index,
			 int *added)
{
	struct model_entry *e;
	size_t s;

	*added = 0;
	if ((enc->nentries + 1) * 2 > enc->nslots && grow_slots(enc))
		return CV_ENOMEM;
	s = find_slot(enc, key, len);
	if (enc->slots[s]) {
		*index = enc->slots[s] - 1;
		return CV_OK;
	}
	if (enc->nentries == enc->entries_cap) {
		size_t cap = enc->entries_cap ? enc->entries_cap * 2 : ENTRIES_INITIAL;
		struct model_entry *grown = cv_realloc(enc->entries, cap * sizeof(*grown));

		if (!grown)
			return CV_ENOMEM;
		enc->entries = grown;
		enc->entries_cap = cap;
	}
	if (grow_pool(enc, len))
		return CV_ENOMEM;
	e = &enc->entries[enc->nentries];
	e->key_offset = (uint32_t)enc->pool_len;
	e->key_len = (uint32_t)len;
	e->sum = 0;
	e->count = 0;
	memcpy(enc->pool + enc->pool_len, key, len);
	enc->pool_len += len;
	*index = enc->nentries++;
	enc->slots[s] = (uint32_t)*index + 1;
	*added = 1;
	return CV_OK;
}

/* ---- features ------------------------------------------------------------ */

double model_numeric_value(enum model_numeric kind, const struct risk_model_row *row)
{
	double mass = row->number[RISK_MODEL_NET_MASS], value = row->number[RISK_MODEL_VALUE];

	switch (kind) {
	case MODEL_TAX_RATE: return row->number[RISK_MODEL_TAX_RATE];
	case MODEL_NET_MASS: return mass;
	case MODEL_VALUE: return value;
	case MODEL_UNIT_VALUE: return mass > 0 ? value / mass : NAN;
	case MODEL_TAX_AMOUNT: return value * row->number[RISK_MODEL_TAX_RATE] / PERCENT;
	case MODEL_NUMERICS: break;
	}
	return NAN;
}

void model_features(const struct risk_model *m, const struct risk_model_row *row, double *x)
{
	char key[MODEL_KEY_MAX];

	for (size_t e = 0; e < m->nencoders; e++) {
		const struct model_encoder *enc = &m->encoders[e];
		size_t len = model_encoder_key(enc, row, key);
		const struct model_entry *entry = len ? model_encoder_find(enc, key, len) : NULL;
		double sum = entry ? entry->sum : 0, count = entry ? entry->count : 0;

		x[2 * e] = model_smoothed_rate(sum, count, m->prior, m->params.smoothing);
		x[2 * e + 1] = count;
	}
	for (size_t k = 0; k < m->nnumerics; k++)
		x[2 * m->nencoders + k] = model_numeric_value(m->numerics[k], row);
}

const char *model_feature_name(const struct risk_model *m, size_t f)
{
	if (f < 2 * m->nencoders)
		return f % 2 ? m->encoders[f / 2].count_name : m->encoders[f / 2].rate_name;
	return numeric_names[m->numerics[f - 2 * m->nencoders]];
}

/* ---- scoring ------------------------------------------------------------- */

static int goes_left(const struct model_node *node, double v)
{
	return isnan(v) || v <= node->threshold;
}

/* The raw log-odds of x; contributions (per feature, or NULL) get the Saabas credits. */
static double raw_score(const struct risk_model *m, const double *x, double *contributions)
{
	double raw = m->init_score;

	for (size_t t = 0; t < m->ntrees; t++) {
		const struct model_tree *tree = &m->trees[t];
		uint32_t i = 0;

		while (tree->nodes[i].feature >= 0) {
			const struct model_node *node = &tree->nodes[i];

			i = goes_left(node, x[node->feature]) ? node->left : node->right;
			if (contributions)
				contributions[node->feature] += tree->nodes[i].value - node->value;
		}
		raw += tree->nodes[i].value;
	}
	return raw;
}

static double sigmoid(double raw) { return 1.0 / (1.0 + exp(-raw)); }

double risk_model_score(const struct risk_model *m, const struct risk_model_row *row)
{
	double x[MODEL_FEATURES_MAX];

	assert(model_feature_count(m) <= MODEL_FEATURES_MAX);
	model_features(m, row, x);
	return PERCENT * sigmoid(raw_score(m, x, NULL));
}

size_t risk_model_explain(const struct risk_model *m, const struct risk_model_row *row,
			  struct risk_model_contribution *out, size_t top_k)
{
	double x[MODEL_FEATURES_MAX], c[MODEL_FEATURES_MAX] = {0};
	size_t nf = model_feature_count(m), filled = 0;
	unsigned char used[MODEL_FEATURES_MAX] = {0};

	assert(nf <= MODEL_FEATURES_MAX);
	model_features(m, row, x);
	/* The tree values at the root carry the rest: the base rate. */
	raw_score(m, x, c);
	/* top_k is small (a handful for the officer): selection beats sorting. */
	while (filled < top_k) {
		size_t best = nf;

		for (size_t f = 0; f < nf; f++)
			if (!used[f] && c[f] != 0 && (best == nf || fabs(c[f]) > fabs(c[best])))
				best = f;
		if (best == nf)
			break;
		used[best] = 1;
		out[filled].feature = model_feature_name(m, best);
		out[filled].contribution = c[best];
		filled++;
	}
	return filled;
}

/* ---- the model ----------------------------------------------------------- */

struct risk_model *model_new(const struct risk_model_params *params)
{
	struct risk_model *m = cv_calloc(1, sizeof(*m));

	if (m)
		m->params = *params;
	return m;
}

int model_add_tree(struct risk_model *m, struct model_tree **tree)
{
	if (m->ntrees == m->trees_cap) {
		size_t cap = m->trees_cap ? m->trees_cap * 2 : 64;
		struct model_tree *grown = cv_realloc(m->trees, cap * sizeof(*grown));

		if (!grown)
			return CV_ENOMEM;
		m->trees = grown;
		m->trees_cap = cap;
	}
	*tree = &m->trees[m->ntrees++];
	(*tree)->nodes = NULL;
	(*tree)->nnodes = 0;
	return CV_OK;
}

void risk_model_free(struct risk_model *m)
{
	if (!m)
		return;
	for (size_t e = 0; e < m->nencoders; e++) {
		cv_free(m->encoders[e].entries);
		cv_free(m->encoders[e].slots);
		cv_free(m->encoders[e].pool);
	}
	cv_free(m->encoders);
	cv_free(m->numerics);
	for (size_t t = 0; t < m->ntrees; t++)
		cv_free(m->trees[t].nodes);
	cv_free(m->trees);
	cv_free(m);
}

int risk_model_tree_count(const struct risk_model *m) { return (int)m->ntrees; }

size_t risk_model_feature_count(const struct risk_model *m) { return model_feature_count(m); }

json_t *risk_model_summary_json(const struct risk_model *m)
{
	json_t *params = json_object(), *features = json_array();
	char seed[20];

	for (size_t i = 0; params && i < NPARAMS; i++) {
		double v = param_get(&m->params, &param_specs[i]);

		json_object_set_new(params, param_specs[i].name,
				    param_specs[i].kind == PARAM_INT ? json_integer((json_int_t)v)
								     : json_real(v));
	}
	for (size_t f = 0; features && f < model_feature_count(m); f++)
		json_array_append_new(features, json_string(model_feature_name(m, f)));
	/* JSON integers are signed 64-bit: the seed travels as hex text. */
	if (snprintf(seed, sizeof(seed), "%016llx", (unsigned long long)m->seed) < 0)
		seed[0] = '\0';
	return json_pack("{s:i, s:I, s:I, s:f, s:i, s:o*, s:s, s:o*}", "format", 1, "rows",
			 (json_int_t)m->rows, "positives", (json_int_t)m->positives, "prior",
			 m->prior, "trees", (int)m->ntrees, "features", features, "seed", seed,
			 "params", params);
}

/* ---- precision@n% -------------------------------------------------------- */

struct ranked {
	double score;
	size_t index;
};

static int by_risk(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

double risk_model_precision_at(const double *scores, const int *labels, size_t n, double percent)
{
	struct ranked *r;
	size_t k, hits = 0;

	if (n == 0)
		return 0;
	k = (size_t)floor((double)n * percent / PERCENT + 0.5);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	r = cv_malloc(n * sizeof(*r));
	if (!r)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		r[i].score = isnan(scores[i]) ? -INFINITY : scores[i];
		r[i].index = i;
	}
	qsort(r, n, sizeof(*r), by_risk);
	for (size_t i = 0; i < k; i++)
		hits += labels[r[i].index] == 1;
	cv_free(r);
	return (double)hits / (double)k;
}
