/*
 * cmd_risk.c — `caravan risk check FILE`: compile a profile file and report
 * the first error with its line and column, or what was compiled.
 */
#include "cli/cli.h"

#include "base/mem.h"
#include "risk/profile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PROFILE_FILE_MAX (16 * 1024 * 1024)

static const char usage[] =
	"usage: caravan risk check FILE\n\n"
	"Compile the selectivity profiles of FILE (the profile language: docs/RISK.md)\n"
	"and report the first error as FILE:LINE:COLUMN: message (exit 1), or how many\n"
	"profiles compiled and how they are indexed (exit 0).\n";

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

int cmd_risk(int argc, char **argv)
{
	struct risk_compile_error err;
	struct risk_profile_set *set;
	struct cli_args args;
	size_t len = 0, by_hs, by_field, unanchored;
	char *source;
	int exit_now, rc = cli_parse(argc, argv, NULL, usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
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
