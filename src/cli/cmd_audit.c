/* cmd_audit.c — `caravan audit verify`: prove the audit log untouched. */
#include "cli/cli.h"

#include "audit/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: caravan audit verify [--db URL] [--config FILE]\n\n"
	"Recompute the audit log's hash chain. Prints \"audit log intact\" and exits 0,\n"
	"or names the first row that breaks the chain and exits 1.\n";

int cmd_audit(int argc, char **argv)
{
	struct cli_args args;
	struct store *store = NULL;
	struct store_conn *conn;
	struct audit_verify_result result;
	struct cv_error err;
	int exit_now, rc = cli_parse(argc, argv, NULL, usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (args.npositional != 1 || strcmp(args.positional[0], "verify") != 0) {
		fprintf(stderr, "caravan audit: expected the subcommand verify\n%s", usage);
		return CLI_USAGE;
	}
	if (cli_open_store(&args.config, &store, &conn))
		return CLI_FAILED;
	cv_error_clear(&err);
	if (audit_verify(conn, &result, &err)) {
		fprintf(stderr, "caravan audit verify: %s\n", err.message);
		rc = CLI_FAILED;
	} else if (result.broken_seq) {
		printf("audit log BROKEN at row %" PRId64 ": %s (%" PRId64 " rows read)\n",
		       result.broken_seq, result.reason, result.rows);
		rc = CLI_FAILED;
	} else {
		printf("audit log intact: %" PRId64 " rows verified\n", result.rows);
	}
	store_close(store);
	return rc;
}
