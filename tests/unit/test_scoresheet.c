/* test_scoresheet.c — the compliance score, checked against figures worked out by hand. */
#include "aeo/scoresheet.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static struct score_model model;

/* The default model of migration 006, for scoring on day 20000. */
static void setup(void)
{
	static const double weights[] = {35, 15, 30, 10, 10}, tolerances[] = {0, 0, 10, 30, 5};

	memset(&model, 0, sizeof(model));
	memcpy(model.weight, weights, sizeof(weights));
	memcpy(model.tolerance, tolerances, sizeof(tolerances));
	model.window_days = 1095;
	model.today = 20000;
	model.grade_aaa = 95;
	model.grade_aa = 90;
	model.grade_a = 80;
	for (int age = 0; age <= model.window_days; age++)
		model.decay[age] = pow(0.5, age / 365.0);
}

TestSuite(scoresheet, .init = setup);

static void add(struct score_acc *acc, const char *kind, const char *outcome, int n, int age)
{
	for (int i = 0; i < n; i++)
		aeo_score_add(&model, acc, kind, outcome, 0, model.today - age);
}

Test(scoresheet, a_mixed_record_scores_as_computed_by_hand)
{
	struct score_acc acc = {0};
	struct score_result r;

	add(&acc, "declaration_lodged", "", 100, 0);
	add(&acc, "declaration_amended", "", 10, 0);
	add(&acc, "examination", "clean", 4, 0);
	add(&acc, "examination", "major", 1, 0);
	add(&acc, "infringement", "major", 1, 0);
	aeo_score_add(&model, &acc, "late_payment", "", 15, model.today);
	add(&acc, "pga_finding", "minor", 1, 0);
	aeo_score_finish(&model, &acc, &r);
	/* examination (4 + 0.2) / 5 = 0.84 -> 29.4; accuracy 0.9 -> 13.5; infringements
	 * 1 - 3/10 -> 21; payment 1 - 15/30 -> 5; findings 1 - 1/5 -> 8: 76.9 */
	cr_assert_float_eq(r.value[SCORE_EXAMINATION], 0.84, 1e-9);
	cr_assert_float_eq(r.contribution[SCORE_ACCURACY], 13.5, 1e-9);
	cr_assert_float_eq(r.contribution[SCORE_INFRINGEMENTS], 21.0, 1e-9);
	cr_assert_float_eq(r.contribution[SCORE_PAYMENT], 5.0, 1e-9);
	cr_assert_float_eq(r.contribution[SCORE_FINDINGS], 8.0, 1e-9);
	cr_assert_float_eq(r.score, 76.9, 1e-9);
	cr_assert_str_eq(r.grade, "none");
	cr_assert_eq(r.declarations, 100);
	cr_assert_eq(r.events, 118);
}

Test(scoresheet, a_clean_record_is_aaa)
{
	struct score_acc acc = {0};
	struct score_result r;

	add(&acc, "declaration_lodged", "", 50, 10);
	add(&acc, "examination", "clean", 5, 10);
	aeo_score_finish(&model, &acc, &r);
	cr_assert_float_eq(r.score, 100.0, 1e-9);
	cr_assert_str_eq(r.grade, "AAA");
}

Test(scoresheet, an_old_seizure_counts_half_after_a_year_and_nothing_after_the_window)
{
	struct score_acc acc = {0};
	struct score_result r;

	add(&acc, "declaration_lodged", "", 1, 0);
	add(&acc, "examination", "clean", 1, 0);
	add(&acc, "examination", "seizure", 1, 365);
	aeo_score_finish(&model, &acc, &r);
	/* (1 x 1 + 0.5 x 0) / 1.5 */
	cr_assert_float_eq(r.value[SCORE_EXAMINATION], 2.0 / 3.0, 1e-9);
	add(&acc, "examination", "seizure", 1, 1096);
	aeo_score_finish(&model, &acc, &r);
	cr_assert_float_eq(r.value[SCORE_EXAMINATION], 2.0 / 3.0, 1e-9, "outside the window");
}

Test(scoresheet, a_voluntary_disclosure_offsets_two_infringement_points)
{
	struct score_acc acc = {0};
	struct score_result r;

	add(&acc, "declaration_lodged", "", 200, 0);
	add(&acc, "infringement", "major", 2, 0);
	aeo_score_finish(&model, &acc, &r);
	/* 6 points over 2 hundred declarations: 3 per 100 against 10 -> 0.7 */
	cr_assert_float_eq(r.value[SCORE_INFRINGEMENTS], 0.7, 1e-9);
	add(&acc, "voluntary_disclosure", "", 1, 0);
	aeo_score_finish(&model, &acc, &r);
	cr_assert_float_eq(r.value[SCORE_INFRINGEMENTS], 0.8, 1e-9);
}

Test(scoresheet, rates_are_per_hundred_declarations_so_size_does_not_punish)
{
	struct score_acc small = {0}, large = {0};
	struct score_result rs, rl;

	add(&small, "declaration_lodged", "", 100, 0);
	add(&small, "infringement", "minor", 1, 0);
	add(&large, "declaration_lodged", "", 10000, 0);
	add(&large, "infringement", "minor", 100, 0);
	aeo_score_finish(&model, &small, &rs);
	aeo_score_finish(&model, &large, &rl);
	cr_assert_float_eq(rs.score, rl.score, 1e-9);
}

Test(scoresheet, no_declarations_means_no_grade)
{
	struct score_acc acc = {0};
	struct score_result r;

	aeo_score_finish(&model, &acc, &r);
	cr_assert_str_eq(r.grade, "none");
	cr_assert_eq(r.declarations, 0);
}

Test(scoresheet, grades_follow_the_thresholds)
{
	struct score_acc acc = {0};
	struct score_result r;

	add(&acc, "declaration_lodged", "", 100, 0);
	add(&acc, "declaration_amended", "", 30, 0); /* accuracy 0.7: 15 x 0.3 = 4.5 off */
	aeo_score_finish(&model, &acc, &r);
	cr_assert_float_eq(r.score, 95.5, 1e-9);
	cr_assert_str_eq(r.grade, "AAA");
	add(&acc, "declaration_amended", "", 40, 0); /* accuracy 0.3: 10.5 off */
	aeo_score_finish(&model, &acc, &r);
	cr_assert_float_eq(r.score, 89.5, 1e-9);
	cr_assert_str_eq(r.grade, "A");
}
