/*
 * cmd_key.c — `caravan key show|rotate`: the node's signing keys
 * (exchange/node.h), kept in the key file that `caravan init` creates.
 *
 * Neither needs the database or a running server: the key file and the
 * configuration (public_url or node_did, node_key) are the node's
 * identity. A running `caravan serve` reads the key file at start-up, so
 * after a rotation it is restarted to sign with the new key.
 */
#include "cli/cli.h"

#include "exchange/node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: caravan key show [--did-document] [--config FILE] [--db URL]\n"
	"       caravan key rotate [--config FILE] [--db URL]\n\n"
	"The node's Ed25519 signing keys, in the key file node_key (by default beside the\n"
	"SQLite database: var/caravan.db has var/caravan.key), which caravan init creates.\n"
	"The node's DID is node_did, or the did:web of public_url (https://customs.kz is\n"
	"did:web:customs.kz); it signs with the verification method DID#key-N.\n\n"
	"  show    print the DID, the key file and every key (current and retired);\n"
	"          --did-document prints the DID document the node serves at\n"
	"          /.well-known/did.json instead, for a partner who verifies offline\n"
	"  rotate  make a new current key (key-N+1). The old keys stay in the file (their\n"
	"          public halves only) and in the DID document, so what they signed still\n"
	"          verifies. Restart caravan serve to sign with the new key, and have\n"
	"          partners add it to their registry (it is in the DID document).\n";

static void print_key(const struct exchange_node_key *key)
{
	struct cv_buf multibase;

	cv_buf_init(&multibase);
	if (exchange_key_multibase(key->public_key, &multibase) == CV_OK) {
		if (key->retired[0])
			printf("key-%d  retired %s  %s\n", key->number, key->retired,
			       cv_buf_str(&multibase));
		else
			printf("key-%d  current%s%s  %s\n", key->number,
			       key->created[0] ? " since " : "", key->created,
			       cv_buf_str(&multibase));
	}
	cv_buf_release(&multibase);
}

static int key_show(const struct cv_config *config, int did_document)
{
	struct exchange_node *node;
	struct cv_error err;
	struct cv_buf method;
	json_t *document;
	char *text;

	cv_error_clear(&err);
	if (exchange_node_open(config, &node, &err)) {
		fprintf(stderr, "caravan key show: %s\n", err.message);
		return CLI_FAILED;
	}
	if (did_document) {
		text = exchange_node_did_document(node, &document) == CV_OK
			       ? json_dumps(document, JSON_INDENT(2))
			       : NULL;
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(document);
		exchange_node_free(node);
		return text ? CLI_OK : CLI_FAILED;
	}
	cv_buf_init(&method);
	exchange_node_verification_method(node, &method);
	printf("did: %s\nkey file: %s\nsigns as: %s\n", node->did, node->key_path,
	       cv_buf_str(&method));
	cv_buf_release(&method);
	for (size_t i = 0; i < node->nkeys; i++)
		print_key(&node->keys[i]);
	exchange_node_free(node);
	return CLI_OK;
}

static int key_rotate(const struct cv_config *config)
{
	char path[CV_CONFIG_STR];
	struct cv_error err;
	int number = 0;

	cv_error_clear(&err);
	if (exchange_node_key_path(config, path, sizeof(path), &err) ||
	    exchange_node_key_rotate(path, &number, &err)) {
		fprintf(stderr, "caravan key rotate: %s\n", err.message);
		return CLI_FAILED;
	}
	printf("caravan: key-%d is the current key in %s; the earlier keys still verify.\n"
	       "Restart caravan serve to sign with it, and have partners add it to their\n"
	       "registry (caravan key show prints it).\n",
	       number, path);
	return CLI_OK;
}

int cmd_key(int argc, char **argv)
{
	int did_document = 0;
	struct cli_flag flags[] = {{"did-document", NULL, &did_document}, {NULL, NULL, NULL}};
	struct cli_args args;
	int exit_now, rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (args.npositional != 1) {
		fprintf(stderr, "caravan key: expected show or rotate\n%s", usage);
		return CLI_USAGE;
	}
	if (strcmp(args.positional[0], "show") == 0)
		return key_show(&args.config, did_document);
	if (did_document) {
		fprintf(stderr, "caravan key: --did-document is for show\n%s", usage);
		return CLI_USAGE;
	}
	if (strcmp(args.positional[0], "rotate") == 0)
		return key_rotate(&args.config);
	fprintf(stderr, "caravan key: unknown subcommand \"%s\" (show, rotate)\n%s",
		args.positional[0], usage);
	return CLI_USAGE;
}
