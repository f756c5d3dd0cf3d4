/*
 * cmd_exchange.c — `caravan exchange partner add|list`, `send` and
 * `status`: the exchange with partner nodes from the command line, for
 * setting nodes up from scripts and watching deliveries (the API does the
 * same under /api/v1/exchange).
 *
 * `partner add` builds the JSON of POST /api/v1/exchange/partners from its
 * flags and goes through the same checks (exchange/partners.h); `send`
 * queues a document in the outbox as the node's own code does
 * (exchange/outbox.h), for a running `caravan serve` to deliver. Each
 * writes its audit row in the same transaction; the actor is "cli:USER".
 */
#include "cli/cli.h"

#include "audit/audit.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/mem.h"
#include "exchange/certificates.h"
#include "exchange/jcs.h"
#include "exchange/messages.h"
#include "exchange/node.h"
#include "exchange/mra.h"
#include "exchange/outbox.h"
#include "exchange/partners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DID_DOCUMENT_MAX (1024 * 1024)
#define DOCUMENT_MAX (16 * 1024 * 1024)
#define STATUS_LATEST 5

static const char usage[] =
	"usage: caravan exchange partner add --country CC --name NAME --endpoint URL\n"
	"                                    (--did-document FILE | --did DID --key KEY-ID=MULTIKEY)\n"
	"                                    [--mra-since DATE --mra-types AEOS,AEOF]\n"
	"                                    [--advance-cargo-since DATE] [--origin-since DATE]\n"
	"                                    [--tls-certificate PEMFILE]\n"
	"       caravan exchange partner list\n"
	"       caravan exchange send --partner ID|DID [--kind TYPE] FILE\n"
	"       caravan exchange sync-aeo PARTNER\n"
	"       caravan exchange status\n"
	"  (each also takes --db URL and --config FILE)\n\n"
	"The partner registry: the administrations this node exchanges signed documents\n"
	"with. URL is the partner node's base URL (messages go to URL/api/v1/exchange/inbox).\n"
	"Its keys come from its DID document (FILE: what its /.well-known/did.json serves, or\n"
	"its caravan key show --did-document), or one key given as key-1=z6Mk... with its\n"
	"did:web. The agreements start on DATE (YYYY-MM-DD): an MRA recognising the AEO\n"
	"types listed (AEOC, AEOS, AEOF), advance cargo data, certificates of origin.\n"
	"--tls-certificate registers the client certificate (PEM) the partner shows over\n"
	"mutual TLS: its documents are then taken only on such a connection.\n\n"
	"send queues the JSON document FILE (- for standard input) for the partner: it gets\n"
	"an id when it has none, is signed with the node's key (caravan key show) and is\n"
	"delivered by a running caravan serve. TYPE is one of the document's types (by\n"
	"default its most specific): the partner's inbox acts on it by type.\n"
	"sync-aeo queues, for PARTNER (its id or DID), a signed AEO status credential of\n"
	"every authorization (valid or suspended) whose holder consented to share it and\n"
	"whose type the partner's MRA recognises: the initial load of a new agreement. Later\n"
	"changes are sent as they happen.\n"
	"status counts the messages by state and shows the latest failures and refusals.\n";

struct partner_flags {
	const char *country, *name, *endpoint, *did, *key, *did_document;
	const char *mra_since, *mra_types, *advance_cargo_since, *origin_since;
	const char *tls_certificate; /* PEM file of the partner's client certificate */
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
	if (f->tls_certificate) {
		char sha256[EXCHANGE_TLS_SHA256_HEX + 1];

		cv_error_clear(&err);
		if (cv_file_read(f->tls_certificate, DID_DOCUMENT_MAX, "tls-certificate", &text,
				 &size, &err) ||
		    exchange_tls_certificate_sha256(text, sha256, &err)) {
			fprintf(stderr, "caravan exchange: %s: %s\n", f->tls_certificate,
				err.message);
			cv_free(text);
			json_decref(agreements);
			return CLI_FAILED;
		}
		cv_free(text);
		json_object_set_new(*input, "tls_certificate_sha256", json_string(sha256));
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
	if (rc && !err.message[0])
		cv_error_set(&err, rc, NULL, "%s", store_errmsg(conn));
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

/* The most specific type of document: its last that is not VerifiableCredential. */
static const char *default_kind(const json_t *document)
{
	const json_t *types = json_object_get(document, "type");
	const char *kind = json_string_value(types);
	size_t i;
	json_t *t;

	json_array_foreach(types, i, t) {
		if (json_is_string(t) &&
		    (!kind || strcmp(json_string_value(t), "VerifiableCredential")))
			kind = json_string_value(t);
	}
	return kind;
}

/* Read FILE (- for standard input) as JSON; errors are printed. */
static int read_document(const char *path, json_t **document)
{
	struct cv_error err;
	struct cv_buf in;
	char *text = NULL, chunk[4096];
	size_t size = 0, n;
	int rc;

	cv_error_clear(&err);
	if (strcmp(path, "-") != 0) {
		rc = cv_file_read(path, DOCUMENT_MAX, NULL, &text, &size, &err);
	} else {
		cv_buf_init(&in);
		rc = CV_OK;
		while (!rc && (n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			rc = in.len + n > DOCUMENT_MAX ? CV_EINVAL : cv_buf_add(&in, chunk, n);
		if (!rc && !in.len)
			rc = cv_buf_addch(&in, ' ');
		text = rc ? NULL : cv_buf_detach(&in, &size);
		cv_buf_release(&in);
		if (rc)
			cv_error_set(&err, rc, NULL, "standard input is not a document");
	}
	if (!rc)
		rc = exchange_jcs_parse(text, size, path, document, &err);
	cv_free(text);
	if (rc)
		fprintf(stderr, "caravan exchange send: %s\n", err.message);
	return rc ? CLI_FAILED : CLI_OK;
}

static int send_document(const struct cv_config *config, const char *partner, const char *kind,
			 const char *path)
{
	struct exchange_node *node = NULL;
	struct store *store = NULL;
	struct store_conn *conn;
	json_t *document = NULL;
	char id[CV_UUID_STR], actor[80];
	struct audit_event ev = {cli_actor(actor, sizeof(actor)), "exchange.send",
				 "exchange_message", id, NULL};
	struct cv_error err;
	int rc;

	cv_error_clear(&err);
	if (exchange_node_open(config, &node, &err)) {
		fprintf(stderr, "caravan exchange send: %s\n", err.message);
		return CLI_FAILED;
	}
	rc = read_document(path, &document);
	if (!rc && !kind && !(kind = default_kind(document))) {
		fprintf(stderr, "caravan exchange send: the document has no type: give --kind\n");
		rc = CLI_FAILED;
	}
	if (!rc)
		rc = cli_open_store(config, &store, &conn);
	if (rc)
		goto out;
	rc = store_begin(conn);
	if (!rc)
		rc = exchange_outbox_queue(conn, node, partner, kind, document, id, &err);
	if (!rc) {
		json_t *audited = json_pack("{s:s, s:s}", "partner", partner, "kind", kind);

		ev.detail = audited ? json_dumps(audited, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(audited);
		rc = audit_append(conn, &ev, NULL, &err);
		free((char *)ev.detail);
	}
	if (rc && !err.message[0])
		cv_error_set(&err, rc, NULL, "%s", store_errmsg(conn));
	rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	if (rc) {
		fprintf(stderr, "caravan exchange send: %s\n",
			err.message[0] ? err.message : store_errmsg(conn));
		rc = CLI_FAILED;
	} else {
		printf("caravan: %s queued for %s as message %s; caravan serve delivers it\n", kind,
		       partner, id);
	}
out:
	json_decref(document);
	store_close(store);
	exchange_node_free(node);
	return rc;
}

static int sync_aeo(const struct cv_config *config, const char *partner)
{
	struct exchange_node *node = NULL;
	struct store *store = NULL;
	struct store_conn *conn;
	struct exchange_partner p;
	char actor[80];
	struct audit_event ev = {cli_actor(actor, sizeof(actor)), "exchange.sync_aeo",
				 "exchange_partner", NULL, NULL};
	struct exchange_mra_context ctx;
	char after[EXCHANGE_MRA_CURSOR_MAX] = "", detail[64];
	struct cv_error err;
	int queued = 0, more = 1, rc;

	cv_error_clear(&err);
	if (exchange_node_open(config, &node, &err)) {
		fprintf(stderr, "caravan exchange sync-aeo: %s\n", err.message);
		return CLI_FAILED;
	}
	ctx = (struct exchange_mra_context){node, config->public_url, cv_clock_now_ms()};
	rc = cli_open_store(config, &store, &conn);
	if (rc)
		goto out;
	if (exchange_partner_load(conn, partner, &p)) {
		fprintf(stderr,
			"caravan exchange sync-aeo: no partner %s (caravan exchange partner list)\n",
			partner);
		rc = CLI_FAILED;
		goto out;
	}
	ev.entity_id = p.id;
	fprintf(stderr, "caravan: queueing the AEO register for %s (%s)...\n", p.name, p.country);
	/*
	 * A transaction per part, each with its audit row: the server's worker
	 * delivers the first parts while the next are signed. Stopped halfway,
	 * the parts committed are sent; run again, it sends the whole register.
	 */
	for (int part = 1; more && !rc; part++) {
		int n = 0;

		rc = store_begin(conn);
		if (!rc)
			rc = exchange_mra_sync_part(conn, &ctx, p.id, after, EXCHANGE_MRA_SYNC_PART,
						    &n, &more, &err);
		if (!rc) {
			snprintf(detail, sizeof(detail), "{\"part\":%d,\"queued\":%d}", part, n);
			ev.detail = detail;
			rc = audit_append(conn, &ev, NULL, &err);
		}
		if (rc && !err.message[0])
			cv_error_set(&err, rc, NULL, "%s", store_errmsg(conn));
		rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
		if (!rc)
			queued += n;
	}
	if (rc) {
		fprintf(stderr, "caravan exchange sync-aeo: %s (%d queued before)\n", err.message,
			queued);
		rc = CLI_FAILED;
	} else {
		printf("caravan: %d AEO status credentials queued for %s; caravan serve delivers "
		       "them (caravan exchange status)\n",
		       queued, p.country);
	}
out:
	store_close(store);
	exchange_node_free(node);
	return rc;
}

static void print_message(const json_t *m)
{
	const char *error = json_string_value(json_object_get(m, "last_error"));
	const char *detail = json_string_value(json_object_get(m, "detail"));

	printf("  %s  %-8s %-12s %s  %s  %s\n", json_string_value(json_object_get(m, "updated_at")),
	       json_string_value(json_object_get(m, "state")),
	       json_string_value(json_object_get(m, "reason"))
		       ? json_string_value(json_object_get(m, "reason"))
		       : json_string_value(json_object_get(m, "kind")),
	       json_string_value(json_object_get(m, "partner_country"))
		       ? json_string_value(json_object_get(m, "partner_country"))
		       : "--",
	       json_string_value(json_object_get(m, "document_id"))
		       ? json_string_value(json_object_get(m, "document_id"))
		       : "-",
	       error    ? error
	       : detail ? detail
			: "");
}

static int status(const struct cv_config *config)
{
	struct store *store = NULL;
	struct store_conn *conn;
	json_t *st = NULL, *lists = NULL, *m;
	size_t i;
	int rc = cli_open_store(config, &store, &conn);

	if (rc)
		return rc;
	if (exchange_status(conn, STATUS_LATEST, &st)) {
		fprintf(stderr, "caravan exchange status: %s\n", store_errmsg(conn));
		store_close(store);
		return CLI_FAILED;
	}
#define COUNT(o, k) ((long long)json_integer_value(json_object_get(json_object_get(st, o), k)))
	printf("out: %lld pending, %lld delivered, %lld acknowledged, %lld failed\n",
	       COUNT("out", "pending"), COUNT("out", "delivered"), COUNT("out", "acknowledged"),
	       COUNT("out", "failed"));
	printf("in:  %lld accepted, %lld refused\n", COUNT("in", "accepted"),
	       COUNT("in", "refused"));
#undef COUNT
	if (!exchange_status_lists_summary(conn, &lists) &&
	    json_integer_value(json_object_get(lists, "watched"))) {
		printf("partners' status lists: %lld watched, %lld fetched\n",
		       (long long)json_integer_value(json_object_get(lists, "watched")),
		       (long long)json_integer_value(json_object_get(lists, "fetched")));
		json_array_foreach(json_object_get(lists, "failing"), i, m) {
			printf("  %s  %s  %s  %s\n",
			       json_string_value(json_object_get(m, "attempted_at")),
			       json_string_value(json_object_get(m, "country")),
			       json_string_value(json_object_get(m, "url")),
			       json_string_value(json_object_get(m, "error")));
		}
	}
	json_decref(lists);
	if (json_array_size(json_object_get(st, "failures")))
		printf("latest failures:\n");
	json_array_foreach(json_object_get(st, "failures"), i, m) {
		print_message(m);
	}
	if (json_array_size(json_object_get(st, "refusals")))
		printf("latest refusals:\n");
	json_array_foreach(json_object_get(st, "refusals"), i, m) {
		print_message(m);
	}
	json_decref(st);
	store_close(store);
	return CLI_OK;
}

int cmd_exchange(int argc, char **argv)
{
	const char *partner = NULL, *kind = NULL;
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
				   {"tls-certificate", &f.tls_certificate, NULL},
				   {"partner", &partner, NULL},
				   {"kind", &kind, NULL},
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
	if (args.npositional == 2 && !strcmp(args.positional[0], "send")) {
		if (!partner) {
			fprintf(stderr, "caravan exchange send: --partner ID|DID is required\n%s",
				usage);
			return CLI_USAGE;
		}
		return send_document(&args.config, partner, kind, args.positional[1]);
	}
	if (args.npositional == 1 && !strcmp(args.positional[0], "status"))
		return status(&args.config);
	if (args.npositional == 2 && !strcmp(args.positional[0], "sync-aeo"))
		return sync_aeo(&args.config, args.positional[1]);
	fprintf(stderr,
		"caravan exchange: expected partner add, partner list, send FILE, sync-aeo PARTNER "
		"or status\n%s",
		usage);
	return CLI_USAGE;
}
