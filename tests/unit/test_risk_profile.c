/* test_risk_profile.c — the profile language: parsing, errors with positions, evaluation, the index. */
#include "risk/profile.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char example[] =
	"# comment\n"
	"profile ODS-001 \"HFC imports without a Montreal Protocol licence\"\n"
	"  when direction = \"import\" and hs between \"290341\" and \"290349\" and not has_document(\"ODS-LICENCE\")\n"
	"  then lane red, score 100, note \"Montreal Protocol licence missing\"\n"
	"  valid 2024-01-01 .. 2026-12-31\n"
	"  offices KZ-ALA, KZ-AST\n"
	"end\n";

static struct risk_profile_set *compile_ok(const char *src)
{
	struct risk_profile_set *set;
	struct risk_compile_error err;
	int rc = risk_compile(src, strlen(src), &set, &err);

	cr_assert_eq(rc, CV_OK, "%d:%d: %s\n%s", err.line, err.column, err.message, src);
	return set;
}

static struct risk_compile_error compile_bad(const char *src)
{
	struct risk_profile_set *set;
	struct risk_compile_error err;

	cr_assert_eq(risk_compile(src, strlen(src), &set, &err), CV_EINVAL, "compiled: %s", src);
	cr_assert_null(set);
	return err;
}

static struct risk_item item(void)
{
	static const char *const docs[] = {"INVOICE"};
	struct risk_item it;

	memset(&it, 0, sizeof(it));
	for (int f = 0; f < RISK_TEXT_FIELDS; f++)
		it.text[f] = "";
	it.text[RISK_DIRECTION] = "import";
	it.text[RISK_HS] = "29034500";
	it.text[RISK_OFFICE] = "KZ-ALA";
	it.text[RISK_ORIGIN] = "CN";
	it.documents = docs;
	it.ndocuments = 1;
	it.date = "2025-06-01";
	return it;
}

static int hits(const struct risk_profile_set *set, const struct risk_item *it)
{
	size_t h[8];
	return (int)risk_eval(set, it, NULL, NULL, h, 8);
}

TestSuite(risk_profile);

Test(risk_profile, the_example_compiles_with_its_actions)
{
	struct risk_profile_set *set = compile_ok(example);
	const struct risk_profile_info *p = risk_profile_info(set, 0);

	cr_assert_eq(risk_profile_count(set), 1);
	cr_assert_str_eq(p->id, "ODS-001");
	cr_assert_eq(p->lane, RISK_RED);
	cr_assert_float_eq(p->score, 100, 1e-9);
	cr_assert_str_eq(p->note, "Montreal Protocol licence missing");
	risk_profile_set_free(set);
}

Test(risk_profile, the_example_hits_an_hfc_import_without_licence_in_its_offices_and_dates)
{
	struct risk_profile_set *set = compile_ok(example);
	struct risk_item it = item();
	static const char *const licence[] = {"ODS-LICENCE"};

	cr_assert_eq(hits(set, &it), 1);
	it.text[RISK_HS] = "29035100";
	cr_assert_eq(hits(set, &it), 0, "outside the HS range");
	it = item();
	it.documents = licence;
	cr_assert_eq(hits(set, &it), 0, "the licence is there");
	it = item();
	it.text[RISK_OFFICE] = "KZ-SHY";
	cr_assert_eq(hits(set, &it), 0, "another office");
	it = item();
	it.date = "2027-01-01";
	cr_assert_eq(hits(set, &it), 0, "after the validity");
	it = item();
	it.text[RISK_DIRECTION] = "export";
	cr_assert_eq(hits(set, &it), 0);
	risk_profile_set_free(set);
}

/* One profile with the condition, against the default item. */
static int holds(const char *condition, const struct risk_item *it)
{
	char src[1024];
	struct risk_profile_set *set;
	int n;

	snprintf(src, sizeof(src), "profile T \"t\" when %s then score 1 end", condition);
	set = compile_ok(src);
	n = hits(set, it);
	{
		size_t h[8];
		cr_assert_eq((size_t)n, risk_eval_naive(set, it, NULL, NULL, h, 8),
			     "index and walk disagree on %s", condition);
	}
	risk_profile_set_free(set);
	return n;
}

Test(risk_profile, every_operator)
{
	struct risk_item it = item();

	it.number[RISK_VALUE - RISK_TEXT_FIELDS] = 5000;
	it.pre_arrival = 1;
	cr_assert(holds("origin = \"CN\"", &it));
	cr_assert_not(holds("origin != \"CN\"", &it));
	cr_assert(holds("value > 4999.5", &it));
	cr_assert(holds("value >= 5000", &it));
	cr_assert_not(holds("value < 5000", &it));
	cr_assert(holds("value <= 5000", &it));
	cr_assert(holds("origin in (\"RU\", \"CN\")", &it));
	cr_assert_not(holds("origin in (\"RU\", \"TR\")", &it));
	cr_assert(holds("hs startswith \"2903\"", &it));
	cr_assert_not(holds("hs startswith \"2904\"", &it));
	cr_assert(holds("value between 1000 and 5000", &it));
	cr_assert(holds("has_document(\"INVOICE\")", &it));
	cr_assert(holds("pre_arrival = true", &it));
	cr_assert(holds("advance_match = false", &it));
	it.advance_match = 1;
	cr_assert(holds("advance_match = true", &it));
	cr_assert_not(holds("advance_match != true", &it));
	cr_assert(holds("compliance_score < 80", &it), "an absent number is 0");
	cr_assert(holds("hs = \"29034500\"", &it));
}

Test(risk_profile, and_binds_tighter_than_or_and_not_tighter_than_and)
{
	struct risk_item it = item();

	/* true or (false and false) */
	cr_assert(holds("origin = \"CN\" or origin = \"RU\" and origin = \"TR\"", &it));
	/* (true or false) and false */
	cr_assert_not(holds("(origin = \"CN\" or origin = \"RU\") and origin = \"TR\"", &it));
	/* (not true) or true */
	cr_assert(holds("not origin = \"CN\" or hs startswith \"29\"", &it));
	cr_assert_not(holds("not (origin = \"CN\" or hs startswith \"29\")", &it));
}

static int in_denied(void *ctx, const char *list, const char *value)
{
	(void)ctx;
	return !strcmp(list, "DENIED") && !strcmp(value, "KZ999");
}

Test(risk_profile, watchlists_are_asked_through_the_callback)
{
	struct risk_profile_set *set = compile_ok(
		"profile W \"w\" when importer in list \"DENIED\" then lane red end");
	struct risk_item it = item();
	size_t h[4];

	it.text[RISK_IMPORTER] = "KZ999";
	cr_assert_eq(risk_eval(set, &it, NULL, NULL, h, 4), 0, "no callback: no list member");
	cr_assert_eq(risk_eval(set, &it, in_denied, NULL, h, 4), 1);
	it.text[RISK_IMPORTER] = "KZ111";
	cr_assert_eq(risk_eval(set, &it, in_denied, NULL, h, 4), 0);
	risk_profile_set_free(set);
}

static void assert_error(const char *src, int line, int column, const char *words)
{
	struct risk_compile_error err = compile_bad(src);

	cr_assert_eq(err.line, line, "line %d (want %d): %s", err.line, line, err.message);
	cr_assert_eq(err.column, column, "column %d (want %d): %s", err.column, column, err.message);
	cr_assert(strstr(err.message, words), "\"%s\" lacks \"%s\"", err.message, words);
}

Test(risk_profile, errors_name_line_column_and_what_was_expected)
{
	assert_error("profile A \"a\"\n  when colour = \"red\" then score 1 end", 2, 8,
		     "unknown field \"colour\"");
	assert_error("profile A \"a\" when origin = \"CN\" then score 1", 1, 46, "expected \"end\"");
	assert_error("profile A \"a\" when origin = \"CN then score 1 end", 1, 29,
		     "unterminated string");
	assert_error("profile A \"a\" when origin = \"CN\" then lane purple end", 1, 44,
		     "green, yellow, blue or red");
	assert_error("profile A \"a\" when value = \"lots\" then score 1 end", 1, 20,
		     "value takes a number");
	assert_error("profile A \"a\" when origin = 7 then score 1 end", 1, 20,
		     "origin takes a \"string\"");
	assert_error("profile A \"a\" when origin ~ \"CN\" then score 1 end", 1, 27,
		     "expected an operator");
	assert_error("profile A \"a\" when origin = \"CN\" then score 1 valid 2024-01-01 .. soon end",
		     1, 67, "the last date");
	assert_error("profile A \"a\" when origin = \"CN\" then score 1 end\n"
		     "profile A \"b\" when origin = \"RU\" then score 1 end",
		     2, 9, "defined twice");
	assert_error("profile A \"a\" when (origin = \"CN\" then score 1 end", 1, 35, "expected )");
	assert_error("profile A \"a\" when pre_arrival > true then score 1 end", 1, 20,
		     "= or != only");
	assert_error("profile A \"a\" when advance_match >= true then score 1 end", 1, 20,
		     "advance_match is compared with = or != only");
	assert_error("profile A \"a\" when advance_match = \"yes\" then score 1 end", 1, 20,
		     "true or false");
	assert_error("rule A \"a\" when origin = \"CN\" then score 1 end", 1, 1,
		     "expected \"profile\"");
}

/* --- the index gives exactly the hits of a walk over every profile --- */

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static unsigned next_rand(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const hs_pool[] = {"0101",     "010121", "2903",   "290341",   "290349",
				      "29034500", "8517",   "851712", "85171200", "3808"};
static const char *const cc_pool[] = {"CN", "RU", "TR", "KZ", "UZ", "DE"};
static const char *const dir_pool[] = {"import", "export", "transit"};
static const char *const importer_pool[] = {"KZ1", "KZ2", "KZ3", "KZ4"};

/* Watchlist Ln holds the importers KZm with (n + m) even. */
static int in_random_list(void *ctx, const char *list, const char *value)
{
	(void)ctx;
	return list[0] == 'L' && value[0] == 'K' && (list[1] + value[2]) % 2 == 0;
}

static void random_condition(char *out, size_t size, int depth)
{
	unsigned k = next_rand(depth > 2 ? 10 : 13);
	char a[512], b[512];

	switch (k) {
	case 0: snprintf(out, size, "hs startswith \"%s\"", hs_pool[next_rand(10)]); break;
	case 1: snprintf(out, size, "hs = \"%s\"", hs_pool[next_rand(10)]); break;
	case 2:
		snprintf(out, size, "hs between \"%s\" and \"%s\"", hs_pool[next_rand(5)],
			 hs_pool[5 + next_rand(5)]);
		break;
	case 3: snprintf(out, size, "origin = \"%s\"", cc_pool[next_rand(6)]); break;
	case 4:
		snprintf(out, size, "direction in (\"%s\", \"%s\")", dir_pool[next_rand(3)],
			 dir_pool[next_rand(3)]);
		break;
	case 5: snprintf(out, size, "value > %u", next_rand(10000)); break;
	case 6: snprintf(out, size, "has_document(\"D%u\")", next_rand(3)); break;
	case 7: snprintf(out, size, "importer in list \"L%u\"", next_rand(3)); break;
	case 8:
		snprintf(out, size, "value %s %u", next_rand(2) ? "<=" : ">=", next_rand(10000));
		break;
	case 9: snprintf(out, size, "unit_value < %u", next_rand(100)); break;
	case 10:
		random_condition(a, sizeof(a), depth + 1);
		random_condition(b, sizeof(b), depth + 1);
		snprintf(out, size, "(%s and %s)", a, b);
		break;
	case 11:
		random_condition(a, sizeof(a), depth + 1);
		random_condition(b, sizeof(b), depth + 1);
		snprintf(out, size, "(%s or %s)", a, b);
		break;
	default: random_condition(a, sizeof(a), depth + 1); snprintf(out, size, "not %s", a);
	}
}

Test(risk_profile, the_index_gives_the_same_hits_as_walking_every_profile)
{
	for (int round = 0; round < 20; round++) {
		size_t cap = 200 * 600, used = 0, h1[256], h2[256];
		char *src = malloc(cap), cond[2048];
		struct risk_profile_set *set;

		for (int p = 0; p < 200; p++) {
			random_condition(cond, sizeof(cond), 0);
			used += (size_t)snprintf(src + used, cap - used,
						 "profile P%d \"p\" when %s then score %u end\n", p,
						 cond, next_rand(50));
		}
		set = compile_ok(src);
		for (int i = 0; i < 500; i++) {
			static const char *const docs[] = {"D0", "D1", "D2"};
			struct risk_item it = item();
			it.text[RISK_HS] = hs_pool[next_rand(10)];
			it.text[RISK_ORIGIN] = cc_pool[next_rand(6)];
			it.text[RISK_DIRECTION] = dir_pool[next_rand(3)];
			it.text[RISK_IMPORTER] = importer_pool[next_rand(4)];
			it.number[RISK_VALUE - RISK_TEXT_FIELDS] = next_rand(10000);
			it.number[RISK_UNIT_VALUE - RISK_TEXT_FIELDS] = next_rand(100);
			it.documents = docs + next_rand(3);
			it.ndocuments = next_rand(2);
			size_t n1 = risk_eval(set, &it, in_random_list, NULL, h1, 256),
			       n2 = risk_eval_naive(set, &it, in_random_list, NULL, h2, 256);
			cr_assert_eq(n1, n2, "round %d item %d: %zu vs %zu hits", round, i, n1, n2);
			for (size_t k = 0; k < n1 && k < 256; k++)
				cr_assert_eq(h1[k], h2[k]);
		}
		risk_profile_set_free(set);
		free(src);
	}
}

Test(risk_profile, most_profiles_are_indexed)
{
	struct risk_profile_set *set = compile_ok(
		"profile A \"a\" when hs startswith \"8517\" and value > 10 then score 5 end\n"
		"profile B \"b\" when origin = \"CN\" then score 5 end\n"
		"profile C \"c\" when value > 100000 then lane yellow end\n"
		"profile D \"d\" when direction = \"import\" and hs between \"290341\" and \"290349\" then score 1 end\n"
		"profile E \"e\" when direction = \"import\" and importer in list \"DENIED\" then score 1 end\n"
		"profile F \"f\" when value > 10 or has_document(\"X\") then score 1 end\n");
	size_t by_hs, by_field, unanchored;

	/* C by its bound, E by its watchlist rather than the direction most items share. */
	risk_index_stats(set, &by_hs, &by_field, &unanchored);
	cr_assert_eq(by_hs, 2);
	cr_assert_eq(by_field, 3);
	cr_assert_eq(unanchored, 1);
	risk_profile_set_free(set);
}
