/* cli.c — command dispatch and what every command shares (see cli.h). */
#include "cli/cli.h"

#include "base/ids.h"
#include "base/log.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"init", cmd_init, "create the database schema and load reference data (safe to re-run)"},
	{"migrate", cmd_migrate, "apply database migrations that are not yet applied"},
	{"demo", cmd_demo, "load demo data: a node for Kazakhstan with a user for every role"},
	{"serve", cmd_serve, "serve the node over HTTP"},
	{"user", cmd_user, "manage users: add, passwd, list, token"},
	{"audit", cmd_audit, "check the audit log: verify"},
	{"risk", cmd_risk, "selectivity: check FILE, assess, train, eval (the learned model)"},
	{"import", cmd_import,
	 "load data files: declarations-csv (declarations with examination results)"},
	{"doc", cmd_doc, "documents anyone can verify: canon, sign, verify (eddsa-jcs-2022)"},
	{"key", cmd_key, "the node's signing keys and DID: show, rotate"},
	{"exchange", cmd_exchange, "the exchange with partner nodes: partner add|list, send, status"},
	{"compliance", cmd_compliance, "rescore every operator's compliance scoresheet: recompute"},
	{"version", cmd_version, "print the version"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: caravan COMMAND [OPTIONS]\n\n"
		     "caravan runs a customs administration's AEO programme, risk selectivity,\n"
		     "single window and cross-border exchange.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'caravan COMMAND --help' for a command's options.\n\n");
	cv_config_print_help(out);
}

int cli_main(int argc, char **argv)
{
	if (cv_ids_init()) {
		fprintf(stderr, "caravan: cannot initialise libsodium\n");
		return CLI_FAILED;
	}
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "caravan: unknown command \"%s\"; run 'caravan --help' for the list\n",
		argv[1]);
	return CLI_USAGE;
}

static const struct cli_flag *find_flag(const struct cli_flag *flags, const char *name, size_t len)
{
	for (; flags && flags->name; flags++)
		if (strlen(flags->name) == len && strncmp(flags->name, name, len) == 0)
			return flags;
	return NULL;
}

/* Find --config FILE (or --config=FILE) before anything else is applied. */
static const char *config_file(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--config=", 9) == 0)
			return argv[i] + 9;
	}
	return getenv("CARAVAN_CONFIG");
}

static int usage_error(const char *command, const char *usage_text, const char *fmt, const char *arg)
{
	fprintf(stderr, "caravan %s: ", command);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	return CLI_USAGE;
}

int cli_parse(int argc, char **argv, const struct cli_flag *flags, const char *usage_text,
	      struct cli_args *args, int *exit_now)
{
	const char *file = config_file(argc, argv);
	struct cv_error err;
	enum cv_log_level level;

	*exit_now = 0;
	memset(args, 0, sizeof(*args));
	cv_config_defaults(&args->config);
	if ((file && cv_config_load_file(&args->config, file, &err)) ||
	    cv_config_load_env(&args->config, &err)) {
		fprintf(stderr, "caravan %s: %s\n", argv[0], err.message);
		return CLI_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *value;
		const struct cli_flag *flag;
		size_t len;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			printf("%s", usage_text);
			*exit_now = 1;
			return CLI_OK;
		}
		if (strncmp(arg, "--", 2) != 0) {
			if (args->npositional >= CLI_MAX_POSITIONAL)
				return usage_error(argv[0], usage_text,
						   "too many arguments at \"%s\"", arg);
			args->positional[args->npositional++] = arg;
			continue;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		flag = find_flag(flags, name, len);
		if (flag && flag->flag) {
			*flag->flag = 1;
			continue;
		}
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			return usage_error(argv[0], usage_text, "%s needs a value", arg);
		}
		if (flag) {
			*flag->value = value;
			continue;
		}
		if (len == strlen("config") && strncmp(name, "config", len) == 0)
			continue; /* already read */
		{
			char key[64];
			snprintf(key, sizeof(key), "%.*s", (int)len, name);
			if (cv_config_set(&args->config, key, value, &err)) {
				if (strncmp(err.message, "unknown configuration key", 25) == 0)
					return usage_error(argv[0], usage_text,
							   "unknown option --%s", key);
				fprintf(stderr, "caravan %s: %s\n", argv[0], err.message);
				return CLI_USAGE;
			}
		}
	}
	if (cv_log_parse_level(args->config.log_level, &level) == CV_OK)
		cv_log_set_level(level);
	return CLI_OK;
}

int cli_open_store(const struct cv_config *config, struct store **store, struct store_conn **conn)
{
	struct cv_error err;

	cv_error_clear(&err);
	if (store_open(config->db, store, &err) || store_conn(*store, conn, &err)) {
		fprintf(stderr, "caravan: %s\n", err.message);
		store_close(*store);
		*store = NULL;
		return CLI_FAILED;
	}
	return CLI_OK;
}

const char *cli_actor(char *buf, size_t size)
{
	const struct passwd *pw = getpwuid(getuid());

	snprintf(buf, size, "cli:%s", pw ? pw->pw_name : "unknown");
	return buf;
}

int cli_read_password(const char *prompt, char *out, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO);
	size_t len;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (!fgets(out, (int)size, stdin))
		out[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	len = strcspn(out, "\r\n");
	if (out[len] == '\0' && len == size - 1)
		return -1; /* longer than the buffer */
	out[len] = '\0';
	return 0;
}

int cmd_version(int argc, char **argv)
{
	struct cli_args args;
	int exit_now, rc = cli_parse(argc, argv, NULL, "usage: caravan version\n", &args, &exit_now);

	if (rc || exit_now)
		return rc;
	printf("caravan %s\n", CARAVAN_VERSION);
	return CLI_OK;
}
