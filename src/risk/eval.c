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
 * An anchor: a conjunct that must hold for the condition to hold. Search the
 * top-level conjunction for the best one: an HS prefix first (the most
 * selective index), else an equality on another text field. Returns the
 * anchoring node or NULL.
 */
static const struct node *find_anchor(const struct node *n, int want_hs)
{
	const struct node *found;

	if (!n)
		return NULL;
	if (n->kind == N_AND) {
		found = find_anchor(n->a, want_hs);
		return found ? found : find_anchor(n->b, want_hs);
	}
	if (want_hs)
		return n->field == RISK_HS && ((n->kind == N_CMP && n->op == OP_EQ) ||
					       n->kind == N_STARTS || n->kind == N_BETWEEN ||
					       n->kind == N_IN)
			       ? n
			       : NULL;
	return n->field < RISK_TEXT_FIELDS && n->field != RISK_HS &&
			       ((n->kind == N_CMP && n->op == OP_EQ) || n->kind == N_IN)
		       ? n
		       : NULL;
}

static int index_profile(struct risk_profile_set *set, size_t id)
{
	const struct node *n = find_anchor(set->profiles[id].cond, 1);
	int rc = CV_OK;

	if (n) {
		set->by_hs++;
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
	n = find_anchor(set->profiles[id].cond, 0);
	if (!n) {
		return id_list_add(&set->unanchored, id);
	}
	set->by_field++;
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

/* Count the (field, value) pairs that may be anchored, to size the table. */
static size_t count_values(const struct node *n)
{
	if (!n)
		return 0;
	if (n->kind == N_AND || n->kind == N_OR)
		return count_values(n->a) + count_values(n->b);
	return n->kind == N_IN ? n->nlist : 1;
}

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
	return rc;
}

static int text_cmp(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int compare(const struct node *n, const struct risk_item *item, const struct risk_value *v)
{
	/* <0, 0, >0 as the item's field against the value */
	if (n->field < RISK_TEXT_FIELDS)
		return text_cmp(item->text[n->field], v->text);
	double x = n->field == RISK_PRE_ARRIVAL ? (item->pre_arrival != 0)
						: item->number[n->field - RISK_TEXT_FIELDS];
	return x < v->number ? -1 : x > v->number ? 1 : 0;
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
			if (compare(n, item, &n->list[i]) == 0)
				return 1;
		return 0;
	case N_IN_LIST: {
		const char *v = item->text[n->field];
		return in_list && v && *v && in_list(ctx, n->name, v);
	}
	case N_STARTS: {
		const char *v = item->text[n->field] ? item->text[n->field] : "";
		return strncmp(v, n->name, strlen(n->name)) == 0;
	}
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

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

#define LOCAL_CANDIDATES 1024

/* Append a bucket's ids to the candidate buffer, growing it on the heap when needed. */
static int gather(size_t **buf, size_t *n, size_t *cap, const size_t *local, const struct id_list *l)
{
	if (!l->count)
		return CV_OK;
	if (*n + l->count > *cap) {
		size_t ncap = (*n + l->count) * 2;
		size_t *bigger = malloc(ncap * sizeof(*bigger));
		if (!bigger)
			return CV_ENOMEM;
		memcpy(bigger, *buf, *n * sizeof(*bigger));
		if (*buf != local)
			free(*buf);
		*buf = bigger;
		*cap = ncap;
	}
	memcpy(*buf + *n, l->ids, l->count * sizeof(**buf));
	*n += l->count;
	return CV_OK;
}

size_t risk_eval(const struct risk_profile_set *set, const struct risk_item *item,
		 risk_in_list_fn in_list, void *list_ctx, size_t *hits, size_t max)
{
	size_t local[LOCAL_CANDIDATES], *cand = local, ncand = 0, cap = LOCAL_CANDIDATES, nhits = 0;
	const struct hs_trie *t = &set->hs;
	const char *hs = item->text[RISK_HS] ? item->text[RISK_HS] : "";
	int rc = gather(&cand, &ncand, &cap, local, &set->unanchored);

	/* Every prefix of the item's HS code, the empty one included. */
	for (const char *p = hs; !rc && t; p++) {
		rc = gather(&cand, &ncand, &cap, local, &t->here);
		t = (*p >= '0' && *p <= '9') ? t->child[*p - '0'] : NULL;
	}
	for (int f = 0; !rc && set->by_field && f < RISK_TEXT_FIELDS; f++) {
		const char *v = item->text[f];
		const struct field_entry *e = v && f != RISK_HS ? table_find(set, f, v, 0) : NULL;
		if (e)
			rc = gather(&cand, &ncand, &cap, local, &e->ids);
	}
	if (rc) {
		/* Out of memory for candidates: fall back to walking every profile. */
		if (cand != local)
			free(cand);
		return risk_eval_naive(set, item, in_list, list_ctx, hits, max);
	}
	qsort(cand, ncand, sizeof(*cand), cmp_size);
	for (size_t i = 0; i < ncand; i++) {
		if (i && cand[i] == cand[i - 1])
			continue;
		if (risk_profile_matches(&set->profiles[cand[i]], item, in_list, list_ctx)) {
			if (nhits < max)
				hits[nhits] = cand[i];
			nhits++;
		}
	}
	if (cand != local)
		free(cand);
	return nhits;
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
