/*
 * cli.h — the caravan command: git-style subcommands, one file each.
 *
 * Conventions every command follows: `--help` prints its usage on standard
 * output and exits 0; errors go to standard error and say what to do next;
 * exit codes are 0 (done), 1 (failed), 2 (wrong usage). Every command reads
 * the node configuration the same way (cli_parse): defaults, --config FILE,
 * CARAVAN_* environment variables, then flags — so --db URL and CARAVAN_DB
 * work everywhere.
 */
#ifndef CV_CLI_CLI_H
#define CV_CLI_CLI_H

#include "base/config.h"
#include "store/db.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

#define CLI_MAX_POSITIONAL 4

/* A command's own flag: --name VALUE (value != NULL) or --name (flag != NULL). */
struct cli_flag {
	const char *name;
	const char **value;
	int *flag;
};

struct cli_args {
	struct cv_config config;
	const char *positional[CLI_MAX_POSITIONAL];
	int npositional;
};

/*
 * Parse argv (argv[0] is the command name). Flags in `flags` are the
 * command's own; any other --key VALUE must be a configuration key.
 * Returns CLI_OK, or CLI_USAGE after printing the problem (or the usage for
 * --help, in which case *exit_now is set and the caller exits 0).
 */
int cli_parse(int argc, char **argv, const struct cli_flag *flags, const char *usage,
	      struct cli_args *args, int *exit_now);

/* Open the configured database and this thread's connection; prints errors. */
int cli_open_store(const struct cv_config *config, struct store **store, struct store_conn **conn);

/* The audit actor of a command: "cli:" and the Unix account that ran it. */
const char *cli_actor(char *buf, size_t size);

/* Read a password from standard input (without echo on a terminal). */
int cli_read_password(const char *prompt, char *out, size_t size);

int cli_main(int argc, char **argv);

int cmd_init(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_compliance(int argc, char **argv);
int cmd_risk(int argc, char **argv);
int cmd_risk_train(int argc, char **argv); /* caravan risk train */
int cmd_import(int argc, char **argv);
int cmd_doc(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_exchange(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
