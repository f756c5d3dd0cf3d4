/*
 * cmd_import.c — `caravan import declarations-csv FILE...`: load files of
 * the customs declarations dataset (data/customs-declarations/) as
 * declarations with their lanes and examination results.
 */
#include "cli/cli.h"

#include "base/clock.h"
#include "risk/import.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: caravan import declarations-csv FILE... [--rebase-dates] [--no-assess] [--db URL]\n\n"
	"Load CSV files in the format of data/customs-declarations/ (columns: see\n"
	"data/customs-declarations/README.md). Each row becomes an import declaration\n"
	"with one item; the active profile set decides its lane (unless --no-assess);\n"
	"its examination result is recorded: Fraud 1 is a major finding, Critical\n"
	"Fraud 2 a seizure, otherwise clean. --rebase-dates moves every date by the\n"
	"same number of days so that the newest row of the files is today (the\n"
	"published files end in 2021). A file with an error is refused whole, naming\n"
	"the line and column; rows already imported are skipped, so running the same\n"
	"command again finishes an interrupted import.\n";

struct progress {
	int tty;
	const char *file;
};

static void show_progress(void *ctx, size_t done, size_t total)
{
	struct progress *p = ctx;

	if (p->tty && total)
		fprintf(stderr, "\r%s: %zu / %zu rows (%zu%%)   ", p->file, done, total,
			done * 100 / total);
}

int cmd_import(int argc, char **argv)
{
	int rebase = 0, no_assess = 0, exit_now, rc;
	struct cli_flag flags[] = {{"rebase-dates", NULL, &rebase},
				   {"no-assess", NULL, &no_assess},
				   {NULL, NULL, NULL}};
	struct risk_dataset sets[CLI_MAX_POSITIONAL];
	struct progress progress = {isatty(STDERR_FILENO), NULL};
	struct risk_import_options opt = {0, 0, show_progress, &progress};
	struct store *store = NULL;
	struct store_conn *conn;
	struct cli_args args;
	struct cv_error err;
	char today[CV_DATE_MAX];
	int nsets = 0;

	rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);
	if (rc || exit_now)
		return rc;
	if (args.npositional < 2 || strcmp(args.positional[0], "declarations-csv") != 0) {
		fprintf(stderr, "caravan import: expected declarations-csv FILE...\n%s", usage);
		return CLI_USAGE;
	}
	/* Every file is read and checked before anything is written. */
	for (int i = 1; i < args.npositional; i++) {
		cv_error_clear(&err);
		if (risk_dataset_read(args.positional[i], &sets[nsets], &err)) {
			fprintf(stderr, "caravan import: %s\n", err.message);
			risk_dataset_release(&sets[nsets]);
			rc = CLI_FAILED;
			goto done;
		}
		nsets++;
	}
	if (cli_open_store(&args.config, &store, &conn)) {
		rc = CLI_FAILED;
		goto done;
	}
	cv_date_from_ms(cv_clock_now_ms(), today);
	opt.assess = !no_assess;
	/* One shift for all files, to the newest of them, keeps them in order in time. */
	for (int i = 0; rebase && i < nsets; i++)
		if (i == 0 || risk_import_shift_to(&sets[i], today) < opt.shift_days)
			opt.shift_days = risk_import_shift_to(&sets[i], today);
	for (int i = 0; i < nsets; i++) {
		struct risk_import_stats stats;

		progress.file = sets[i].path;
		store_bulk_mode(conn, 1);
		cv_error_clear(&err);
		rc = risk_import_dataset(conn, &sets[i], &opt, &stats, &err);
		store_bulk_mode(conn, 0);
		if (progress.tty)
			fprintf(stderr, "\n");
		if (rc) {
			fprintf(stderr,
				"caravan import: %s: %s\n(the rows before it are stored; run the same "
				"command again to go on)\n",
				sets[i].path, err.message[0] ? err.message : cv_strerror(rc));
			rc = CLI_FAILED;
			break;
		}
		printf("%s: %zu declarations imported, %zu already there; %zu with findings (%zu seizures); "
		       "lanes: green %zu, blue %zu, yellow %zu, red %zu; %.1f s (%.0f rows/s)\n",
		       sets[i].path, stats.imported, stats.skipped, stats.findings, stats.seizures,
		       stats.lanes[0], stats.lanes[1], stats.lanes[2], stats.lanes[3], stats.seconds,
		       stats.seconds > 0 ? (double)stats.imported / stats.seconds : 0);
	}
	store_close(store);
done:
	for (int i = 0; i < nsets; i++)
		risk_dataset_release(&sets[i]);
	return rc;
}
