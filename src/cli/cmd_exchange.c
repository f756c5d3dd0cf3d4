/*
 * cmd_exchange.c — `caravan exchange partner add|list`: the exchange with
 * partner nodes from the command line, for setting nodes up from scripts
 * (the API does the same under /api/v1/exchange).
 *
 * `partner add` builds the JSON of POST /api/v1/exchange/partners from its
 * flags and goes through the same checks (exchange/partners.h), with its
 * audit row in the same transaction; the actor is "cli:USER".
 */
#include "cli/cli.h"

#include "audit/audit.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/mem.h"
#include "exchange/jcs.h"
#include "exchange/node.h"
#include "exchange/partners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DID_DOCUMENT_MAX (1024 * 1024)

static const char usage[] =
	"usage: caravan exchange partner add --country CC --name NAME --endpoint URL\n"
	"                                    (--did-document FILE | --did DID --key KEY-ID=MULTIKEY)\n"
	"                                    [--mra-since DATE --mra-types AEOS,AEOF]\n"
	"                                    [--advance-cargo-since DATE] [--origin-since DATE]\n"
	"       caravan exchange partner list\n"
	"  (each also takes --db URL and --config FILE)\n\n"
	"The partner registry: the administrations this node exchanges signed documents\n"
	"with. URL is the partner node's base URL (messages go to URL/api/v1/exchange/inbox).\n"
	"Its keys come from its DID document (FILE: what its /.well-known/did.json serves, or\n"
	"its caravan key show --did-document), or one key given as key-1=z6Mk... with its\n"
	"did:web. The agreements start on DATE (YYYY-MM-DD): an MRA recognising the AEO\n"
	"types listed (AEOC, AEOS, AEOF), advance cargo data, certificates of origin.\n";

struct partner_flags {
	const char *country, *name, *endpoint, *did, *key, *did_document;
	const char *mra_since, *mra_types, *advance_cargo_since, *origin_since;
};

/* {"since": DATE} (and aeo_types from a comma-separated list) into agreements[kind]. */
static int add_agreement(json_t *agreements, const char *kind, const char *since, const char *types)
{
	json_t *a = json_pack("{s:s}", "since", since);

	if (!a)
		return CV_ENOMEM;
	if (types) {
		json_t *list = json_array();
		const char *p = types;

		while (list && *p) {
			size_t n = strcspn(p, ",");

			json_array_append_new(list, json_stringn(p, n));
			p += n + (p[n] == ',');
		}
		json_object_set_new(a, "aeo_types", list ? list : json_null());
	}
	return json_object_set_new(agreements, kind, a) ? CV_ENOMEM : CV_OK;
}

/* The API's JSON for the flags; errors are printed. */
static int partner_input(const struct partner_flags *f, json_t **input)
{
	json_t *agreements = json_object();
	struct cv_error err;
	char *text = NULL;
	size_t size;

	*input = json_object();
	if (!*input || !agreements)
		goto nomem;
	if ((f->country && json_object_set_new(*input, "country", json_string(f->country))) ||
	    (f->name && json_object_set_new(*input, "name", json_string(f->name))) ||
	    (f->endpoint && json_object_set_new(*input, "endpoint", json_string(f->endpoint))) ||
	    (f->did && json_object_set_new(*input, "did", json_string(f->did))))
		goto nomem;
	if (f->key) {
		const char *eq = strchr(f->key, '=');

		if (!eq) {
			fprintf(stderr,
				"caravan exchange: --key is KEY-ID=MULTIKEY (key-1=z6Mk...)\n");
			json_decref(agreements);
			return CLI_USAGE;
		}
		json_object_set_new(*input, "keys",
				    json_pack("[{s:s%, s:s}]", "id", f->key, (size_t)(eq - f->key),
					      "publicKeyMultibase", eq + 1));
	}
	if (f->did_document) {
		json_t *document = NULL;

		cv_error_clear(&err);
		if (cv_file_read(f->did_document, DID_DOCUMENT_MAX, "did-document", &text, &size,
				 &err) ||
		    exchange_jcs_parse(text, size, f->did_document, &document, &err)) {
			fprintf(stderr, "caravan exchange: %s\n", err.message);
			cv_free(text);
			json_decref(agreements);
			return CLI_FAILED;
		}
		cv_free(text);
		json_object_set_new(*input, "did_document", document);
	}
	if ((f->mra_since || f->mra_types) &&
	    add_agreement(agreements, "mra", f->mra_since ? f->mra_since : "",
			  f->mra_types ? f->mra_types : ""))
		goto nomem;
	if (f->advance_cargo_since &&
	    add_agreement(agreements, "advance_cargo", f->advance_cargo_since, NULL))
		goto nomem;
	if (f->origin_since &&
	    add_agreement(agreements, "certificates_of_origin", f->origin_since, NULL))
		goto nomem;
	if (json_object_size(agreements))
		return json_object_set_new(*input, "agreements", agreements) ? CLI_FAILED : CLI_OK;
	json_decref(agreements);
	return CLI_OK;
nomem:
	json_decref(agreements);
	fprintf(stderr, "caravan exchange: out of memory\n");
	return CLI_FAILED;
}

/* Print each {field, message} of errors, named as the flag that sets it where there is one. */
static void print_errors(const json_t *errors)
{
	size_t i;
	json_t *e;

	json_array_foreach(errors, i, e) {
		fprintf(stderr, "caravan exchange partner add: %s: %s\n",
			json_string_value(json_object_get(e, "field")),
			json_string_value(json_object_get(e, "message")));
	}
}

static int partner_add(const struct cv_config *config, const struct partner_flags *f)
{
	struct exchange_registry_context ctx = {config->node_country, NULL, cv_clock_now_ms()};
	struct store *store = NULL;
	struct store_conn *conn;
	json_t *input = NULL, *errors = json_array(), *out = NULL;
	char did[EXCHANGE_DID_MAX], actor[80], *detail = NULL;
	struct audit_event ev = {cli_actor(actor, sizeof(actor)), "exchange.partner_create",
				 "exchange_partner", NULL, NULL};
	struct cv_error err;
	int rc = partner_input(f, &input);

	if (rc)
		goto out;
	if (exchange_node_did(config, did, sizeof(did), NULL) == CV_OK)
		ctx.node_did = did;
	rc = cli_open_store(config, &store, &conn);
	if (rc)
		goto out;
	cv_error_clear(&err);
	rc = store_begin(conn);
	if (!rc)
		rc = exchange_partner_create(conn, &ctx, input, errors, &out, &err);
	if (!rc) {
		json_t *audited = json_pack("{s:O, s:O, s:O}", "country",
					    json_object_get(out, "country"), "did",
					    json_object_get(out, "did"), "name",
					    json_object_get(out, "name"));

		ev.entity_id = json_string_value(json_object_get(out, "id"));
		detail = audited ? json_dumps(audited, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(audited);
		ev.detail = detail;
		rc = audit_append(conn, &ev, NULL, &err);
	}
	rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	if (rc == CV_EINVAL && json_array_size(errors)) {
		print_errors(errors);
		rc = CLI_FAILED;
	} else if (rc) {
		fprintf(stderr, "caravan exchange partner add: %s\n",
			err.message[0] ? err.message : store_errmsg(conn));
		rc = CLI_FAILED;
	} else {
		printf("caravan: partner %s registered: %s (%s), %zu key%s\n",
		       json_string_value(json_object_get(out, "country")),
		       json_string_value(json_object_get(out, "id")),
		       json_string_value(json_object_get(out, "did")),
		       json_array_size(json_object_get(out, "keys")),
		       json_array_size(json_object_get(out, "keys")) == 1 ? "" : "s");
	}
out:
	free(detail);
	json_decref(out);
	json_decref(errors);
	json_decref(input);
	store_close(store);
	return rc;
}

static int partner_list(const struct cv_config *config)
{
	struct store *store = NULL;
	struct store_conn *conn;
	json_t *items = NULL, *p;
	size_t i;
	int rc = cli_open_store(config, &store, &conn);

	if (rc)
		return rc;
	if (exchange_partners_list(conn, NULL, NULL, "", 1000, &items)) {
		fprintf(stderr, "caravan exchange partner list: %s\n", store_errmsg(conn));
		store_close(store);
		return CLI_FAILED;
	}
	json_array_foreach(items, i, p) {
		printf("%s  %s  %-8s  %s  %s  %s\n", json_string_value(json_object_get(p, "id")),
		       json_string_value(json_object_get(p, "country")),
		       json_string_value(json_object_get(p, "status")),
		       json_string_value(json_object_get(p, "did")),
		       json_string_value(json_object_get(p, "endpoint")),
		       json_string_value(json_object_get(p, "name")));
	}
	json_decref(items);
	store_close(store);
	return CLI_OK;
}

int cmd_exchange(int argc, char **argv)
{
	struct partner_flags f = {0};
	struct cli_flag flags[] = {{"country", &f.country, NULL},
				   {"name", &f.name, NULL},
				   {"endpoint", &f.endpoint, NULL},
				   {"did", &f.did, NULL},
				   {"key", &f.key, NULL},
				   {"did-document", &f.did_document, NULL},
				   {"mra-since", &f.mra_since, NULL},
				   {"mra-types", &f.mra_types, NULL},
				   {"advance-cargo-since", &f.advance_cargo_since, NULL},
				   {"origin-since", &f.origin_since, NULL},
				   {NULL, NULL, NULL}};
	struct cli_args args;
	int exit_now, rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (args.npositional == 2 && !strcmp(args.positional[0], "partner") &&
	    !strcmp(args.positional[1], "add"))
		return partner_add(&args.config, &f);
	if (args.npositional == 2 && !strcmp(args.positional[0], "partner") &&
	    !strcmp(args.positional[1], "list"))
		return partner_list(&args.config);
	fprintf(stderr, "caravan exchange: expected partner add or partner list\n%s", usage);
	return CLI_USAGE;
}
