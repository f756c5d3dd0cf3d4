/*
 * test_risk_model.c — the learned risk model: it finds a planted pattern,
 * it is deterministic, its binary format round-trips exactly, and garbage
 * (a bad dataset file, a damaged model blob) is refused with a clear error.
 *
 * The fixtures (tests/fixtures/declarations-*.csv) are built so the answer is
 * known: 20 importers, and fraud is exactly every declaration of importers
 * I01 to I04 (a fifth of the rows); every other field is noise. The test file
 * has 100 rows, 20 of them fraud, so a model that learnt the pattern ranks
 * those 20 first: precision@n% is 1 up to 20 %, and 20/30 at 30 %.
 */
#include "base/mem.h"
#include "risk/dataset.h"
#include "risk/model.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIXTURES "tests/fixtures"
#define TRAIN FIXTURES "/declarations-train.csv"
#define TEST FIXTURES "/declarations-test.csv"
#define SEED 7

TestSuite(risk_model, .timeout = 120);

static void read_rows(const char *path, struct risk_dataset *d, struct risk_model_row **rows)
{
	struct cv_error err;

	cv_error_clear(&err);
	cr_assert_eq(risk_dataset_read(path, d, &err), 0, "%s", err.message);
	*rows = calloc(d->count, sizeof(**rows));
	cr_assert(*rows);
	for (size_t i = 0; i < d->count; i++)
		risk_dataset_model_row(&d->records[i], &(*rows)[i]);
}

static struct risk_model *train_fixture(uint64_t seed)
{
	struct risk_model_params params;
	struct risk_dataset d;
	struct risk_model_row *rows;
	struct risk_model *m = NULL;
	struct cv_error err;

	read_rows(TRAIN, &d, &rows);
	risk_model_params_defaults(&params);
	params.trees = 50;
	params.max_leaves = 31;
	cr_assert_eq(risk_model_train(rows, d.count, &params, seed, NULL, NULL, &m, &err), 0, "%s",
		     err.message);
	free(rows);
	risk_dataset_release(&d);
	return m;
}

/* Scores of the test fixture (malloc'd), labels into *labels if not NULL. */
static double *score_test(const struct risk_model *m, int **labels, size_t *n)
{
	struct risk_dataset d;
	struct risk_model_row *rows;
	double *scores;

	read_rows(TEST, &d, &rows);
	*n = d.count;
	scores = malloc(d.count * sizeof(*scores));
	if (labels)
		*labels = malloc(d.count * sizeof(**labels));
	for (size_t i = 0; i < d.count; i++) {
		scores[i] = risk_model_score(m, &rows[i]);
		cr_assert(scores[i] >= 0 && scores[i] <= 100, "score %g", scores[i]);
		if (labels)
			(*labels)[i] = rows[i].fraud;
	}
	free(rows);
	risk_dataset_release(&d);
	return scores;
}

Test(risk_model, the_fraudulent_importers_are_ranked_first)
{
	struct risk_model *m = train_fixture(SEED);
	int *labels;
	size_t n;
	double *scores = score_test(m, &labels, &n);

	cr_assert_eq(n, 100);
	cr_assert_float_eq(risk_model_precision_at(scores, labels, n, 1), 1.0, 1e-12);
	cr_assert_float_eq(risk_model_precision_at(scores, labels, n, 5), 1.0, 1e-12);
	cr_assert_float_eq(risk_model_precision_at(scores, labels, n, 10), 1.0, 1e-12);
	cr_assert_float_eq(risk_model_precision_at(scores, labels, n, 20), 1.0, 1e-12);
	cr_assert_float_eq(risk_model_precision_at(scores, labels, n, 30), 20.0 / 30.0, 1e-12);
	free(scores);
	free(labels);
	risk_model_free(m);
}

Test(risk_model, precision_takes_ties_in_index_order_and_rounds_half_up)
{
	double scores[] = {5, 9, 9, 1, 9, 0, 0, 0, 0, 0};
	int labels[] = {1, 0, 1, 1, 1, 0, 0, 0, 0, 0};

	/* 10 rows: 10 % is 1 row, the first of the three 9s (index 1, clean). */
	cr_assert_float_eq(risk_model_precision_at(scores, labels, 10, 10), 0.0, 1e-12);
	/* 25 % of 10 is 2.5, rounded to 3: indices 1, 2, 4. */
	cr_assert_float_eq(risk_model_precision_at(scores, labels, 10, 25), 2.0 / 3.0, 1e-12);
	/* Under one row still ranks one. */
	cr_assert_float_eq(risk_model_precision_at(scores, labels, 10, 0.1), 0.0, 1e-12);
}

Test(risk_model, the_same_seed_gives_identical_scores_and_another_seed_differs)
{
	struct risk_model *a = train_fixture(SEED), *b = train_fixture(SEED),
			  *c = train_fixture(SEED + 1);
	size_t n;
	double *sa = score_test(a, NULL, &n), *sb = score_test(b, NULL, &n),
	       *sc = score_test(c, NULL, &n);

	cr_assert_eq(memcmp(sa, sb, n * sizeof(*sa)), 0);
	cr_assert_neq(memcmp(sa, sc, n * sizeof(*sa)), 0);
	free(sa);
	free(sb);
	free(sc);
	risk_model_free(a);
	risk_model_free(b);
	risk_model_free(c);
}

Test(risk_model, a_saved_model_loads_with_identical_scores_and_bytes)
{
	struct risk_model *m = train_fixture(SEED), *back = NULL;
	struct cv_buf blob, again;
	struct cv_error err;
	size_t n;
	double *s1, *s2;
	json_t *summary;

	cv_buf_init(&blob);
	cv_buf_init(&again);
	cr_assert_eq(risk_model_save(m, &blob), 0);
	cr_assert_eq(risk_model_load(blob.data, blob.len, &back, &err), 0, "%s", err.message);
	s1 = score_test(m, NULL, &n);
	s2 = score_test(back, NULL, &n);
	cr_assert_eq(memcmp(s1, s2, n * sizeof(*s1)), 0);
	cr_assert_eq(risk_model_save(back, &again), 0);
	cr_assert_eq(again.len, blob.len);
	cr_assert_eq(memcmp(again.data, blob.data, blob.len), 0);
	summary = risk_model_summary_json(back);
	cr_assert_eq(json_integer_value(json_object_get(summary, "rows")), 200);
	cr_assert_eq(json_integer_value(json_object_get(summary, "positives")), 40);
	cr_assert_eq(json_integer_value(json_object_get(summary, "trees")), 50);
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(summary, "params"), "max_leaves")),
		     31);
	json_decref(summary);
	free(s1);
	free(s2);
	cv_buf_release(&blob);
	cv_buf_release(&again);
	risk_model_free(m);
	risk_model_free(back);
}

Test(risk_model, the_explanation_names_the_importer_first_strongest_first)
{
	struct risk_model *m = train_fixture(SEED);
	struct risk_model_contribution top[5];
	struct risk_model_row row = {0};
	size_t k;

	for (int f = 0; f < RISK_MODEL_TEXT_FIELDS; f++)
		row.text[f] = "";
	row.text[RISK_MODEL_IMPORTER] = "I02";
	row.text[RISK_MODEL_HS] = "851713";
	row.number[RISK_MODEL_TAX_RATE] = 8;
	row.number[RISK_MODEL_NET_MASS] = 10;
	row.number[RISK_MODEL_VALUE] = 1000;
	cr_assert_gt(risk_model_score(m, &row), 50);
	k = risk_model_explain(m, &row, top, 5);
	cr_assert_gt(k, 0);
	cr_assert(strstr(top[0].feature, "importer"), "strongest: %s", top[0].feature);
	cr_assert_gt(top[0].contribution, 0);
	for (size_t i = 1; i < k; i++)
		cr_assert_geq(fabs(top[i - 1].contribution), fabs(top[i].contribution));
	risk_model_free(m);
}

Test(risk_model, missing_fields_fall_back_to_the_prior)
{
	struct risk_model *m = train_fixture(SEED);
	struct risk_model_row row = {0};
	double score;

	for (int f = 0; f < RISK_MODEL_TEXT_FIELDS; f++)
		row.text[f] = "";
	for (int f = 0; f < RISK_MODEL_NUMBER_FIELDS; f++)
		row.number[f] = NAN;
	score = risk_model_score(m, &row);
	cr_assert(score > 0 && score < 100, "%g", score);
	row.text[RISK_MODEL_IMPORTER] = "NEVER-SEEN";
	cr_assert_float_eq(risk_model_score(m, &row), score, 1e-9);
	risk_model_free(m);
}

/* Write text to a temporary file; the caller unlinks path. */
static void write_temp(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

#define HEADER                                                                                     \
	"Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of "  \
	"Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of "             \
	"Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net "           \
	"Mass,Item Price,Fraud,Critical Fraud\n"
#define GOOD_ROW "1,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0.0,A,G,108.0,372254.4,0,0\n"

Test(risk_model, a_bad_dataset_file_is_refused_naming_file_line_and_column)
{
	static const char *const cases[][3] = {
		/* text, field, part of the message */
		{"Declaration ID,Date\n1,2020-01-01\n", "Office ID",
		 "the header has no column \"Office ID\""},
		{HEADER GOOD_ROW
		 "2,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0.0,A,G,lots,1,0,0\n",
		 "Net Mass", ":3: column \"Net Mass\""},
		{HEADER GOOD_ROW
		 "2,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0.0,A,G,1,1,7,0\n",
		 "Fraud", ":3: column \"Fraud\""},
		{HEADER "2,yesterday,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0.0,A,G,1,1,0,0\n",
		 "Date", ":2: column \"Date\""},
		{HEADER "2,2020-01-01,30,B,11,21,11,10,D,I,S,,44x890,BE,BE,0.0,A,G,1,1,0,0\n",
		 "HS6 Code", ":2: column \"HS6 Code\""},
		{HEADER "2,2020-01-01,30\n", "row", ":2: the row has 3 fields"},
		{HEADER "2,2020-01-01,30,B,11,21,11,10,D,\"I,S,,440890,BE\n", "", "never closed"},
		{"", "header", "empty"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[] = "/tmp/caravan-dataset-XXXXXX";
		struct risk_dataset d;
		struct cv_error err;

		write_temp(path, cases[i][0]);
		cv_error_clear(&err);
		cr_assert_eq(risk_dataset_read(path, &d, &err), CV_EINVAL, "case %zu accepted", i);
		if (cases[i][1][0])
			cr_assert_str_eq(err.field, cases[i][1], "case %zu: %s", i, err.message);
		cr_assert(strstr(err.message, cases[i][2]), "case %zu: %s", i, err.message);
		risk_dataset_release(&d);
		unlink(path);
	}
}

Test(risk_model, a_missing_file_is_not_found_and_a_good_one_reads_every_column)
{
	char path[] = "/tmp/caravan-dataset-XXXXXX";
	struct risk_dataset d;
	struct risk_model_row row;
	struct cv_error err;

	cr_assert_eq(risk_dataset_read("/nonexistent/train.csv", &d, &err), CV_ENOTFOUND);
	cr_assert(strstr(err.message, "/nonexistent/train.csv"), "%s", err.message);
	risk_dataset_release(&d);
	write_temp(path, HEADER GOOD_ROW "\n");
	cr_assert_eq(risk_dataset_read(path, &d, &err), 0, "%s", err.message);
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.records[0].text[RISK_DATASET_COURIER_ID], "");
	cr_assert_float_eq(d.records[0].item_price, 372254.4, 1e-9);
	risk_dataset_model_row(&d.records[0], &row);
	cr_assert_str_eq(row.text[RISK_MODEL_HS], "440890");
	cr_assert_str_eq(row.text[RISK_MODEL_PROCEDURE], "B");
	cr_assert_float_eq(row.number[RISK_MODEL_NET_MASS], 108.0, 1e-12);
	risk_dataset_release(&d);
	unlink(path);
}

Test(risk_model, a_damaged_model_blob_is_refused_without_a_crash)
{
	struct risk_model *m = train_fixture(SEED), *back;
	struct cv_buf blob;
	struct cv_error err;
	unsigned char *copy;

	cv_buf_init(&blob);
	cr_assert_eq(risk_model_save(m, &blob), 0);
	copy = malloc(blob.len);
	/* Truncated anywhere. */
	for (size_t len = 0; len < blob.len; len += len < 64 ? 1 : 997) {
		cv_error_clear(&err);
		cr_assert_eq(risk_model_load(blob.data, len, &back, &err), CV_EINVAL, "len %zu",
			     len);
		cr_assert_null(back);
		cr_assert_neq(err.message[0], '\0');
	}
	/* One byte changed anywhere. */
	for (size_t at = 0; at < blob.len; at += 331) {
		memcpy(copy, blob.data, blob.len);
		copy[at] ^= 0x5a;
		cr_assert_eq(risk_model_load(copy, blob.len, &back, &err), CV_EINVAL, "at %zu", at);
	}
	cr_assert_eq(risk_model_load("not a model at all", 18, &back, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "not a caravan risk model"), "%s", err.message);
	cr_assert_eq(risk_model_load(NULL, 0, &back, NULL), CV_EINVAL);
	free(copy);
	cv_buf_release(&blob);
	risk_model_free(m);
}

Test(risk_model, bad_parameters_and_one_class_rows_are_refused)
{
	struct risk_model_params params;
	struct risk_model_row rows[3] = {0};
	struct risk_model *m;
	struct cv_error err;

	risk_model_params_defaults(&params);
	cr_assert_eq(risk_model_params_set(&params, "depth", "3", &err), CV_EINVAL);
	cr_assert(strstr(err.message, "unknown model parameter"), "%s", err.message);
	cr_assert_eq(risk_model_params_set(&params, "trees", "2.5", &err), CV_EINVAL);
	cr_assert_eq(risk_model_params_set(&params, "learning_rate", "nan", &err), CV_EINVAL);
	cr_assert_eq(risk_model_params_set(&params, "bins", "256", &err), CV_EINVAL);
	cr_assert_eq(risk_model_params_set(&params, "trees", "10", &err), 0);
	cr_assert_eq(params.trees, 10);
	for (int i = 0; i < 3; i++) {
		for (int f = 0; f < RISK_MODEL_TEXT_FIELDS; f++)
			rows[i].text[f] = "";
		rows[i].fraud = 1;
	}
	cr_assert_eq(risk_model_train(rows, 3, &params, 1, NULL, NULL, &m, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "both fraud and clean"), "%s", err.message);
	rows[0].fraud = 3;
	cr_assert_eq(risk_model_train(rows, 3, &params, 1, NULL, NULL, &m, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "fraud");
}
