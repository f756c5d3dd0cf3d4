/*
 * profile.h — selectivity profiles: a small language that risk analysts
 * write, compiled into an index that the engine evaluates per declaration
 * item.
 *
 *   # comment
 *   profile ODS-001 "HFC imports without a Montreal Protocol licence"
 *     when direction = "import" and hs between "290341" and "290349"
 *          and not has_document("ODS-LICENCE")
 *     then lane red, score 100, note "Montreal Protocol licence missing"
 *     valid 2024-01-01 .. 2026-12-31
 *     offices KZ-ALA, KZ-AST
 *   end
 *
 * Conditions are `field op value` joined by and, or, not and parentheses;
 * operators =, !=, <, <=, >, >=, in ("A", "B"), in list "NAME" (a
 * watchlist), startswith "2903", between X and Y, and has_document("TYPE").
 * Actions: score N (may be negative), lane green|yellow|blue|red (at least
 * this lane), note "...". Compile errors name the line and column and what
 * was expected; unknown fields and values of the wrong type are errors.
 *
 * Compiled for speed: each profile's condition is searched for an anchor, a
 * conjunct that must hold — best first: an HS prefix (hs = X, hs startswith
 * P, hs between A and B), a watchlist (field in list "W"), an equality on
 * another text field (field = X, field in (...)), a bound on a number
 * (value > N, unit_value < N), an equality on a field of a few values
 * (direction, procedure, mode, aeo, aeo_grade). Anchored profiles go into an
 * HS prefix trie, a hash table per field, a bucket per watchlist (one
 * membership question per item and list) or a sorted array per bound; an
 * item only evaluates the profiles its HS code, field values, watchlist
 * memberships and numbers reach, plus the few without an anchor.
 * risk_eval_naive() walks every profile, for tests that prove both give the
 * same hits.
 *
 * A compiled set is immutable: evaluation is thread-safe.
 */
#ifndef CV_RISK_PROFILE_H
#define CV_RISK_PROFILE_H

#include <stddef.h>

/* The fields a condition can test. */
enum risk_field {
	/* text */
	RISK_DIRECTION,
	RISK_PROCEDURE,
	RISK_OFFICE,
	RISK_MODE,
	RISK_HS,
	RISK_ORIGIN,
	RISK_DEPARTURE,
	RISK_DESTINATION,
	RISK_DECLARANT,
	RISK_IMPORTER,
	RISK_EXPORTER,
	RISK_SELLER,
	RISK_COURIER,
	RISK_AEO,
	RISK_AEO_GRADE,
	RISK_TEXT_FIELDS,
	/* numbers */
	RISK_VALUE = RISK_TEXT_FIELDS,
	RISK_NET_MASS,
	RISK_UNIT_VALUE,
	RISK_TAX_RATE,
	RISK_COMPLIANCE_SCORE,
	/* true/false */
	RISK_PRE_ARRIVAL,
	RISK_ADVANCE_MATCH, /* the partner's advance cargo data matches (docs/EXCHANGE.md) */
	RISK_FIELD_COUNT
};

/* true/false fields: compared with = or != only. */
#define RISK_IS_FLAG(f) ((f) >= RISK_PRE_ARRIVAL && (f) < RISK_FIELD_COUNT)

#define RISK_NUMBER_FIELDS (RISK_PRE_ARRIVAL - RISK_TEXT_FIELDS)

enum risk_lane { RISK_GREEN, RISK_BLUE, RISK_YELLOW, RISK_RED };

/* One declaration item as the engine sees it. Absent text is "" (or NULL). */
struct risk_item {
	const char *text[RISK_TEXT_FIELDS];
	double number[RISK_NUMBER_FIELDS];
	int pre_arrival;
	int advance_match;
	const char *const *documents; /* LPCO and certificate types present */
	size_t ndocuments;
	const char *date; /* YYYY-MM-DD the profiles' validity is judged on */
};

/* Watchlist membership, supplied by the caller (the database, a file, a test). */
typedef int (*risk_in_list_fn)(void *ctx, const char *list, const char *value);

struct risk_profile_set;

struct risk_compile_error {
	int line, column;
	char message[256];
};

/* A profile as written, for explanations. */
struct risk_profile_info {
	const char *id;
	const char *title;
	double score;
	enum risk_lane lane; /* RISK_GREEN when the profile sets no lane */
	const char *note;
};

/* Compile source. On error returns CV_EINVAL with err filled and *out NULL. */
int risk_compile(const char *source, size_t len, struct risk_profile_set **out,
		 struct risk_compile_error *err);
void risk_profile_set_free(struct risk_profile_set *set);
size_t risk_profile_count(const struct risk_profile_set *set);
const struct risk_profile_info *risk_profile_info(const struct risk_profile_set *set, size_t index);

/* The field of a name ("hs"), or -1. */
int risk_field_parse(const char *name);
const char *risk_field_name(enum risk_field field);
const char *risk_lane_name(enum risk_lane lane);

/*
 * The profiles an item hits, as indexes into the set, in increasing order;
 * returns how many (at most max are written). in_list may be NULL when no
 * profile uses watchlists. Uses the index; risk_eval_naive walks every profile.
 */
size_t risk_eval(const struct risk_profile_set *set, const struct risk_item *item,
		 risk_in_list_fn in_list, void *list_ctx, size_t *hits, size_t max);
size_t risk_eval_naive(const struct risk_profile_set *set, const struct risk_item *item,
		       risk_in_list_fn in_list, void *list_ctx, size_t *hits, size_t max);

/* How many profiles went into the HS trie, the other indexes (field values, watchlists, number bounds), and the always-checked list. */
void risk_index_stats(const struct risk_profile_set *set, size_t *by_hs, size_t *by_field,
		      size_t *unanchored);

#endif
