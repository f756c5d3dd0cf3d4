/* cmd_init.c — `caravan init` and `caravan migrate`: schema and reference data. */
#include "cli/cli.h"

#include "aeo/safe.h"
#include "aeo/saq.h"
#include "exchange/node.h"
#include "refdata/refdata.h"
#include "store/migrate.h"

#include <stdio.h>
#include <unistd.h>

static const char init_usage[] =
	"usage: caravan init [--db URL] [--data-dir DIR] [--config FILE]\n\n"
	"Create the database schema (migrations) and load reference data: ISO 3166\n"
	"countries and ISO 4217 currencies (Debian's iso-codes), CAREC membership and\n"
	"the HS nomenclature (DIR/hs). Makes the node's signing key (node_key, by default\n"
	"beside the database) when there is none. Safe to re-run: it brings the database\n"
	"up to date, refreshes the reference data and keeps the key.\n";

static const char migrate_usage[] =
	"usage: caravan migrate [--db URL] [--config FILE]\n\n"
	"Apply the database migrations that are not yet applied. `caravan serve` does\n"
	"this at start-up too.\n";

static int migrate(struct store_conn *conn, int *version)
{
	struct cv_error err;
	int applied = 0;

	cv_error_clear(&err);
	if (store_migrate(conn, &applied, &err) || store_schema_version(conn, version, &err)) {
		fprintf(stderr, "caravan: migration failed: %s\n", err.message);
		return CLI_FAILED;
	}
	return CLI_OK;
}

/* The SAFE Framework standards and the SAQ templates, in one transaction. */
static int load_aeo_data(struct store_conn *conn, const char *data_dir, int *safe_count,
			 int *saq_count, struct cv_error *err)
{
	int rc = store_begin(conn);

	if (!rc)
		rc = aeo_safe_load_standards(conn, data_dir, safe_count, err);
	if (!rc)
		rc = aeo_saq_load_templates(conn, data_dir, saq_count, err);
	if (!rc)
		return store_commit(conn);
	store_rollback(conn);
	return rc;
}

/*
 * The node's signing key: made when there is none, checked when there is one
 * (never replaced: `caravan key rotate` does that, keeping the old keys).
 */
static int ensure_node_key(const struct cv_config *config)
{
	struct exchange_node *node = NULL;
	char path[CV_CONFIG_STR];
	struct cv_error err;
	int made = 0, rc;

	cv_error_clear(&err);
	rc = exchange_node_key_path(config, path, sizeof(path), &err);
	if (rc == CV_OK && access(path, F_OK) != 0) {
		rc = exchange_node_key_create(path, &err);
		made = rc == CV_OK;
	}
	if (rc == CV_OK)
		rc = exchange_node_open(config, &node, &err);
	if (rc) {
		fprintf(stderr, "caravan init: node key: %s\n", err.message);
		return CLI_FAILED;
	}
	printf("caravan: node key %s (%s key-%d), DID %s\n", path, made ? "created," : "kept,",
	       node->keys[0].number, node->did);
	exchange_node_free(node);
	return CLI_OK;
}

int cmd_init(int argc, char **argv)
{
	struct cli_args args;
	struct store *store = NULL;
	struct store_conn *conn;
	struct refdata_counts counts;
	struct cv_error err;
	int exit_now, version, safe_count = 0, saq_count = 0;
	int rc = cli_parse(argc, argv, NULL, init_usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (cli_open_store(&args.config, &store, &conn))
		return CLI_FAILED;
	rc = migrate(conn, &version);
	if (rc == CLI_OK) {
		cv_error_clear(&err);
		if (refdata_load(conn, args.config.data_dir, NULL, &counts, &err) ||
		    load_aeo_data(conn, args.config.data_dir, &safe_count, &saq_count, &err)) {
			fprintf(stderr, "caravan init: %s\n", err.message);
			rc = CLI_FAILED;
		}
	}
	if (rc == CLI_OK) {
		printf("caravan: %s ready (schema version %d): %ld countries, %ld currencies, "
		       "%ld CAREC members, %ld HS sections, %ld HS codes, %d SAFE standards, "
		       "%d questionnaire template%s\n",
		       args.config.db, version, counts.countries, counts.currencies, counts.carec,
		       counts.hs_sections, counts.hs_codes, safe_count, saq_count,
		       saq_count == 1 ? "" : "s");
		rc = ensure_node_key(&args.config);
	}
	store_close(store);
	return rc;
}

int cmd_migrate(int argc, char **argv)
{
	struct cli_args args;
	struct store *store = NULL;
	struct store_conn *conn;
	int exit_now, version, rc = cli_parse(argc, argv, NULL, migrate_usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (cli_open_store(&args.config, &store, &conn))
		return CLI_FAILED;
	rc = migrate(conn, &version);
	if (rc == CLI_OK)
		printf("caravan: %s is at schema version %d\n", args.config.db, version);
	store_close(store);
	return rc;
}
