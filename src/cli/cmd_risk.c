/*
 * cmd_risk.c — `caravan risk check FILE`: compile a profile file and report
 * the first error with its line and column, or what was compiled;
 * `caravan risk assess`: decide one declaration's lane offline;
 * `caravan risk train` (cmd_risk_train.c): the model of the node;
 * `caravan risk eval`: train the learned model on dataset files and report
 * its precision@n% on a test file.
 */
#include "cli/cli.h"

#include "base/clock.h"
#include "base/mem.h"
#include "risk/dataset.h"
#include "risk/declaration.h"
#include "risk/model.h"
#include "risk/profile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROFILE_FILE_MAX (16 * 1024 * 1024)
#define EVAL_FILES_MAX 16 /* --train files, and --param settings */
#define EVAL_DEFAULT_SEED 42
#define NS_PER_S 1e9

static const char usage[] =
	"usage: caravan risk check FILE\n"
	"       caravan risk assess --profiles FILE [--secret-file KEY] DECLARATION.json\n"
	"       caravan risk train [--seed N] [--param NAME=VALUE ...]   (see: caravan risk train --help)\n"
	"       caravan risk eval --train FILE [--train FILE ...] --test FILE [--seed N]\n"
	"                         [--param NAME=VALUE ...]\n\n"
	"check: compile the selectivity profiles of FILE (the profile language:\n"
	"docs/RISK.md) and report the first error as FILE:LINE:COLUMN: message (exit 1),\n"
	"or how many profiles compiled and how they are indexed (exit 0).\n"
	"assess: decide the lane of one declaration (JSON, shape in docs/RISK.md) offline\n"
	"with the office defaults, and print the lane and its explanation. The random\n"
	"draw uses the secret in KEY (a node's secret reproduces its draws).\n"
	"eval: train the learned model on the --train files (customs declarations\n"
	"dataset CSV: data/customs-declarations/README.md), rank the rows of the --test\n"
	"file by risk and print precision@1%, 2%, 5% and 10% (the share of fraud among\n"
	"the riskiest n% of rows, n% of the rows rounded half up, ties in file order),\n"
	"then the rows, the model and the time taken. --seed N (default 42) makes the\n"
	"run reproducible; --param overrides a training parameter (trees, learning_rate,\n"
	"max_leaves, ...: docs/RISK.md).\n";

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;

	if (!f)
		return NULL;
	data = cv_malloc(PROFILE_FILE_MAX + 1);
	*len = data ? fread(data, 1, PROFILE_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (data && *len > PROFILE_FILE_MAX) {
		cv_free(data);
		errno = EFBIG;
		return NULL;
	}
	return data;
}

static int compile_file(const char *path, struct risk_profile_set **set)
{
	struct risk_compile_error err;
	size_t len = 0;
	char *source = read_all(path, &len);
	int rc;

	if (!source) {
		fprintf(stderr, "caravan risk: cannot read %s: %s\n", path, strerror(errno));
		return CLI_FAILED;
	}
	rc = risk_compile(source, len, set, &err);
	cv_free(source);
	if (rc == CV_EINVAL) {
		fprintf(stderr, "%s:%d:%d: %s\n", path, err.line, err.column, err.message);
		return CLI_FAILED;
	}
	if (rc) {
		fprintf(stderr, "caravan risk: %s\n", cv_strerror(rc));
		return CLI_FAILED;
	}
	return CLI_OK;
}

static int assess(const char *profiles, const char *secret_file, const char *declaration_path)
{
	static const char offline_secret[] = "caravan offline assessment";
	struct risk_office_params params;
	struct risk_profile_set *set = NULL;
	struct risk_declaration d;
	struct cv_arena arena;
	struct cv_error err;
	json_error_t jerr;
	json_t *doc, *why = NULL;
	char *secret = NULL, *text;
	size_t secret_len = 0;
	enum risk_lane lane;
	int rc = compile_file(profiles, &set);

	if (rc)
		return rc;
	doc = json_load_file(declaration_path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		fprintf(stderr, "caravan risk assess: %s:%d:%d: %s\n", declaration_path, jerr.line,
			jerr.column, jerr.text);
		risk_profile_set_free(set);
		return CLI_FAILED;
	}
	if (secret_file && !(secret = read_all(secret_file, &secret_len))) {
		fprintf(stderr, "caravan risk assess: cannot read %s: %s\n", secret_file,
			strerror(errno));
		json_decref(doc);
		risk_profile_set_free(set);
		return CLI_FAILED;
	}
	if (!secret_file)
		fprintf(stderr,
			"caravan risk assess: no --secret-file: the random draw differs from a node's\n");
	cv_arena_init(&arena, 0);
	cv_error_clear(&err);
	rc = risk_declaration_from_json(doc, &arena, &d, &err);
	if (rc) {
		fprintf(stderr, "caravan risk assess: %s: %s\n", declaration_path, err.message);
		rc = CLI_FAILED;
	} else {
		risk_office_params_defaults(&params);
		lane = risk_decide(set, &params, &d,
				   secret ? (unsigned char *)secret
					  : (const unsigned char *)offline_secret,
				   secret ? secret_len : sizeof(offline_secret) - 1, NULL, NULL,
				   &why);
		text = json_dumps(why, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
		printf("lane: %s\n%s\n", risk_lane_name(lane), text ? text : "");
		free(text);
		json_decref(why);
		rc = CLI_OK;
	}
	cv_arena_release(&arena);
	cv_free(secret);
	json_decref(doc);
	risk_profile_set_free(set);
	return rc;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / NS_PER_S;
}

/* Training progress on a terminal: one line, rewritten every few trees. */
static void eval_progress(void *ctx, int done, int total)
{
	(void)ctx;
	if (done == total || done % 10 == 0)
		fprintf(stderr, "\rcaravan risk eval: training, tree %d of %d%s", done, total,
			done == total ? "\n" : "");
}

/* Append the model rows of dataset to *rows. */
static int append_rows(const struct risk_dataset *dataset, struct risk_model_row **rows, size_t *n)
{
	struct risk_model_row *grown = cv_realloc(*rows, (*n + dataset->count + 1) * sizeof(*grown));

	if (!grown)
		return CV_ENOMEM;
	*rows = grown;
	for (size_t i = 0; i < dataset->count; i++)
		risk_dataset_model_row(&dataset->records[i], &grown[(*n)++]);
	return CV_OK;
}

struct eval_input {
	const char *train[EVAL_FILES_MAX];
	int ntrain;
	const char *test;
	struct risk_model_params params;
	uint64_t seed;
};

/* Read every file named in in (train files into datasets[0..ntrain), test last). */
static int eval_read(const struct eval_input *in, struct risk_dataset *datasets,
		     struct risk_model_row **train, size_t *ntrain)
{
	struct cv_error err;

	for (int i = 0; i <= in->ntrain; i++) {
		const char *path = i < in->ntrain ? in->train[i] : in->test;

		cv_error_clear(&err);
		if (risk_dataset_read(path, &datasets[i], &err)) {
			fprintf(stderr, "caravan risk eval: %s\n", err.message);
			return CLI_FAILED;
		}
		if (i < in->ntrain && append_rows(&datasets[i], train, ntrain)) {
			fprintf(stderr, "caravan risk eval: out of memory\n");
			return CLI_FAILED;
		}
	}
	if (datasets[in->ntrain].count == 0) {
		fprintf(stderr, "caravan risk eval: %s has no rows to rank\n", in->test);
		return CLI_FAILED;
	}
	return CLI_OK;
}

/* Score the test rows and print the four precision lines and what follows. */
static int eval_report(const struct risk_model *model, const struct risk_dataset *test,
		       size_t ntrain, double read_s, double train_s)
{
	static const double percents[] = {1, 2, 5, 10};
	double *scores = cv_malloc(test->count * sizeof(*scores)), score_s;
	int *labels = cv_malloc(test->count * sizeof(*labels));
	size_t positives = 0;
	struct timespec start;

	if (!scores || !labels) {
		cv_free(scores);
		cv_free(labels);
		fprintf(stderr, "caravan risk eval: out of memory\n");
		return CLI_FAILED;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (size_t i = 0; i < test->count; i++) {
		struct risk_model_row row;

		risk_dataset_model_row(&test->records[i], &row);
		scores[i] = risk_model_score(model, &row);
		labels[i] = row.fraud;
		positives += (size_t)row.fraud;
	}
	score_s = seconds_since(&start);
	for (size_t i = 0; i < sizeof(percents) / sizeof(percents[0]); i++)
		printf("precision@%g%%: %.3f\n", percents[i],
		       risk_model_precision_at(scores, labels, test->count, percents[i]));
	printf("rows: %zu trained, %zu tested (%zu fraud, %.3f)\n", ntrain, test->count, positives,
	       (double)positives / (double)test->count);
	printf("model: %d trees, %zu features\n", risk_model_tree_count(model),
	       risk_model_feature_count(model));
	printf("time: read %.2f s, train %.2f s, score %.3f s\n", read_s, train_s, score_s);
	cv_free(scores);
	cv_free(labels);
	return CLI_OK;
}

static int eval(const struct eval_input *in)
{
	struct risk_dataset datasets[EVAL_FILES_MAX + 1];
	struct risk_model_row *train = NULL;
	struct risk_model *model = NULL;
	struct timespec start;
	struct cv_error err;
	size_t ntrain = 0;
	double read_s;
	int rc;

	memset(datasets, 0, sizeof(datasets));
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = eval_read(in, datasets, &train, &ntrain);
	read_s = seconds_since(&start);
	if (rc)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &start);
	cv_error_clear(&err);
	if (risk_model_train(train, ntrain, &in->params, in->seed,
			     isatty(STDERR_FILENO) ? eval_progress : NULL, NULL, &model, &err)) {
		fprintf(stderr, "caravan risk eval: cannot train: %s\n", err.message);
		rc = CLI_FAILED;
		goto out;
	}
	rc = eval_report(model, &datasets[in->ntrain], ntrain, read_s, seconds_since(&start));
out:
	risk_model_free(model);
	cv_free(train);
	for (int i = 0; i <= in->ntrain; i++)
		risk_dataset_release(&datasets[i]);
	return rc;
}

/*
 * cli_parse keeps one value per flag: take the repeatable --train and
 * --param out of argv first (into in and rest), and leave the rest to it.
 */
static int eval_take_repeated(int argc, char **argv, struct eval_input *in, char **rest, int *nrest)
{
	struct cv_error err;

	*nrest = 0;
	for (int i = 0; i < argc; i++) {
		int train = !strcmp(argv[i], "--train"), param = !strcmp(argv[i], "--param");
		const char *value;
		char name[64];
		const char *eq;

		if (!train && !param) {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "caravan risk eval: %s needs a value\n%s", argv[i], usage);
			return CLI_USAGE;
		}
		value = argv[++i];
		if (train) {
			if (in->ntrain == EVAL_FILES_MAX) {
				fprintf(stderr, "caravan risk eval: at most %d --train files\n",
					EVAL_FILES_MAX);
				return CLI_USAGE;
			}
			in->train[in->ntrain++] = value;
			continue;
		}
		eq = strchr(value, '=');
		if (!eq || eq == value || (size_t)(eq - value) >= sizeof(name)) {
			fprintf(stderr, "caravan risk eval: --param takes NAME=VALUE, not \"%s\"\n",
				value);
			return CLI_USAGE;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - value), value);
		if (risk_model_params_set(&in->params, name, eq + 1, &err)) {
			fprintf(stderr, "caravan risk eval: %s\n", err.message);
			return CLI_USAGE;
		}
	}
	rest[*nrest] = NULL;
	return CLI_OK;
}

static int parse_seed(const char *text, uint64_t *seed)
{
	char *end;

	errno = 0;
	*seed = strtoull(text, &end, 10);
	return end == text || *end != '\0' || errno == ERANGE || text[0] == '-' ? CV_EINVAL : CV_OK;
}

static int cmd_risk_eval(int argc, char **argv)
{
	struct eval_input in;
	struct cli_args args;
	char **rest = cv_calloc((size_t)argc + 1, sizeof(*rest));
	const char *test = NULL, *seed = NULL;
	struct cli_flag flags[] = {{"test", &test, NULL}, {"seed", &seed, NULL}, {NULL, NULL, NULL}};
	int nrest, exit_now, rc;

	if (!rest) {
		fprintf(stderr, "caravan risk eval: out of memory\n");
		return CLI_FAILED;
	}
	memset(&in, 0, sizeof(in));
	risk_model_params_defaults(&in.params);
	in.seed = EVAL_DEFAULT_SEED;
	rc = eval_take_repeated(argc, argv, &in, rest, &nrest);
	if (!rc)
		rc = cli_parse(nrest, rest, flags, usage, &args, &exit_now);
	if (!rc && !exit_now) {
		if (args.npositional != 1 || in.ntrain == 0 || !test) {
			fprintf(stderr,
				"caravan risk eval: expected --train FILE and --test FILE\n%s",
				usage);
			rc = CLI_USAGE;
		} else if (seed && parse_seed(seed, &in.seed)) {
			fprintf(stderr,
				"caravan risk eval: --seed takes a number >= 0, not \"%s\"\n", seed);
			rc = CLI_USAGE;
		} else {
			in.test = test;
			rc = eval(&in);
		}
	}
	cv_free(rest);
	return rc;
}

int cmd_risk(int argc, char **argv)
{
	struct risk_compile_error err;
	struct risk_profile_set *set;
	struct cli_args args;
	size_t len = 0, by_hs, by_field, unanchored;
	char *source;
	const char *profiles = NULL, *secret_file = NULL;
	struct cli_flag flags[] = {{"profiles", &profiles, NULL},
				   {"secret-file", &secret_file, NULL},
				   {NULL, NULL, NULL}};
	int exit_now, rc;

	if (argc > 1 && !strcmp(argv[1], "eval"))
		return cmd_risk_eval(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "train"))
		return cmd_risk_train(argc - 1, argv + 1);
	rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);
	if (rc || exit_now)
		return rc;
	if (args.npositional == 2 && !strcmp(args.positional[0], "assess")) {
		if (!profiles) {
			fprintf(stderr, "caravan risk assess: --profiles FILE is required\n%s",
				usage);
			return CLI_USAGE;
		}
		return assess(profiles, secret_file, args.positional[1]);
	}
	if (args.npositional != 2 || strcmp(args.positional[0], "check") != 0) {
		fprintf(stderr, "caravan risk: expected check FILE, assess, train or eval\n%s",
			usage);
		return CLI_USAGE;
	}
	source = read_all(args.positional[1], &len);
	if (!source) {
		fprintf(stderr, "caravan risk check: cannot read %s: %s\n", args.positional[1],
			strerror(errno));
		return CLI_FAILED;
	}
	rc = risk_compile(source, len, &set, &err);
	cv_free(source);
	if (rc == CV_EINVAL) {
		fprintf(stderr, "%s:%d:%d: %s\n", args.positional[1], err.line, err.column,
			err.message);
		return CLI_FAILED;
	}
	if (rc) {
		fprintf(stderr, "caravan risk check: %s\n", cv_strerror(rc));
		return CLI_FAILED;
	}
	risk_index_stats(set, &by_hs, &by_field, &unanchored);
	printf("%s: %zu profiles compiled (%zu indexed by HS code, %zu by field value, %zu checked on every item)\n",
	       args.positional[1], risk_profile_count(set), by_hs, by_field, unanchored);
	risk_profile_set_free(set);
	return CLI_OK;
}
