/*
 * model_io.c — the learned model's binary format: risk_model_save() and
 * risk_model_load() (see model.h).
 *
 * The engine stores models in the database as BLOBs and loads them back in
 * another process, maybe another version of caravan, so the format is
 * explicit, little-endian and versioned, never a memory dump:
 *
 *   "CVRISKM\0"  magic (8 bytes)
 *   u32 version (MODEL_FORMAT_VERSION), u32 flags (0)
 *   parameters: i32 trees, f64 learning_rate, i32 max_leaves, i32 max_depth,
 *     i32 min_leaf_rows, f64 min_leaf_hessian, f64 l2, f64 min_gain,
 *     f64 row_fraction, f64 feature_fraction, i32 bins, i32 folds,
 *     f64 smoothing
 *   summary: u64 rows, u64 positives, u64 seed; f64 prior, f64 init_score
 *   u32 encoders; each: u8 components, u8 component ids..., u32 keys;
 *     each key: u16 length, the bytes, f64 sum, f64 count
 *   u32 numerics; each: u8 kind
 *   u32 trees; each: u32 nodes; each node: i32 feature (-1 leaf),
 *     f64 threshold, u32 left, u32 right, f64 value
 *   u64 FNV-1a hash of every byte before it
 *
 * A blob comes from the database, which an operator can edit, so loading
 * checks everything before use: the hash (a truncated or altered blob), then
 * every count against the bytes left (no allocation larger than the blob
 * warrants), every component, kind and feature index in range, every number
 * finite where it must be, no duplicate key, and tree children that come
 * after their parent inside the tree (so a walk ends). A model that loads
 * can be scored without further checks.
 */
#include "risk/model_internal.h"

#include "base/mem.h"

#include <math.h>
#include <string.h>

#define MODEL_MAGIC "CVRISKM"
#define MODEL_MAGIC_LEN 8
#define MODEL_FORMAT_VERSION 1
#define HASH_LEN 8
#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL
#define ENCODERS_MAX 128
#define NODES_MAX (1u << 20)
#define KEY_BYTES_MIN 18 /* a key of one byte: u16 + 1 + two f64 */
#define NODE_BYTES 28

/* ---- writing ------------------------------------------------------------- */

static int put_u64(struct cv_buf *b, uint64_t v)
{
	unsigned char x[8] = {0};

	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return cv_buf_add(b, x, sizeof(x));
}

static int put_u32(struct cv_buf *b, uint32_t v)
{
	unsigned char x[4] = {0};

	for (int i = 0; i < 4; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return cv_buf_add(b, x, sizeof(x));
}

static int put_u16(struct cv_buf *b, uint16_t v)
{
	unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};

	return cv_buf_add(b, x, sizeof(x));
}

static int put_f64(struct cv_buf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return put_u64(b, u);
}

static int put_params(struct cv_buf *b, const struct risk_model_params *p)
{
	return put_u32(b, (uint32_t)p->trees) || put_f64(b, p->learning_rate) ||
	       put_u32(b, (uint32_t)p->max_leaves) || put_u32(b, (uint32_t)p->max_depth) ||
	       put_u32(b, (uint32_t)p->min_leaf_rows) || put_f64(b, p->min_leaf_hessian) ||
	       put_f64(b, p->l2) || put_f64(b, p->min_gain) || put_f64(b, p->row_fraction) ||
	       put_f64(b, p->feature_fraction) || put_u32(b, (uint32_t)p->bins) ||
	       put_u32(b, (uint32_t)p->folds) || put_f64(b, p->smoothing);
}

static int put_encoder(struct cv_buf *b, const struct model_encoder *enc)
{
	unsigned char n = (unsigned char)enc->ncomponents;

	if (cv_buf_add(b, &n, 1) || cv_buf_add(b, enc->components, n) ||
	    put_u32(b, (uint32_t)enc->nentries))
		return CV_ENOMEM;
	for (size_t i = 0; i < enc->nentries; i++) {
		const struct model_entry *e = &enc->entries[i];

		if (put_u16(b, (uint16_t)e->key_len) ||
		    cv_buf_add(b, enc->pool + e->key_offset, e->key_len) || put_f64(b, e->sum) ||
		    put_f64(b, e->count))
			return CV_ENOMEM;
	}
	return CV_OK;
}

static int put_tree(struct cv_buf *b, const struct model_tree *tree)
{
	if (put_u32(b, tree->nnodes))
		return CV_ENOMEM;
	for (uint32_t i = 0; i < tree->nnodes; i++) {
		const struct model_node *node = &tree->nodes[i];

		if (put_u32(b, (uint32_t)node->feature) || put_f64(b, node->threshold) ||
		    put_u32(b, node->left) || put_u32(b, node->right) || put_f64(b, node->value))
			return CV_ENOMEM;
	}
	return CV_OK;
}

static uint64_t fnv1a(const unsigned char *p, size_t len)
{
	uint64_t h = FNV_OFFSET;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

int risk_model_save(const struct risk_model *m, struct cv_buf *out)
{
	size_t start = out->len;
	int rc = cv_buf_add(out, MODEL_MAGIC, MODEL_MAGIC_LEN) ||
		 put_u32(out, MODEL_FORMAT_VERSION) || put_u32(out, 0) ||
		 put_params(out, &m->params) || put_u64(out, m->rows) ||
		 put_u64(out, m->positives) || put_u64(out, m->seed) || put_f64(out, m->prior) ||
		 put_f64(out, m->init_score) || put_u32(out, (uint32_t)m->nencoders);

	for (size_t e = 0; !rc && e < m->nencoders; e++)
		rc = put_encoder(out, &m->encoders[e]);
	rc = rc || put_u32(out, (uint32_t)m->nnumerics) ||
	     cv_buf_add(out, m->numerics, m->nnumerics) || put_u32(out, (uint32_t)m->ntrees);
	for (size_t t = 0; !rc && t < m->ntrees; t++)
		rc = put_tree(out, &m->trees[t]);
	if (!rc)
		rc = put_u64(out, fnv1a((const unsigned char *)out->data + start, out->len - start));
	if (rc) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		return CV_ENOMEM;
	}
	return CV_OK;
}

/* ---- reading ------------------------------------------------------------- */

struct reader {
	const unsigned char *p;
	size_t left;
	struct cv_error *err;
};

static int truncated(struct reader *r, const char *what)
{
	return cv_error_set(r->err, CV_EINVAL, "model", "the model is truncated (in %s)", what);
}

static int bad(struct reader *r, const char *what)
{
	return cv_error_set(r->err, CV_EINVAL, "model", "the model is corrupt: %s", what);
}

static int get_bytes(struct reader *r, void *out, size_t n, const char *what)
{
	if (r->left < n)
		return truncated(r, what);
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return CV_OK;
}

static int get_u64(struct reader *r, uint64_t *v, const char *what)
{
	unsigned char x[8] = {0};
	int rc = get_bytes(r, x, sizeof(x), what);

	*v = 0;
	for (int i = 7; !rc && i >= 0; i--)
		*v = *v << 8 | x[i];
	return rc;
}

static int get_u32(struct reader *r, uint32_t *v, const char *what)
{
	unsigned char x[4] = {0};
	int rc = get_bytes(r, x, sizeof(x), what);

	*v = rc ? 0
		: (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
	return rc;
}

static int get_i32(struct reader *r, int *v, const char *what)
{
	uint32_t u;
	int rc = get_u32(r, &u, what);

	/* Parameters fit in 31 bits; a larger value fails the range check as negative. */
	*v = u > INT32_MAX ? -1 : (int)u;
	return rc;
}

static int get_f64(struct reader *r, double *v, const char *what)
{
	uint64_t u;
	int rc = get_u64(r, &u, what);

	memcpy(v, &u, sizeof(*v));
	return rc;
}

static int get_params(struct reader *r, struct risk_model_params *p)
{
	const char *w = "the parameters";

	if (get_i32(r, &p->trees, w) || get_f64(r, &p->learning_rate, w) ||
	    get_i32(r, &p->max_leaves, w) || get_i32(r, &p->max_depth, w) ||
	    get_i32(r, &p->min_leaf_rows, w) || get_f64(r, &p->min_leaf_hessian, w) ||
	    get_f64(r, &p->l2, w) || get_f64(r, &p->min_gain, w) ||
	    get_f64(r, &p->row_fraction, w) || get_f64(r, &p->feature_fraction, w) ||
	    get_i32(r, &p->bins, w) || get_i32(r, &p->folds, w) || get_f64(r, &p->smoothing, w))
		return CV_EINVAL;
	if (risk_model_params_check(p, r->err))
		return bad(r, "a parameter is out of range");
	return CV_OK;
}

static int get_encoder(struct reader *r, struct model_encoder *enc)
{
	const char *w = "an encoding table";
	uint8_t n = 0, components[MODEL_COMPONENTS_MAX] = {0};
	uint32_t keys;

	if (get_bytes(r, &n, 1, w))
		return CV_EINVAL;
	if (n < 1 || n > MODEL_COMPONENTS_MAX)
		return bad(r, "an encoder has a bad number of components");
	if (get_bytes(r, components, n, w))
		return CV_EINVAL;
	if (model_encoder_setup(enc, n, components))
		return bad(r, "an encoder has an unknown component");
	if (get_u32(r, &keys, w))
		return CV_EINVAL;
	if (keys > r->left / KEY_BYTES_MIN)
		return truncated(r, w);
	for (uint32_t k = 0; k < keys; k++) {
		uint16_t len = 0;
		unsigned char x[2];
		const char *key;
		double sum, count;
		size_t index;
		int added;

		if (get_bytes(r, x, 2, w))
			return CV_EINVAL;
		len = (uint16_t)(x[0] | x[1] << 8);
		if (len == 0 || len > MODEL_KEY_MAX)
			return bad(r, "a key has a bad length");
		if (r->left < len)
			return truncated(r, w);
		key = (const char *)r->p;
		r->p += len;
		r->left -= len;
		if (get_f64(r, &sum, w) || get_f64(r, &count, w))
			return CV_EINVAL;
		if (!(count >= 0 && sum >= 0 && sum <= count && isfinite(count)))
			return bad(r, "a key's statistics are out of range");
		if (model_encoder_insert(enc, key, len, &index, &added))
			return cv_error_set(r->err, CV_ENOMEM, "model", "out of memory");
		if (!added)
			return bad(r, "a key appears twice");
		enc->entries[index].sum = sum;
		enc->entries[index].count = count;
	}
	return CV_OK;
}

static int get_node(struct reader *r, struct model_node *node, uint32_t i, uint32_t nnodes,
		    size_t nfeatures)
{
	const char *w = "a tree";
	uint32_t feature;

	if (get_u32(r, &feature, w) || get_f64(r, &node->threshold, w) ||
	    get_u32(r, &node->left, w) || get_u32(r, &node->right, w) || get_f64(r, &node->value, w))
		return CV_EINVAL;
	if (!isfinite(node->value))
		return bad(r, "a node's value is not finite");
	if (feature == UINT32_MAX) {
		node->feature = -1;
		return CV_OK;
	}
	if (feature >= nfeatures)
		return bad(r, "a split names a feature the model does not have");
	node->feature = (int32_t)feature;
	if (isnan(node->threshold))
		return bad(r, "a split's threshold is not a number");
	/* Children after the parent: every walk from the root ends. */
	if (node->left <= i || node->left >= nnodes || node->right <= i || node->right >= nnodes)
		return bad(r, "a split's children are out of place");
	return CV_OK;
}

static int get_tree(struct reader *r, struct risk_model *m)
{
	struct model_tree *tree;
	uint32_t nnodes;
	size_t nf = model_feature_count(m);

	if (get_u32(r, &nnodes, "a tree"))
		return CV_EINVAL;
	if (nnodes == 0 || nnodes > NODES_MAX)
		return bad(r, "a tree has a bad number of nodes");
	if (nnodes > r->left / NODE_BYTES)
		return truncated(r, "a tree");
	if (model_add_tree(m, &tree))
		return cv_error_set(r->err, CV_ENOMEM, "model", "out of memory");
	tree->nodes = cv_malloc(nnodes * sizeof(*tree->nodes));
	if (!tree->nodes)
		return cv_error_set(r->err, CV_ENOMEM, "model", "out of memory");
	tree->nnodes = nnodes;
	for (uint32_t i = 0; i < nnodes; i++)
		if (get_node(r, &tree->nodes[i], i, nnodes, nf))
			return CV_EINVAL;
	return CV_OK;
}

static int get_header(struct reader *r, struct risk_model *m)
{
	char magic[MODEL_MAGIC_LEN];
	uint32_t version, flags;

	if (get_bytes(r, magic, MODEL_MAGIC_LEN, "the header") ||
	    memcmp(magic, MODEL_MAGIC, MODEL_MAGIC_LEN) != 0)
		return cv_error_set(r->err, CV_EINVAL, "model",
				    "not a caravan risk model (no CVRISKM magic)");
	if (get_u32(r, &version, "the header") || get_u32(r, &flags, "the header"))
		return CV_EINVAL;
	if (version != MODEL_FORMAT_VERSION || flags != 0)
		return cv_error_set(r->err, CV_EINVAL, "model",
				    "model format version %u is not supported (this caravan reads %d)",
				    version, MODEL_FORMAT_VERSION);
	if (get_params(r, &m->params) || get_u64(r, &m->rows, "the summary") ||
	    get_u64(r, &m->positives, "the summary") || get_u64(r, &m->seed, "the summary") ||
	    get_f64(r, &m->prior, "the summary") || get_f64(r, &m->init_score, "the summary"))
		return CV_EINVAL;
	if (!(m->prior > 0 && m->prior < 1) || !isfinite(m->init_score) || m->positives > m->rows)
		return bad(r, "the training summary is out of range");
	return CV_OK;
}

static int get_body(struct reader *r, struct risk_model *m)
{
	uint32_t count;

	if (get_header(r, m) || get_u32(r, &count, "the encoders"))
		return CV_EINVAL;
	if (count > ENCODERS_MAX)
		return bad(r, "too many encoders");
	m->encoders = cv_calloc(count ? count : 1, sizeof(*m->encoders));
	if (!m->encoders)
		return cv_error_set(r->err, CV_ENOMEM, "model", "out of memory");
	for (; m->nencoders < count; m->nencoders++)
		if (get_encoder(r, &m->encoders[m->nencoders])) {
			/* Counted so that risk_model_free releases the partial table. */
			m->nencoders++;
			return CV_EINVAL;
		}
	if (get_u32(r, &count, "the numeric features"))
		return CV_EINVAL;
	if (count > r->left)
		return truncated(r, "the numeric features");
	m->numerics = cv_malloc(count ? count : 1);
	if (!m->numerics)
		return cv_error_set(r->err, CV_ENOMEM, "model", "out of memory");
	if (get_bytes(r, m->numerics, count, "the numeric features"))
		return CV_EINVAL;
	m->nnumerics = count;
	for (uint32_t k = 0; k < count; k++)
		if (m->numerics[k] >= MODEL_NUMERICS)
			return bad(r, "an unknown numeric feature");
	if (model_feature_count(m) > MODEL_FEATURES_MAX)
		return bad(r, "too many features");
	if (get_u32(r, &count, "the trees"))
		return CV_EINVAL;
	if (count > r->left / (4 + NODE_BYTES))
		return truncated(r, "the trees");
	for (uint32_t t = 0; t < count; t++)
		if (get_tree(r, m))
			return CV_EINVAL;
	if (r->left != 0)
		return bad(r, "bytes after the last tree");
	return CV_OK;
}

int risk_model_load(const void *data, size_t len, struct risk_model **out, struct cv_error *err)
{
	struct risk_model_params params;
	struct reader r = {data, len, err};
	struct risk_model *m;
	struct cv_error local;
	uint64_t stored = 0;
	int rc;

	*out = NULL;
	/* The reader's helpers report through err: give them one. */
	if (!err)
		err = &local;
	cv_error_clear(err);
	r.err = err;
	if (len < MODEL_MAGIC_LEN + HASH_LEN || memcmp(data, MODEL_MAGIC, MODEL_MAGIC_LEN) != 0)
		return cv_error_set(err, CV_EINVAL, "model",
				    "not a caravan risk model (no CVRISKM magic)");
	r.left = len - HASH_LEN;
	for (int i = HASH_LEN - 1; i >= 0; i--)
		stored = stored << 8 | ((const unsigned char *)data)[len - HASH_LEN + (size_t)i];
	if (stored != fnv1a(data, len - HASH_LEN))
		return cv_error_set(err, CV_EINVAL, "model",
				    "the model is damaged or truncated (its checksum does not match)");
	risk_model_params_defaults(&params);
	m = model_new(&params);
	if (!m)
		return cv_error_set(err, CV_ENOMEM, "model", "out of memory");
	rc = get_body(&r, m);
	if (rc) {
		risk_model_free(m);
		return err->code ? err->code : CV_EINVAL;
	}
	*out = m;
	return CV_OK;
}
