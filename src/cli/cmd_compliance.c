/*
 * cmd_compliance.c — `caravan compliance recompute`: rescore every
 * operator's compliance scoresheet (after a change of weights or policy,
 * and nightly, so that time decay moves every score).
 */
#include "cli/cli.h"

#include "aeo/scoresheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: caravan compliance recompute [--date YYYY-MM-DD] [--workers N] [--db URL] [--config FILE]\n\n"
	"Rescore the compliance scoresheet of every operator as of --date (default:\n"
	"today), reading the compliance events with N threads (default: the number of\n"
	"processors), and store them all in one transaction.\n";

static void show_progress(long done, long total, void *ctx)
{
	int *tty = ctx;

	if (*tty && total)
		fprintf(stderr, "\rscoring operators: %ld / %ld (%ld%%)   ", done, total,
			done * 100 / total);
}

int cmd_compliance(int argc, char **argv)
{
	const char *date = NULL, *workers = NULL;
	struct cli_flag flags[] = {{"date", &date, NULL},
				   {"workers", &workers, NULL},
				   {NULL, NULL, NULL}};
	struct aeo_recompute_stats stats;
	struct cli_args args;
	struct store *store = NULL;
	struct store_conn *conn;
	struct cv_error err;
	char today[CV_DATE_MAX];
	int64_t check;
	int exit_now, tty = isatty(STDERR_FILENO), threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	int rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (args.npositional != 1 || strcmp(args.positional[0], "recompute") != 0) {
		fprintf(stderr, "caravan compliance: expected the subcommand recompute\n%s", usage);
		return CLI_USAGE;
	}
	if (workers) {
		char *end;
		long n = strtol(workers, &end, 10);
		if (*end || n < 1 || n > 64) {
			fprintf(stderr, "caravan compliance: --workers must be 1 to 64\n");
			return CLI_USAGE;
		}
		threads = (int)n;
	}
	if (date && cv_date_parse(date, &check)) {
		fprintf(stderr, "caravan compliance: --date must be YYYY-MM-DD, got \"%s\"\n", date);
		return CLI_USAGE;
	}
	cv_date_from_ms(cv_clock_now_ms(), today);
	if (cli_open_store(&args.config, &store, &conn))
		return CLI_FAILED;
	cv_error_clear(&err);
	rc = aeo_scoresheet_recompute_all(store, date ? date : today, threads, show_progress, &tty,
					  &stats, &err);
	if (tty)
		fprintf(stderr, "\n");
	if (rc) {
		fprintf(stderr, "caravan compliance recompute: %s\n", err.message);
		rc = CLI_FAILED;
	} else {
		printf("scored %ld operators from %ld events as of %s in %.2f s (reading %.2f s, storing %.2f s): "
		       "%.0f operators/s\n",
		       stats.operators, stats.events, date ? date : today,
		       stats.read_seconds + stats.write_seconds, stats.read_seconds,
		       stats.write_seconds,
		       stats.operators / (stats.read_seconds + stats.write_seconds + 1e-9));
	}
	store_close(store);
	return rc;
}
