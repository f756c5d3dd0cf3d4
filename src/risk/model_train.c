/*
 * model_train.c — training the learned risk model: out-of-fold target
 * encoding, then gradient boosting of histogram trees (see model.h).
 *
 * Target encoding. An identifier such as the importer becomes its smoothed
 * fraud rate (sum + m * prior) / (count + m) over the training rows, m the
 * smoothing. Computed on the very rows a tree then learns from, the rate
 * would carry each row's own label (an importer seen once with fraud gets a
 * rate near 1) and the trees would learn that leak instead of the risk. So
 * the training rows are dealt into K folds at random (seeded) and each row
 * gets the rate and count of its key in the other K-1 folds — what a new
 * declaration will see, a rate computed without it. The stored tables hold
 * the statistics of all training rows, which is what scoring uses. The count
 * of the other folds is scaled by K/(K-1) to match a count over all rows.
 *
 * Boosting (LightGBM's recipe, in small). Log loss; each tree fits the
 * Newton step of the gradient g = p - y and hessian h = p(1 - p) of the
 * current scores. Every feature is cut into at most `bins` quantile bins (bin
 * 0 holds missing values), so finding the best split of a leaf is one pass
 * over its rows to fill a histogram of (sum g, sum h, rows) per bin, then one
 * pass over the bins; the larger child's histogram is the parent's minus the
 * smaller child's. Trees grow leaf-wise: the leaf whose best split gains the
 * most is split next, up to max_leaves and max_depth. A split's gain is
 * G_L^2/(H_L+l2) + G_R^2/(H_R+l2) - G^2/(H+l2); a leaf's value is
 * -learning_rate * G/(H+l2). Each tree sees a seeded sample of the rows
 * (row_fraction) and of the features (feature_fraction).
 *
 * Determinism: one thread, one seeded generator (splitmix64) drawn in a fixed
 * order, sums in a fixed order, ties broken by index. Same rows, parameters
 * and seed give a bit-identical model.
 *
 * Cost on the published dataset (45,500 rows, 43 features, the default 600
 * trees of up to 255 leaves): about 13 s on one core; memory about 90 MB at
 * peak, mostly the leaf histograms (max_leaves * features * 256 bins * 24
 * bytes) and the feature matrix in doubles before binning.
 */
#include "risk/model_internal.h"

#include "base/mem.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST_BINS 256 /* bin 0 (missing) and up to MODEL_BINS_MAX value bins */
#define HESSIAN_FLOOR 1e-16

/* The encoders of a new model: {count, components...}. */
static const uint8_t default_encoders[][1 + MODEL_COMPONENTS_MAX] = {
	{1, RISK_MODEL_IMPORTER},
	{1, RISK_MODEL_DECLARANT},
	{1, RISK_MODEL_SELLER},
	{1, RISK_MODEL_COURIER},
	{1, RISK_MODEL_OFFICE},
	{1, MODEL_HS6},
	{1, MODEL_HS4},
	{1, MODEL_HS2},
	{1, RISK_MODEL_ORIGIN},
	{1, RISK_MODEL_DEPARTURE},
	{1, RISK_MODEL_PROCEDURE},
	{1, RISK_MODEL_IMPORT_TYPE},
	{1, RISK_MODEL_IMPORT_USE},
	{1, RISK_MODEL_PAYMENT_TYPE},
	{1, RISK_MODEL_MODE},
	{1, RISK_MODEL_TAX_TYPE},
	{1, RISK_MODEL_ORIGIN_INDICATOR},
	{2, RISK_MODEL_IMPORTER, MODEL_HS6},
	{2, RISK_MODEL_DECLARANT, RISK_MODEL_IMPORTER},
};

#define NDEFAULT_ENCODERS (sizeof(default_encoders) / sizeof(default_encoders[0]))

struct hist_bin {
	double g, h, n;
};

/* A leaf being grown, with its rows idx[begin, end) and its best split. */
struct leaf {
	uint32_t node;
	size_t begin, end;
	int depth;
	double G, H;
	struct hist_bin *hist;
	int feature; /* of the best split, -1 when none gains */
	int bin;     /* rows with bin <= this go left */
	double gain, GL, HL;
	size_t nleft;
};

struct trainer {
	const struct risk_model_params *p;
	struct risk_model *m;
	size_t n, nf;
	uint8_t *bins; /* nf * n, feature-major */
	double *edges; /* nf * MODEL_BINS_MAX */
	int *nbins;    /* per feature, counting bin 0 */
	double *g, *h, *score;
	int *y;
	uint32_t *idx, *tmp;
	uint8_t *feature_on;
	size_t *feature_order;
	struct hist_bin *hist_pool; /* max_leaves * nf * HIST_BINS */
	struct leaf *leaves;
	int *node_bin; /* the bin threshold of each node of the tree being grown */
	uint64_t rng;
};

static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double next_unit(uint64_t *state) { return (double)(next_random(state) >> 11) * 0x1.0p-53; }

static size_t next_below(uint64_t *state, size_t bound)
{
	return (size_t)(next_unit(state) * (double)bound);
}

/* ---- target encoding ----------------------------------------------------- */

/* Deal the rows into K folds of equal size at random. */
static int deal_folds(struct trainer *t, uint8_t *fold)
{
	size_t *perm = cv_malloc(t->n * sizeof(*perm));

	if (!perm)
		return CV_ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		perm[i] = i;
	for (size_t i = t->n - 1; i > 0; i--) {
		size_t j = next_below(&t->rng, i + 1), s = perm[i];

		perm[i] = perm[j];
		perm[j] = s;
	}
	for (size_t i = 0; i < t->n; i++)
		fold[perm[i]] = (uint8_t)(i % (size_t)t->p->folds);
	cv_free(perm);
	return CV_OK;
}

/*
 * Fill the encoder's table with the statistics of all rows, and columns
 * rate and count of x with each row's out-of-fold values.
 */
static int encode_column(struct trainer *t, struct model_encoder *enc,
			 const struct risk_model_row *rows, const uint8_t *fold, double *rate,
			 double *count)
{
	size_t k = (size_t)t->p->folds, *entry_of = cv_malloc(t->n * sizeof(*entry_of));
	double *fold_sum = NULL, *fold_count = NULL, scale = (double)k / (double)(k - 1);
	char key[MODEL_KEY_MAX];
	int rc = CV_ENOMEM;

	if (!entry_of)
		return CV_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t len = model_encoder_key(enc, &rows[i], key);
		int added;

		entry_of[i] = SIZE_MAX;
		if (len && model_encoder_insert(enc, key, len, &entry_of[i], &added))
			goto out;
	}
	fold_sum = cv_calloc(enc->nentries * k + 1, sizeof(*fold_sum));
	fold_count = cv_calloc(enc->nentries * k + 1, sizeof(*fold_count));
	if (!fold_sum || !fold_count)
		goto out;
	for (size_t i = 0; i < t->n; i++) {
		size_t e = entry_of[i];

		if (e == SIZE_MAX)
			continue;
		enc->entries[e].sum += t->y[i];
		enc->entries[e].count += 1;
		fold_sum[e * k + fold[i]] += t->y[i];
		fold_count[e * k + fold[i]] += 1;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t e = entry_of[i];
		double s = 0, c = 0;

		if (e != SIZE_MAX) {
			s = enc->entries[e].sum - fold_sum[e * k + fold[i]];
			c = enc->entries[e].count - fold_count[e * k + fold[i]];
		}
		rate[i] = model_smoothed_rate(s, c, t->m->prior, t->p->smoothing);
		count[i] = c * scale;
	}
	rc = CV_OK;
out:
	cv_free(entry_of);
	cv_free(fold_sum);
	cv_free(fold_count);
	return rc;
}

/* The feature matrix x (nf * n, feature-major) of the training rows. */
static int build_features(struct trainer *t, const struct risk_model_row *rows, double *x)
{
	struct risk_model *m = t->m;
	uint8_t *fold = cv_malloc(t->n);
	int rc = CV_OK;

	if (!fold)
		return CV_ENOMEM;
	rc = deal_folds(t, fold);
	for (size_t e = 0; !rc && e < m->nencoders; e++)
		rc = encode_column(t, &m->encoders[e], rows, fold, x + 2 * e * t->n,
				   x + (2 * e + 1) * t->n);
	for (size_t k = 0; !rc && k < m->nnumerics; k++) {
		double *col = x + (2 * m->nencoders + k) * t->n;

		for (size_t i = 0; i < t->n; i++)
			col[i] = model_numeric_value(m->numerics[k], &rows[i]);
	}
	cv_free(fold);
	return rc;
}

/* ---- histogram bins ------------------------------------------------------ */

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Number of edges below v: v's bin is 1 + that. */
static int edges_below(const double *edges, int nedges, double v)
{
	int lo = 0, hi = nedges;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (edges[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Choose the bin edges of feature f from its column (sorted scratch in tmp) and bin it. */
static void bin_feature(struct trainer *t, size_t f, const double *col, double *sorted)
{
	double *edges = t->edges + f * MODEL_BINS_MAX;
	size_t cnt = 0, distinct = 0, maxb = (size_t)t->p->bins;
	int ne = 0;

	for (size_t i = 0; i < t->n; i++)
		if (!isnan(col[i]))
			sorted[cnt++] = col[i];
	qsort(sorted, cnt, sizeof(*sorted), by_value);
	for (size_t i = 0; i < cnt; i++)
		distinct += i == 0 || sorted[i] != sorted[i - 1];
	if (distinct <= maxb) {
		/* One bin per value: the edges halfway between neighbours. */
		for (size_t i = 1; i < cnt; i++)
			if (sorted[i] != sorted[i - 1])
				edges[ne++] = sorted[i - 1] + (sorted[i] - sorted[i - 1]) / 2;
	} else {
		for (size_t j = 1; j < maxb; j++) {
			double v = sorted[j * cnt / maxb];

			if ((ne == 0 || v > edges[ne - 1]) && v < sorted[cnt - 1])
				edges[ne++] = v;
		}
	}
	assert(ne <= MODEL_BINS_MAX - 1);
	t->nbins[f] = ne + 2;
	for (size_t i = 0; i < t->n; i++)
		t->bins[f * t->n + i] = isnan(col[i])
						? 0
						: (uint8_t)(1 + edges_below(edges, ne, col[i]));
}

/* ---- growing a tree ------------------------------------------------------ */

static double leaf_term(double G, double H, double l2) { return G * G / (H + l2); }

static void build_hist(struct trainer *t, struct leaf *leaf)
{
	for (size_t f = 0; f < t->nf; f++) {
		struct hist_bin *hist = leaf->hist + f * HIST_BINS;
		const uint8_t *col = t->bins + f * t->n;

		if (!t->feature_on[f])
			continue;
		memset(hist, 0, (size_t)t->nbins[f] * sizeof(*hist));
		for (size_t j = leaf->begin; j < leaf->end; j++) {
			uint32_t r = t->idx[j];
			struct hist_bin *b = &hist[col[r]];

			b->g += t->g[r];
			b->h += t->h[r];
			b->n += 1;
		}
	}
}

/* The best split of leaf among the sampled features, into leaf->feature etc. */
static void find_split(struct trainer *t, struct leaf *leaf)
{
	const struct risk_model_params *p = t->p;
	double parent = leaf_term(leaf->G, leaf->H, p->l2);
	double rows = (double)(leaf->end - leaf->begin);

	leaf->feature = -1;
	leaf->gain = p->min_gain;
	if (leaf->depth >= p->max_depth || rows < 2.0 * p->min_leaf_rows)
		return;
	for (size_t f = 0; f < t->nf; f++) {
		const struct hist_bin *hist = leaf->hist + f * HIST_BINS;
		double GL = 0, HL = 0, nL = 0;

		if (!t->feature_on[f])
			continue;
		for (int b = 0; b < t->nbins[f] - 1; b++) {
			double gain;

			GL += hist[b].g;
			HL += hist[b].h;
			nL += hist[b].n;
			if (nL < p->min_leaf_rows || HL < p->min_leaf_hessian)
				continue;
			if (rows - nL < p->min_leaf_rows || leaf->H - HL < p->min_leaf_hessian)
				break;
			gain = leaf_term(GL, HL, p->l2) +
			       leaf_term(leaf->G - GL, leaf->H - HL, p->l2) - parent;
			if (gain > leaf->gain) {
				leaf->gain = gain;
				leaf->feature = (int)f;
				leaf->bin = b;
				leaf->GL = GL;
				leaf->HL = HL;
				leaf->nleft = (size_t)nL;
			}
		}
	}
}

static uint32_t add_node(struct trainer *t, struct model_tree *tree, double G, double H)
{
	struct model_node *node = &tree->nodes[tree->nnodes];

	node->feature = -1;
	node->threshold = 0;
	node->left = node->right = 0;
	node->value = -t->p->learning_rate * G / (H + t->p->l2);
	t->node_bin[tree->nnodes] = 0;
	return tree->nnodes++;
}

/* Split leaf into itself (now the left child) and *right, using hist buffer spare. */
static void split_leaf(struct trainer *t, struct model_tree *tree, struct leaf *leaf,
		       struct leaf *right, struct hist_bin *spare)
{
	struct model_node *node = &tree->nodes[leaf->node];
	const uint8_t *col = t->bins + (size_t)leaf->feature * t->n;
	size_t nl = 0, nr = 0, mid;
	struct leaf left = *leaf;
	struct leaf *small, *large;

	node->feature = leaf->feature;
	node->threshold = leaf->bin == 0
				  ? -INFINITY
				  : t->edges[(size_t)leaf->feature * MODEL_BINS_MAX + leaf->bin - 1];
	t->node_bin[leaf->node] = leaf->bin;
	/* A stable partition keeps the rows in memory order within each leaf. */
	for (size_t j = leaf->begin; j < leaf->end; j++) {
		uint32_t r = t->idx[j];

		if (col[r] <= leaf->bin)
			t->idx[leaf->begin + nl++] = r;
		else
			t->tmp[nr++] = r;
	}
	mid = leaf->begin + nl;
	memcpy(t->idx + mid, t->tmp, nr * sizeof(*t->idx));
	assert(nl == leaf->nleft);
	node->left = add_node(t, tree, leaf->GL, leaf->HL);
	node->right = add_node(t, tree, leaf->G - leaf->GL, leaf->H - leaf->HL);
	left.node = node->left;
	left.end = mid;
	left.depth = leaf->depth + 1;
	left.G = leaf->GL;
	left.H = leaf->HL;
	*right = left;
	right->node = node->right;
	right->begin = mid;
	right->end = leaf->end;
	right->G = leaf->G - leaf->GL;
	right->H = leaf->H - leaf->HL;
	/* The parent's histogram becomes the larger child's after subtraction. */
	small = nl <= nr ? &left : right;
	large = nl <= nr ? right : &left;
	large->hist = leaf->hist;
	small->hist = spare;
	build_hist(t, small);
	for (size_t f = 0; f < t->nf; f++) {
		struct hist_bin *lh = large->hist + f * HIST_BINS;
		const struct hist_bin *sh = small->hist + f * HIST_BINS;

		if (!t->feature_on[f])
			continue;
		for (int b = 0; b < t->nbins[f]; b++) {
			lh[b].g -= sh[b].g;
			lh[b].h -= sh[b].h;
			lh[b].n -= sh[b].n;
		}
	}
	find_split(t, &left);
	find_split(t, right);
	*leaf = left;
}

/* Sample the rows and features of the next tree; returns the rows sampled. */
static size_t sample(struct trainer *t)
{
	size_t rows = 0, want;

	for (size_t i = 0; i < t->n; i++)
		if (t->p->row_fraction >= 1 || next_unit(&t->rng) < t->p->row_fraction)
			t->idx[rows++] = (uint32_t)i;
	want = (size_t)floor(t->p->feature_fraction * (double)t->nf + 0.5);
	if (want < 1)
		want = 1;
	memset(t->feature_on, 0, t->nf);
	for (size_t i = 0; i < t->nf; i++)
		t->feature_order[i] = i;
	for (size_t i = 0; i < want; i++) {
		size_t j = i + next_below(&t->rng, t->nf - i), s = t->feature_order[i];

		t->feature_order[i] = t->feature_order[j];
		t->feature_order[j] = s;
		t->feature_on[t->feature_order[i]] = 1;
	}
	return rows;
}

static int grow_tree(struct trainer *t)
{
	size_t rows = sample(t), maxl = (size_t)t->p->max_leaves, nleaves = 1;
	struct model_tree *tree;
	struct leaf *root = &t->leaves[0];
	int rc = model_add_tree(t->m, &tree);

	if (rc)
		return rc;
	tree->nodes = cv_calloc(2 * maxl - 1, sizeof(*tree->nodes));
	if (!tree->nodes)
		return CV_ENOMEM;
	memset(root, 0, sizeof(*root));
	root->end = rows;
	for (size_t j = 0; j < rows; j++) {
		root->G += t->g[t->idx[j]];
		root->H += t->h[t->idx[j]];
	}
	root->node = add_node(t, tree, root->G, root->H);
	root->hist = t->hist_pool;
	build_hist(t, root);
	find_split(t, root);
	while (nleaves < maxl) {
		size_t best = nleaves;

		for (size_t l = 0; l < nleaves; l++)
			if (t->leaves[l].feature >= 0 &&
			    (best == nleaves || t->leaves[l].gain > t->leaves[best].gain))
				best = l;
		if (best == nleaves)
			break;
		split_leaf(t, tree, &t->leaves[best], &t->leaves[nleaves],
			   t->hist_pool + nleaves * t->nf * HIST_BINS);
		nleaves++;
	}
	/* Every row, sampled or not, moves by its leaf's value. */
	for (size_t i = 0; i < t->n; i++) {
		uint32_t k = 0;

		while (tree->nodes[k].feature >= 0)
			k = t->bins[(size_t)tree->nodes[k].feature * t->n + i] <= t->node_bin[k]
				    ? tree->nodes[k].left
				    : tree->nodes[k].right;
		t->score[i] += tree->nodes[k].value;
	}
	return CV_OK;
}

static void gradients(struct trainer *t)
{
	for (size_t i = 0; i < t->n; i++) {
		double p = 1.0 / (1.0 + exp(-t->score[i]));

		t->g[i] = p - t->y[i];
		t->h[i] = fmax(p * (1 - p), HESSIAN_FLOOR);
	}
}

/* ---- the whole ----------------------------------------------------------- */

static int setup_model(struct trainer *t)
{
	struct risk_model *m = t->m;

	m->encoders = cv_calloc(NDEFAULT_ENCODERS, sizeof(*m->encoders));
	m->numerics = cv_malloc(MODEL_NUMERICS);
	if (!m->encoders || !m->numerics)
		return CV_ENOMEM;
	m->nencoders = NDEFAULT_ENCODERS;
	for (size_t e = 0; e < NDEFAULT_ENCODERS; e++)
		if (model_encoder_setup(&m->encoders[e], default_encoders[e][0],
					default_encoders[e] + 1))
			return CV_EINTERNAL;
	m->nnumerics = MODEL_NUMERICS;
	for (int k = 0; k < MODEL_NUMERICS; k++)
		m->numerics[k] = (uint8_t)k;
	t->nf = model_feature_count(m);
	return CV_OK;
}

static int allocate(struct trainer *t)
{
	size_t n = t->n, nf = t->nf, maxl = (size_t)t->p->max_leaves;

	t->bins = cv_malloc(nf * n);
	t->edges = cv_calloc(nf * MODEL_BINS_MAX, sizeof(*t->edges));
	t->nbins = cv_calloc(nf, sizeof(*t->nbins));
	t->g = cv_malloc(n * sizeof(*t->g));
	t->h = cv_malloc(n * sizeof(*t->h));
	t->score = cv_malloc(n * sizeof(*t->score));
	t->idx = cv_malloc(n * sizeof(*t->idx));
	t->tmp = cv_malloc(n * sizeof(*t->tmp));
	t->feature_on = cv_malloc(nf);
	t->feature_order = cv_malloc(nf * sizeof(*t->feature_order));
	t->hist_pool = cv_malloc(maxl * nf * HIST_BINS * sizeof(*t->hist_pool));
	t->leaves = cv_calloc(maxl, sizeof(*t->leaves));
	t->node_bin = cv_calloc(2 * maxl, sizeof(*t->node_bin));
	if (!t->bins || !t->edges || !t->nbins || !t->g || !t->h || !t->score || !t->idx || !t->tmp ||
	    !t->feature_on || !t->feature_order || !t->hist_pool || !t->leaves || !t->node_bin)
		return CV_ENOMEM;
	return CV_OK;
}

static void release(struct trainer *t)
{
	cv_free(t->bins);
	cv_free(t->edges);
	cv_free(t->nbins);
	cv_free(t->g);
	cv_free(t->h);
	cv_free(t->score);
	cv_free(t->y);
	cv_free(t->idx);
	cv_free(t->tmp);
	cv_free(t->feature_on);
	cv_free(t->feature_order);
	cv_free(t->hist_pool);
	cv_free(t->leaves);
	cv_free(t->node_bin);
}

/* Labels, prior, and the checks of the rows. */
static int read_labels(struct trainer *t, const struct risk_model_row *rows, struct cv_error *err)
{
	t->y = cv_malloc(t->n * sizeof(*t->y));
	if (!t->y)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	for (size_t i = 0; i < t->n; i++) {
		if (rows[i].fraud != 0 && rows[i].fraud != 1)
			return cv_error_set(err, CV_EINVAL, "fraud",
					    "row %zu: the fraud label must be 0 or 1, not %d",
					    i + 1, rows[i].fraud);
		t->y[i] = rows[i].fraud;
		t->m->positives += (uint64_t)rows[i].fraud;
	}
	if (t->m->positives == 0 || t->m->positives == t->n)
		return cv_error_set(err, CV_EINVAL, "fraud",
				    "the training rows must hold both fraud and clean examinations (%llu of %zu are fraud)",
				    (unsigned long long)t->m->positives, t->n);
	t->m->rows = t->n;
	t->m->prior = (double)t->m->positives / (double)t->n;
	t->m->init_score = log(t->m->prior / (1 - t->m->prior));
	return CV_OK;
}

static int prepare(struct trainer *t, const struct risk_model_row *rows, struct cv_error *err)
{
	double *x, *sorted;
	int rc = read_labels(t, rows, err);

	if (rc)
		return rc;
	if (setup_model(t) || allocate(t))
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	x = cv_malloc(t->nf * t->n * sizeof(*x));
	sorted = cv_malloc(t->n * sizeof(*sorted));
	rc = x && sorted ? build_features(t, rows, x) : CV_ENOMEM;
	for (size_t f = 0; !rc && f < t->nf; f++)
		bin_feature(t, f, x + f * t->n, sorted);
	cv_free(x);
	cv_free(sorted);
	if (rc)
		return cv_error_set(err, rc, NULL, "out of memory");
	for (size_t i = 0; i < t->n; i++)
		t->score[i] = t->m->init_score;
	return CV_OK;
}

int risk_model_train(const struct risk_model_row *rows, size_t n,
		     const struct risk_model_params *params, uint64_t seed,
		     risk_model_progress_fn progress, void *progress_ctx, struct risk_model **out,
		     struct cv_error *err)
{
	struct risk_model_params defaults;
	struct trainer t;
	int rc;

	*out = NULL;
	if (!params) {
		risk_model_params_defaults(&defaults);
		params = &defaults;
	}
	rc = risk_model_params_check(params, err);
	if (rc)
		return rc;
	if (n < 2 || n > UINT32_MAX)
		return cv_error_set(err, CV_EINVAL, "rows",
				    "training needs between 2 and %u rows, not %zu", UINT32_MAX, n);
	memset(&t, 0, sizeof(t));
	t.p = params;
	t.n = n;
	t.rng = seed;
	t.m = model_new(params);
	if (!t.m)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	t.m->seed = seed;
	rc = prepare(&t, rows, err);
	for (int k = 0; !rc && k < params->trees; k++) {
		gradients(&t);
		rc = grow_tree(&t);
		if (rc)
			cv_error_set(err, rc, NULL, "out of memory");
		else if (progress)
			progress(progress_ctx, k + 1, params->trees);
	}
	release(&t);
	if (rc) {
		risk_model_free(t.m);
		return rc;
	}
	*out = t.m;
	return CV_OK;
}
