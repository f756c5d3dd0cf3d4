/* test_risk_decision.c — lanes from scores and profiles, reductions, the random draw, the explanation. */
#include "risk/decision.h"

#include <criterion/criterion.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const unsigned char secret[] = "node secret for tests, 32 bytes!";
static struct risk_profile_set *set;
static struct risk_office_params params;

static void setup(void)
{
	static const char src[] =
		"profile PHONES \"phones\" when hs startswith \"8517\" then score 45, note \"check value\" end\n"
		"profile CHEAP \"cheap\" when hs startswith \"8517\" and unit_value < 20 then score 30 end\n"
		"profile ODS \"ods\" when hs startswith \"2903\" and not has_document(\"ODS\") then lane red end\n";
	struct risk_compile_error err;

	cr_assert_eq(sodium_init() >= 0, 1);
	cr_assert_eq(risk_compile(src, strlen(src), &set, &err), 0, "%s", err.message);
	risk_office_params_defaults(&params);
	params.random_rate = 0; /* the draw is tested on its own */
	params.random_rate_aeo = 0;
}

static void teardown(void) { risk_profile_set_free(set); }

TestSuite(risk_decision, .init = setup, .fini = teardown);

static struct risk_item item(const char *hs, double unit_value)
{
	struct risk_item it;

	memset(&it, 0, sizeof(it));
	for (int f = 0; f < RISK_TEXT_FIELDS; f++)
		it.text[f] = "";
	it.text[RISK_HS] = hs;
	it.number[RISK_UNIT_VALUE - RISK_TEXT_FIELDS] = unit_value;
	return it;
}

static enum risk_lane decide(const struct risk_item *items, size_t n, enum risk_aeo aeo, int clean,
			     json_t **why)
{
	struct risk_declaration d = {.id = "DECL-1",
				     .aeo = aeo,
				     .items = items,
				     .nitems = n,
				     .clean_examinations = clean};

	return risk_decide(set, &params, &d, secret, sizeof(secret), NULL, NULL, why);
}

Test(risk_decision, scores_reach_the_lanes_on_the_thresholds)
{
	struct risk_item green = item("0101", 100), yellow = item("851712", 100),
			 red = item("851712", 5);

	cr_assert_eq(decide(&green, 1, RISK_AEO_NONE, 0, NULL), RISK_GREEN);
	cr_assert_eq(decide(&yellow, 1, RISK_AEO_NONE, 0, NULL), RISK_YELLOW,
		     "45 reaches yellow (40)");
	cr_assert_eq(decide(&red, 1, RISK_AEO_NONE, 0, NULL), RISK_RED, "45 + 30 reaches red (70)");
}

Test(risk_decision, a_profile_lane_holds_whatever_the_score)
{
	struct risk_item ods = item("290341", 100);

	cr_assert_eq(decide(&ods, 1, RISK_AEO_F, 5, NULL), RISK_RED);
}

Test(risk_decision, the_strictest_item_decides_the_declaration)
{
	struct risk_item items[] = {item("0101", 100), item("851712", 5), item("851712", 100)};

	cr_assert_eq(decide(items, 3, RISK_AEO_NONE, 0, NULL), RISK_RED);
}

Test(risk_decision, aeo_status_and_mra_partners_lower_the_score)
{
	struct risk_item red = item("851712", 5); /* 75 */

	cr_assert_eq(decide(&red, 1, RISK_AEO_C, 0, NULL), RISK_YELLOW, "75 - 10 = 65");
	cr_assert_eq(decide(&red, 1, RISK_AEO_F, 0, NULL), RISK_YELLOW, "75 - 25 = 50");
	cr_assert_eq(decide(&red, 1, RISK_AEO_PARTNER, 0, NULL), RISK_YELLOW, "75 - 15 = 60");
	params.aeo_reduction[RISK_AEO_F] = 40;
	cr_assert_eq(decide(&red, 1, RISK_AEO_F, 0, NULL), RISK_BLUE, "75 - 40 = 35: blue");
}

Test(risk_decision, recent_clean_examinations_of_similar_consignments_lower_the_score)
{
	struct risk_item yellow = item("851712", 100); /* 45 */

	cr_assert_eq(decide(&yellow, 1, RISK_AEO_NONE, 2, NULL), RISK_YELLOW,
		     "two clean are not enough");
	cr_assert_eq(decide(&yellow, 1, RISK_AEO_NONE, 3, NULL), RISK_BLUE, "45 - 15 = 30");
}

Test(risk_decision, the_random_draw_is_reproducible_and_keeps_its_rate)
{
	char id[32];
	int selected = 0, n = 100000;
	double rate = 0.02, sigma = sqrt(n * rate * (1 - rate));

	cr_assert_float_eq(risk_random_draw(secret, sizeof(secret), "KZ-IM-1"),
			   risk_random_draw(secret, sizeof(secret), "KZ-IM-1"), 0);
	cr_assert(risk_random_draw(secret, sizeof(secret), "KZ-IM-1") !=
			  risk_random_draw((const unsigned char *)"another node", 12, "KZ-IM-1"),
		  "the secret matters");
	for (int i = 0; i < n; i++) {
		double d;
		snprintf(id, sizeof(id), "KZ-IM-%d", i);
		d = risk_random_draw(secret, sizeof(secret), id);
		cr_assert(d >= 0 && d < 1);
		selected += d < rate;
	}
	/* Within four standard deviations of 2 000. */
	cr_assert(fabs(selected - n * rate) < 4 * sigma, "%d selected of %d", selected, n);
}

Test(risk_decision, a_random_selection_sends_a_green_declaration_to_red)
{
	struct risk_item green = item("0101", 100);
	json_t *why;

	params.random_rate = 1.0; /* everyone */
	cr_assert_eq(decide(&green, 1, RISK_AEO_NONE, 0, &why), RISK_RED);
	cr_assert(json_is_true(json_object_get(json_object_get(why, "random"), "selected")));
	json_decref(why);
	params.random_rate_aeo = 0.0;
	cr_assert_eq(decide(&green, 1, RISK_AEO_S, 0, NULL), RISK_GREEN, "AEOs have their own rate");
}

Test(risk_decision, the_explanation_names_every_component)
{
	struct risk_item red = item("851712", 5);
	json_t *why, *hits;

	cr_assert_eq(decide(&red, 1, RISK_AEO_C, 3, &why), RISK_YELLOW, "75 - 10 - 15 = 50");
	hits = json_object_get(json_array_get(json_object_get(why, "items"), 0), "hits");
	cr_assert_eq(json_array_size(hits), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(hits, 0), "profile")),
			 "PHONES");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(hits, 0), "note")),
			 "check value");
	cr_assert_float_eq(json_real_value(
				   json_object_get(json_array_get(json_object_get(why, "items"), 0),
						   "score")),
			   50, 1e-9);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(why, "aeo"), "status")),
			 "AEOC");
	cr_assert_float_eq(json_real_value(
				   json_object_get(json_object_get(json_array_get(json_object_get(why,
												  "items"),
										  0),
								   "memory"),
						   "reduction")),
			   15, 1e-9);
	cr_assert(json_object_get(json_object_get(why, "random"), "draw"));
	cr_assert_float_eq(json_real_value(
				   json_object_get(json_object_get(why, "thresholds"), "red")),
			   70, 1e-9);
	cr_assert_str_eq(json_string_value(json_object_get(why, "lane")), "yellow");
	json_decref(why);
}

Test(risk_decision, consignment_memory_is_per_item)
{
	struct risk_item items[] = {item("851712", 100), item("851712", 100)}; /* 45 each */
	const int clean[] = {3, 0};
	struct risk_declaration d = {.id = "DECL-2",
				     .items = items,
				     .nitems = 2,
				     .item_clean_examinations = clean};
	json_t *why, *list;

	cr_assert_eq(risk_decide(set, &params, &d, secret, sizeof(secret), NULL, NULL, &why),
		     RISK_YELLOW, "the second item has no clean record");
	list = json_object_get(why, "items");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "lane")),
			 "blue", "45 - 15 = 30");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1), "lane")),
			 "yellow");
	json_decref(why);
}

Test(risk_decision, the_model_score_counts_with_its_weight_and_features_are_shown)
{
	struct risk_item green = item("0101", 100);
	const double scores[] = {90};
	json_t *features = json_pack("[{s:s, s:f}]", "feature", "importer fraud rate",
				     "contribution", 1.5);
	json_t *const per_item[] = {features};
	struct risk_declaration d = {.id = "DECL-3",
				     .items = &green,
				     .nitems = 1,
				     .model_scores = scores,
				     .model_features = per_item};
	json_t *why, *model;

	params.model_weight = 0.5;
	cr_assert_eq(risk_decide(set, &params, &d, secret, sizeof(secret), NULL, NULL, &why),
		     RISK_YELLOW, "90 x 0.5 = 45");
	model = json_object_get(json_array_get(json_object_get(why, "items"), 0), "model");
	cr_assert_float_eq(json_real_value(json_object_get(model, "weighted")), 45, 1e-9);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(model, "features"),
								0),
						 "feature")),
			 "importer fraud rate");
	json_decref(why);
	params.model_weight = 0;
	cr_assert_eq(risk_decide(set, &params, &d, secret, sizeof(secret), NULL, NULL, NULL),
		     RISK_GREEN, "weight 0 turns the model off");
	json_decref(features);
}
