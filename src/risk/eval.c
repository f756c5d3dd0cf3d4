/*
 * eval.c — the compiled index over a profile set, and evaluation of items
 * (see profile.h for the design). An item collects candidate profiles from
 * the HS trie (every prefix of its HS code), from the (field, value) table
 * for each text field it has, and the unanchored list; candidates are
 * sorted, deduplicated and evaluated in order.
 */
#include "risk/risk_internal.h"

#include "base/err.h"
#include "base/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int id_list_add(struct id_list *l, size_t id)
{
	if (l->count && l->ids[l->count - 1] == id)
		return CV_OK; /* the same profile anchored twice on one bucket */
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		size_t *ids = realloc(l->ids, cap * sizeof(*ids));
		if (!ids)
			return CV_ENOMEM;
		l->ids = ids;
		l->cap = cap;
	}
	l->ids[l->count++] = id;
	return CV_OK;
}

static uint64_t hash_entry(int field, const char *value)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)field;

	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static struct field_entry *table_find(const struct risk_profile_set *set, int field,
				      const char *value, int create)
{
	size_t mask = set->table_cap - 1, i = hash_entry(field, value) & mask;

	for (;; i = (i + 1) & mask) {
		struct field_entry *e = &set->table[i];
		if (!e->value)
			return create ? e : NULL;
		if (e->field == field && !strcmp(e->value, value))
			return e;
	}
}

static int hs_add(struct risk_profile_set *set, const char *prefix, size_t id)
{
	struct hs_trie *t = &set->hs;

	for (const char *p = prefix; *p >= '0' && *p <= '9'; p++) {
		int d = *p - '0';
		if (!t->child[d]) {
			t->child[d] = cv_arena_alloc(&set->arena, sizeof(struct hs_trie));
			if (!t->child[d])
				return CV_ENOMEM;
			memset(t->child[d], 0, sizeof(struct hs_trie));
		}
		t = t->child[d];
	}
	return id_list_add(&t->here, id);
}

/* The longest common prefix of a and b, into out (the arena). */
static const char *common_prefix(struct cv_arena *arena, const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return cv_arena_strndup(arena, a, n);
}

/*
 * An anchor: a conjunct of the top-level `and` that must hold for the
 * profile to hit, and that the index can test once per item for many
 * profiles. The kinds, best first (the rank): an HS prefix (the most
 * selective index); a watchlist (`field in list "NAME"`: lists name few
 * traders); an equality on a text field other than the low-cardinality ones;
 * a bound on a number (`value > N`: thresholds are set to catch outliers);
 * an equality on direction, procedure, mode, aeo or aeo_grade (a handful of
 * values each, so a bucket holds a good part of the items). Returns the rank,
 * or -1 when n cannot anchor.
 */
enum anchor_rank { A_HS, A_LIST, A_FIELD, A_BOUND, A_COMMON_FIELD, A_NONE };

static int low_cardinality(int field)
{
	return field == RISK_DIRECTION || field == RISK_PROCEDURE || field == RISK_MODE ||
	       field == RISK_AEO || field == RISK_AEO_GRADE;
}

static enum anchor_rank anchor_rank(const struct node *n)
{
	int equality = (n->kind == N_CMP && n->op == OP_EQ) || n->kind == N_IN;

	if (n->kind == N_AND || n->kind == N_OR || n->kind == N_NOT || n->kind == N_HAS_DOC)
		return A_NONE;
	if (n->field == RISK_HS)
		return equality || n->kind == N_STARTS || n->kind == N_BETWEEN ? A_HS : A_NONE;
	if (n->kind == N_IN_LIST)
		return A_LIST;
	if (n->field < RISK_TEXT_FIELDS)
		return !equality ? A_NONE : low_cardinality(n->field) ? A_COMMON_FIELD : A_FIELD;
	if (n->kind == N_CMP && !RISK_IS_FLAG(n->field) && n->op != OP_EQ && n->op != OP_NE)
		return A_BOUND;
	return A_NONE;
}

/* The best anchor of the top-level conjunction (the first one on a tie), or NULL. */
static const struct node *find_anchor(const struct node *n, enum anchor_rank *rank)
{
	const struct node *a, *b;
	enum anchor_rank ra, rb;

	if (!n) {
		*rank = A_NONE;
		return NULL;
	}
	if (n->kind != N_AND) {
		*rank = anchor_rank(n);
		return *rank == A_NONE ? NULL : n;
	}
	a = find_anchor(n->a, &ra);
	b = find_anchor(n->b, &rb);
	*rank = rb < ra ? rb : ra;
	return rb < ra ? b : a;
}

static int index_hs(struct risk_profile_set *set, const struct node *n, size_t id)
{
	int rc = CV_OK;

	if (n->kind == N_STARTS)
		return hs_add(set, n->name, id);
	if (n->kind == N_BETWEEN) {
		const char *p = common_prefix(&set->arena, n->v1.text, n->v2.text);
		return p ? hs_add(set, p, id) : CV_ENOMEM;
	}
	if (n->kind == N_CMP)
		return hs_add(set, n->v1.text, id);
	for (size_t i = 0; i < n->nlist && !rc; i++)
		rc = hs_add(set, n->list[i].text, id);
	return rc;
}

static int index_field(struct risk_profile_set *set, const struct node *n, size_t id)
{
	int rc = CV_OK;

	set->field_mask |= 1u << n->field;
	for (size_t i = 0; i < (n->kind == N_IN ? n->nlist : 1) && !rc; i++) {
		const char *value = n->kind == N_IN ? n->list[i].text : n->v1.text;
		struct field_entry *e = table_find(set, n->field, value, 1);
		if (!e->value) {
			e->field = n->field;
			e->value = value;
		}
		rc = id_list_add(&e->ids, id);
	}
	return rc;
}

static int index_list(struct risk_profile_set *set, const struct node *n, size_t id)
{
	struct list_anchor *l = NULL, *grown;

	for (size_t i = 0; i < set->nlists && !l; i++)
		if (set->lists[i].field == n->field && !strcmp(set->lists[i].list, n->name))
			l = &set->lists[i];
	if (!l) {
		grown = realloc(set->lists, (set->nlists + 1) * sizeof(*grown));
		if (!grown)
			return CV_ENOMEM;
		set->lists = grown;
		l = &set->lists[set->nlists++];
		memset(l, 0, sizeof(*l));
		l->field = n->field;
		l->list = n->name;
	}
	return id_list_add(&l->ids, id);
}

static int index_bound(struct risk_profile_set *set, const struct node *n, size_t id)
{
	int upper = n->op == OP_LT || n->op == OP_LE;
	struct bound_index *b = NULL, *grown;

	for (size_t i = 0; i < set->nbounds && !b; i++)
		if (set->bounds[i].field == n->field && set->bounds[i].upper == upper)
			b = &set->bounds[i];
	if (!b) {
		grown = realloc(set->bounds, (set->nbounds + 1) * sizeof(*grown));
		if (!grown)
			return CV_ENOMEM;
		set->bounds = grown;
		b = &set->bounds[set->nbounds++];
		memset(b, 0, sizeof(*b));
		b->field = n->field;
		b->upper = upper;
	}
	if (b->count == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct bound_entry *entries = realloc(b->entries, cap * sizeof(*entries));
		if (!entries)
			return CV_ENOMEM;
		b->entries = entries;
		b->cap = cap;
	}
	b->entries[b->count].limit = n->v1.number;
	b->entries[b->count++].id = id;
	return CV_OK;
}

static int index_profile(struct risk_profile_set *set, size_t id)
{
	enum anchor_rank rank;
	const struct node *n = find_anchor(set->profiles[id].cond, &rank);

	switch (rank) {
	case A_HS: set->by_hs++; return index_hs(set, n, id);
	case A_LIST: set->by_field++; return index_list(set, n, id);
	case A_FIELD:
	case A_COMMON_FIELD: set->by_field++; return index_field(set, n, id);
	case A_BOUND: set->by_field++; return index_bound(set, n, id);
	case A_NONE: break;
	}
	return id_list_add(&set->unanchored, id);
}

/* Count the (field, value) pairs that may be anchored, to size the table. */
static size_t count_values(const struct node *n)
{
	if (!n)
		return 0;
	if (n->kind == N_AND || n->kind == N_OR)
		return count_values(n->a) + count_values(n->b);
	return n->kind == N_IN ? n->nlist : 1;
}

/* Lower bounds ascending, upper bounds descending: an item's profiles are a prefix. */
static int cmp_ascending(const void *a, const void *b)
{
	const struct bound_entry *x = a, *y = b;
	return x->limit < y->limit   ? -1
	       : x->limit > y->limit ? 1
				     : (x->id > y->id) - (x->id < y->id);
}

static int cmp_descending(const void *a, const void *b) { return cmp_ascending(b, a); }

int risk_index_build(struct risk_profile_set *set)
{
	size_t values = 0;
	int rc = CV_OK;

	for (size_t i = 0; i < set->count; i++)
		values += count_values(set->profiles[i].cond);
	set->table_cap = 16;
	while (set->table_cap < values * 2 + 16)
		set->table_cap *= 2;
	set->table = calloc(set->table_cap, sizeof(*set->table));
	if (!set->table)
		return CV_ENOMEM;
	for (size_t i = 0; i < set->count && !rc; i++)
		rc = index_profile(set, i);
	for (size_t i = 0; i < set->nbounds; i++)
		qsort(set->bounds[i].entries, set->bounds[i].count, sizeof(struct bound_entry),
		      set->bounds[i].upper ? cmp_descending : cmp_ascending);
	return rc;
}

static int text_cmp(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

/* Text equality, rejecting on the first byte without a call: most tests fail there. */
static int text_eq(const char *a, const char *b)
{
	a = a ? a : "";
	b = b ? b : "";
	return a[0] == b[0] && (!a[0] || !strcmp(a + 1, b + 1));
}

/* Does v start with prefix? A loop: prefixes are a few digits, a call to strlen and strncmp costs more. */
static int starts_with(const char *v, const char *prefix)
{
	v = v ? v : "";
	for (; *prefix; v++, prefix++)
		if (*v != *prefix)
			return 0;
	return 1;
}

static int compare(const struct node *n, const struct risk_item *item, const struct risk_value *v)
{
	/* <0, 0, >0 as the item's field against the value */
	if (n->field < RISK_TEXT_FIELDS)
		return text_cmp(item->text[n->field], v->text);
	double x = n->field == RISK_PRE_ARRIVAL     ? (item->pre_arrival != 0)
		   : n->field == RISK_ADVANCE_MATCH ? (item->advance_match != 0)
						    : item->number[n->field - RISK_TEXT_FIELDS];
	return x < v->number ? -1 : x > v->number ? 1 : 0;
}

/* Equality of the item's field with v, text or number. */
static int equals(const struct node *n, const struct risk_item *item, const struct risk_value *v)
{
	if (n->field < RISK_TEXT_FIELDS)
		return text_eq(item->text[n->field], v->text);
	return compare(n, item, v) == 0;
}

static int holds(const struct node *n, const struct risk_item *item, risk_in_list_fn in_list,
		 void *ctx)
{
	int c;

	switch (n->kind) {
	case N_AND: return holds(n->a, item, in_list, ctx) && holds(n->b, item, in_list, ctx);
	case N_OR: return holds(n->a, item, in_list, ctx) || holds(n->b, item, in_list, ctx);
	case N_NOT: return !holds(n->a, item, in_list, ctx);
	case N_CMP:
		if (n->op == OP_EQ || n->op == OP_NE)
			return equals(n, item, &n->v1) == (n->op == OP_EQ);
		c = compare(n, item, &n->v1);
		switch (n->op) {
		case OP_EQ: return c == 0;
		case OP_NE: return c != 0;
		case OP_LT: return c < 0;
		case OP_LE: return c <= 0;
		case OP_GT: return c > 0;
		case OP_GE: return c >= 0;
		}
		return 0;
	case N_IN:
		for (size_t i = 0; i < n->nlist; i++)
			if (equals(n, item, &n->list[i]))
				return 1;
		return 0;
	case N_IN_LIST: {
		const char *v = item->text[n->field];
		return in_list && v && *v && in_list(ctx, n->name, v);
	}
	case N_STARTS: return starts_with(item->text[n->field], n->name);
	case N_BETWEEN: return compare(n, item, &n->v1) >= 0 && compare(n, item, &n->v2) <= 0;
	case N_HAS_DOC:
		for (size_t i = 0; i < item->ndocuments; i++)
			if (!strcmp(item->documents[i], n->name))
				return 1;
		return 0;
	}
	return 0;
}

int risk_profile_matches(const struct profile *p, const struct risk_item *item,
			 risk_in_list_fn in_list, void *list_ctx)
{
	if (item->date && p->valid_from[0] &&
	    (strcmp(item->date, p->valid_from) < 0 || strcmp(item->date, p->valid_to) > 0))
		return 0;
	if (p->noffices) {
		size_t i;
		const char *office = item->text[RISK_OFFICE] ? item->text[RISK_OFFICE] : "";
		for (i = 0; i < p->noffices && strcmp(p->offices[i], office); i++)
			;
		if (i == p->noffices)
			return 0;
	}
	return holds(p->cond, item, in_list, list_ctx);
}

size_t risk_eval_naive(const struct risk_profile_set *set, const struct risk_item *item,
		       risk_in_list_fn in_list, void *list_ctx, size_t *hits, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < set->count; i++)
		if (risk_profile_matches(&set->profiles[i], item, in_list, list_ctx)) {
			if (n < max)
				hits[n] = i;
			n++;
		}
	return n;
}

#define LOCAL_CANDIDATES 1024

/* Candidate profiles of one item: a stack buffer, moved to the heap when it overflows. */
struct candidates {
	size_t *ids, count, cap;
	size_t local[LOCAL_CANDIDATES];
	int failed;
};

static void candidates_reserve(struct candidates *c, size_t more)
{
	size_t ncap;
	size_t *bigger;

	if (c->count + more <= c->cap || c->failed)
		return;
	ncap = (c->count + more) * 2;
	bigger = malloc(ncap * sizeof(*bigger));
	if (!bigger) {
		c->failed = 1;
		return;
	}
	memcpy(bigger, c->ids, c->count * sizeof(*bigger));
	if (c->ids != c->local)
		free(c->ids);
	c->ids = bigger;
	c->cap = ncap;
}

static void gather(struct candidates *c, const size_t *ids, size_t n)
{
	candidates_reserve(c, n);
	if (c->failed || !n)
		return;
	memcpy(c->ids + c->count, ids, n * sizeof(*ids));
	c->count += n;
}

/* The profiles whose bound the item's number may satisfy: a prefix of the sorted entries. */
static void gather_bound(struct candidates *c, const struct bound_index *b, double x)
{
	size_t k = 0;

	if (x != x) {
		/* NaN compares neither way: let every profile decide for itself. */
		k = b->count;
	} else if (b->upper) {
		while (k < b->count && b->entries[k].limit >= x)
			k++;
	} else {
		while (k < b->count && b->entries[k].limit <= x)
			k++;
	}
	candidates_reserve(c, k);
	for (size_t i = 0; i < k && !c->failed; i++)
		c->ids[c->count++] = b->entries[i].id;
}

static void gather_all(const struct risk_profile_set *set, const struct risk_item *item,
		       risk_in_list_fn in_list, void *list_ctx, struct candidates *c)
{
	const struct hs_trie *t = &set->hs;
	const char *hs = item->text[RISK_HS] ? item->text[RISK_HS] : "";

	gather(c, set->unanchored.ids, set->unanchored.count);
	/* Every prefix of the item's HS code, the empty one included. */
	for (const char *p = hs; t; p++) {
		gather(c, t->here.ids, t->here.count);
		t = (*p >= '0' && *p <= '9') ? t->child[*p - '0'] : NULL;
	}
	for (int f = 0; set->field_mask >> f; f++) {
		const struct field_entry *e;
		if (!(set->field_mask >> f & 1u))
			continue;
		e = table_find(set, f, item->text[f] ? item->text[f] : "", 0);
		if (e)
			gather(c, e->ids.ids, e->ids.count);
	}
	for (size_t i = 0; i < set->nlists; i++) {
		const struct list_anchor *l = &set->lists[i];
		const char *v = item->text[l->field];
		if (in_list && v && *v && in_list(list_ctx, l->list, v))
			gather(c, l->ids.ids, l->ids.count);
	}
	for (size_t i = 0; i < set->nbounds; i++) {
		const struct bound_index *b = &set->bounds[i];
		gather_bound(c, b, item->number[b->field - RISK_TEXT_FIELDS]);
	}
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Sort an item's hits in place: usually a few, so by insertion. */
static void sort_hits(size_t *a, size_t n)
{
	if (n > 32) {
		qsort(a, n, sizeof(*a), cmp_size);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		size_t x = a[i], j = i;
		for (; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/*
 * Gather the candidates, evaluate each, and keep the hits in the candidate
 * buffer itself (a hit never overtakes the candidate being read); then sort
 * the hits and drop the duplicates a profile anchored on several values of
 * one field can bring.
 */
size_t risk_eval(const struct risk_profile_set *set, const struct risk_item *item,
		 risk_in_list_fn in_list, void *list_ctx, size_t *hits, size_t max)
{
	struct candidates c;
	size_t nhits = 0, out = 0;

	c.ids = c.local;
	c.count = 0;
	c.cap = LOCAL_CANDIDATES;
	c.failed = 0;
	gather_all(set, item, in_list, list_ctx, &c);
	if (c.failed) {
		/* Out of memory for candidates: fall back to walking every profile. */
		if (c.ids != c.local)
			free(c.ids);
		return risk_eval_naive(set, item, in_list, list_ctx, hits, max);
	}
	for (size_t i = 0; i < c.count; i++)
		if (risk_profile_matches(&set->profiles[c.ids[i]], item, in_list, list_ctx))
			c.ids[nhits++] = c.ids[i];
	sort_hits(c.ids, nhits);
	for (size_t i = 0; i < nhits; i++) {
		if (i && c.ids[i] == c.ids[i - 1])
			continue;
		if (out < max)
			hits[out] = c.ids[i];
		out++;
	}
	if (c.ids != c.local)
		free(c.ids);
	return out;
}

static void id_list_free(struct id_list *l) { free(l->ids); }

static void trie_free(struct hs_trie *t)
{
	for (int d = 0; d < 10; d++)
		if (t->child[d])
			trie_free(t->child[d]);
	id_list_free(&t->here);
}

int risk_compile(const char *source, size_t len, struct risk_profile_set **out,
		 struct risk_compile_error *err)
{
	struct risk_profile_set *set = calloc(1, sizeof(*set));
	int rc;

	*out = NULL;
	if (!set)
		return CV_ENOMEM;
	cv_arena_init(&set->arena, 64 * 1024);
	rc = risk_parse(set, source, len, err);
	if (!rc)
		rc = risk_index_build(set);
	if (rc) {
		risk_profile_set_free(set);
		return rc;
	}
	*out = set;
	return CV_OK;
}

void risk_profile_set_free(struct risk_profile_set *set)
{
	if (!set)
		return;
	trie_free(&set->hs);
	for (size_t i = 0; set->table && i < set->table_cap; i++)
		id_list_free(&set->table[i].ids);
	free(set->table);
	for (size_t i = 0; i < set->nlists; i++)
		id_list_free(&set->lists[i].ids);
	free(set->lists);
	for (size_t i = 0; i < set->nbounds; i++)
		free(set->bounds[i].entries);
	free(set->bounds);
	id_list_free(&set->unanchored);
	free(set->profiles);
	cv_arena_release(&set->arena);
	free(set);
}

size_t risk_profile_count(const struct risk_profile_set *set) { return set->count; }

const struct risk_profile_info *risk_profile_info(const struct risk_profile_set *set, size_t index)
{
	return index < set->count ? &set->profiles[index].info : NULL;
}

void risk_index_stats(const struct risk_profile_set *set, size_t *by_hs, size_t *by_field,
		      size_t *unanchored)
{
	*by_hs = set->by_hs;
	*by_field = set->by_field;
	*unanchored = set->unanchored.count;
}
