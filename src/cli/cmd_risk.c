/*
 * cmd_risk.c — `caravan risk check FILE`: compile a profile file and report
 * the first error with its line and column, or what was compiled.
 */
#include "cli/cli.h"

#include "base/mem.h"
#include "risk/declaration.h"
#include "risk/profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_FILE_MAX (16 * 1024 * 1024)

static const char usage[] =
	"usage: caravan risk check FILE\n"
	"       caravan risk assess --profiles FILE [--secret-file KEY] DECLARATION.json\n\n"
	"check: compile the selectivity profiles of FILE (the profile language:\n"
	"docs/RISK.md) and report the first error as FILE:LINE:COLUMN: message (exit 1),\n"
	"or how many profiles compiled and how they are indexed (exit 0).\n"
	"assess: decide the lane of one declaration (JSON, shape in docs/RISK.md) offline\n"
	"with the office defaults, and print the lane and its explanation. The random\n"
	"draw uses the secret in KEY (a node's secret reproduces its draws).\n";

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
	int exit_now, rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);

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
		fprintf(stderr, "caravan risk: expected check FILE\n%s", usage);
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
