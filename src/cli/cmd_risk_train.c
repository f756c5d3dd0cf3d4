/*
 * cmd_risk_train.c — `caravan risk train`: fit the learned model on the
 * examined declarations of the node's database and store it as the active
 * version, which the engine then adds to every assessment.
 */
#include "cli/cli.h"

#include "audit/audit.h"
#include "base/arena.h"
#include "risk/training.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRAIN_PARAMS_MAX 16

static const char usage[] =
	"usage: caravan risk train [--seed N] [--param NAME=VALUE ...] [--db URL]\n\n"
	"Fit the learned model (gradient-boosted trees over target-encoded identifiers:\n"
	"docs/RISK.md) on every examined declaration item in the database — fraud is a\n"
	"major finding or a seizure — and store it as a new version, active from now\n"
	"on: the engine adds its score times the office's model_weight to each item.\n"
	"--seed N (default 42) makes it reproducible; --param overrides a training\n"
	"parameter (trees, learning_rate, max_leaves, ...). Import examination results\n"
	"first (caravan import declarations-csv, or examinations through the API).\n";

static void show_progress(void *ctx, int done, int total)
{
	(void)ctx;
	fprintf(stderr, "\rcaravan risk train: tree %d of %d   ", done, total);
}

/* Take the repeatable --param NAME=VALUE out of argv; the rest goes to cli_parse. */
static int take_params(int argc, char **argv, struct risk_model_params *params, char **rest,
		       int *nrest)
{
	struct cv_error err;

	*nrest = 0;
	for (int i = 0; i < argc; i++) {
		char *eq, name[64];
		if (strcmp(argv[i], "--param") != 0) {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		if (i + 1 >= argc || !(eq = strchr(argv[i + 1], '=')) ||
		    (size_t)(eq - argv[i + 1]) >= sizeof(name)) {
			fprintf(stderr, "caravan risk train: --param takes NAME=VALUE\n%s", usage);
			return CLI_USAGE;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[i + 1]), argv[i + 1]);
		cv_error_clear(&err);
		if (risk_model_params_set(params, name, eq + 1, &err)) {
			fprintf(stderr, "caravan risk train: %s\n", err.message);
			return CLI_USAGE;
		}
		i++;
	}
	return CLI_OK;
}

static int train(struct store_conn *conn, const struct risk_model_params *params, uint64_t seed)
{
	struct risk_model_row *rows;
	struct risk_model *model = NULL;
	struct cv_arena arena;
	struct cv_error err;
	json_t *out = NULL;
	size_t n, positives;
	int rc;

	cv_arena_init(&arena, 0);
	cv_error_clear(&err);
	rc = risk_training_rows(conn, &arena, &rows, &n, &positives, &err);
	if (!rc && (positives == 0 || positives == n)) {
		fprintf(stderr,
			"caravan risk train: %zu examined items, %zu with findings: the model needs "
			"both clean and fraudulent examinations (import some: caravan import "
			"declarations-csv FILE)\n",
			n, positives);
		cv_arena_release(&arena);
		return CLI_FAILED;
	}
	if (!rc)
		rc = risk_model_train(rows, n, params, seed,
				      isatty(STDERR_FILENO) ? show_progress : NULL, NULL, &model,
				      &err);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\n");
	cv_arena_release(&arena); /* the model owns what it keeps */
	if (!rc && !(rc = store_begin(conn))) {
		struct audit_event ev = {"cli:risk-train", "risk.model_train", "risk_model", NULL,
					 NULL};
		rc = risk_model_store(conn, "cli:risk-train", model, &out, &err);
		if (!rc) {
			ev.entity_id = json_string_value(json_object_get(out, "id"));
			rc = audit_append(conn, &ev, NULL, NULL);
		}
		rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	}
	if (rc) {
		fprintf(stderr, "caravan risk train: %s\n",
			err.message[0] ? err.message : cv_strerror(rc));
		rc = CLI_FAILED;
	} else {
		printf("model version %lld trained on %zu examined items (%zu fraud) with %d trees; "
		       "active from now on\n",
		       (long long)json_integer_value(json_object_get(out, "version")), n, positives,
		       risk_model_tree_count(model));
	}
	json_decref(out);
	risk_model_free(model);
	return rc;
}

int cmd_risk_train(int argc, char **argv)
{
	const char *seed_text = NULL;
	struct cli_flag flags[] = {{"seed", &seed_text, NULL}, {NULL, NULL, NULL}};
	struct risk_model_params params;
	struct store *store = NULL;
	struct store_conn *conn;
	struct cli_args args;
	char *rest[64], *end;
	unsigned long long seed = 42;
	int nrest, exit_now, rc;

	if (argc > (int)(sizeof(rest) / sizeof(rest[0]))) {
		fprintf(stderr, "caravan risk train: too many arguments\n%s", usage);
		return CLI_USAGE;
	}
	risk_model_params_defaults(&params);
	if ((rc = take_params(argc, argv, &params, rest, &nrest)))
		return rc;
	rc = cli_parse(nrest, rest, flags, usage, &args, &exit_now);
	if (rc || exit_now)
		return rc;
	if (args.npositional != 0) {
		fprintf(stderr, "caravan risk train: unexpected \"%s\"\n%s", args.positional[0],
			usage);
		return CLI_USAGE;
	}
	if (seed_text) {
		seed = strtoull(seed_text, &end, 10);
		if (*seed_text == '-' || *end || !*seed_text) {
			fprintf(stderr, "caravan risk train: --seed takes a number >= 0\n");
			return CLI_USAGE;
		}
	}
	if (cli_open_store(&args.config, &store, &conn))
		return CLI_FAILED;
	rc = train(conn, &params, seed);
	store_close(store);
	return rc;
}
