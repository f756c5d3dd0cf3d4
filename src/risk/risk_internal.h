/*
 * risk_internal.h — what parse.c and eval.c share: the syntax tree of a
 * condition and the compiled set. Internal to src/risk.
 */
#ifndef CV_RISK_INTERNAL_H
#define CV_RISK_INTERNAL_H

#include "base/arena.h"
#include "risk/profile.h"

enum node_kind { N_AND, N_OR, N_NOT, N_CMP, N_IN, N_IN_LIST, N_STARTS, N_BETWEEN, N_HAS_DOC };
enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct risk_value {
	int is_text;
	const char *text;
	double number; /* numbers, and true/false as 1/0 */
};

struct node {
	enum node_kind kind;
	struct node *a, *b; /* and, or: both; not: a */
	int field;          /* comparisons */
	enum cmp_op op;
	struct risk_value v1, v2; /* cmp: v1; between: v1 .. v2 */
	struct risk_value *list;  /* in (...) */
	size_t nlist;
	const char *name; /* in list "NAME", has_document("TYPE"), startswith "P" */
};

struct profile {
	struct risk_profile_info info;
	struct node *cond;
	char valid_from[11], valid_to[11]; /* "" when unbounded */
	const char **offices;
	size_t noffices;
};

/* A list of profile indexes (the index's buckets). */
struct id_list {
	size_t *ids;
	size_t count, cap;
};

struct hs_trie {
	struct hs_trie *child[10];
	struct id_list here; /* profiles anchored on exactly this prefix */
};

struct field_entry {
	int field;
	const char *value;
	struct id_list ids;
};

/* Profiles anchored on `field in list "NAME"`: one membership question per item and list. */
struct list_anchor {
	int field;
	const char *list;
	struct id_list ids;
};

/* Profiles anchored on a bound of a number field, sorted so an item gathers a prefix. */
struct bound_entry {
	double limit;
	size_t id;
};

struct bound_index {
	int field;
	int upper; /* 1: field < N or <= N (descending limits); 0: > or >= (ascending) */
	struct bound_entry *entries;
	size_t count, cap;
};

struct risk_profile_set {
	struct cv_arena arena;
	struct profile *profiles;
	size_t count;
	struct hs_trie hs;
	struct field_entry *table; /* open addressing over (field, value) */
	size_t table_cap;
	unsigned field_mask; /* bit f: some profile is anchored on text field f's value */
	struct list_anchor *lists;
	size_t nlists;
	struct bound_index *bounds;
	size_t nbounds;
	struct id_list unanchored;
	size_t by_hs, by_field;
};

/* Parse source into set->profiles (arena allocated). */
int risk_parse(struct risk_profile_set *set, const char *source, size_t len,
	       struct risk_compile_error *err);
/* Build the index over set->profiles. */
int risk_index_build(struct risk_profile_set *set);
/* Does profile p hold for the item? */
int risk_profile_matches(const struct profile *p, const struct risk_item *item,
			 risk_in_list_fn in_list, void *list_ctx);

#endif
