/*
 * cmd_doc.c — `caravan doc canon|sign|verify`: documents anyone can verify
 * (exchange/jcs.h, exchange/credential.h) from the command line, without a
 * database or a server, so that a partner or an auditor can check a signed
 * document with the same code the node uses.
 */
#include "cli/cli.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/mem.h"
#include "exchange/credential.h"
#include "exchange/did.h"
#include "exchange/jcs.h"
#include "exchange/status_list.h"

#include <stdio.h>
#include <string.h>

/* The largest document or key file read: a certificate is a few kilobytes. */
#define DOC_FILE_MAX (16 * 1024 * 1024)

static const char usage[] =
	"usage: caravan doc canon FILE\n"
	"       caravan doc sign --key KEYFILE [--verification-method URI] [--created RFC3339]\n"
	"                        [--purpose PURPOSE] FILE\n"
	"       caravan doc verify [--did-document DIDFILE] [--status-list LISTFILE] FILE\n\n"
	"Documents anyone can verify: JSON with a W3C Data Integrity proof, cryptosuite\n"
	"eddsa-jcs-2022 (Ed25519 over the JSON canonicalization of RFC 8785). FILE is a\n"
	"JSON file, or - for standard input.\n\n"
	"  canon   print the canonical form (RFC 8785) of FILE\n"
	"  sign    print FILE with a proof signed by the key in KEYFILE, in canonical form.\n"
	"          KEYFILE is JSON: {\"publicKeyMultibase\": \"z6Mk...\",\n"
	"          \"secretKeyMultibase\": \"z3u2...\"} (Ed25519 Multikey; the secret is the\n"
	"          32-byte seed after the multicodec prefix 0x8026; \"privateKeyMultibase\"\n"
	"          is read too). --verification-method defaults to the key's did:key URL,\n"
	"          --created to now, --purpose to assertionMethod.\n"
	"  verify  print \"valid\" and exit 0, or \"invalid: REASON\" and exit 1. A did:key\n"
	"          verification method is resolved offline; a did:web one (DID#key-N) in\n"
	"          the DID document DIDFILE (a node's /.well-known/did.json, or the output\n"
	"          of caravan key show --did-document): nothing is fetched. A document\n"
	"          with a credentialStatus (W3C Bitstring Status List) is checked against\n"
	"          LISTFILE, a signed BitstringStatusListCredential (verified too): \"invalid:\n"
	"          status revoked\" or \"invalid: status suspended\". Without --status-list,\n"
	"          a second line says the status was not checked.\n\n"
	"Exit codes: 0 done (valid), 1 failed (invalid, unreadable or malformed input),\n"
	"2 wrong usage.\n";

/* Read path ("-": standard input) whole into *data (cv_free it). Prints errors. */
static int read_input(const char *path, char **data, size_t *size)
{
	struct cv_buf buf;
	struct cv_error err;
	char chunk[4096];
	size_t n;

	if (strcmp(path, "-") != 0) {
		cv_error_clear(&err);
		if (cv_file_read(path, DOC_FILE_MAX, NULL, data, size, &err)) {
			fprintf(stderr, "caravan doc: %s\n", err.message);
			return CLI_FAILED;
		}
		return CLI_OK;
	}
	cv_buf_init(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (buf.len + n > DOC_FILE_MAX || cv_buf_add(&buf, chunk, n)) {
			fprintf(stderr, "caravan doc: standard input is larger than %d bytes\n",
				DOC_FILE_MAX);
			cv_buf_release(&buf);
			return CLI_FAILED;
		}
	}
	if (cv_buf_addch(&buf, '\0')) { /* an empty input still gets a buffer */
		cv_buf_release(&buf);
		return CLI_FAILED;
	}
	*data = cv_buf_detach(&buf, size);
	(*size)--;
	return CLI_OK;
}

/* Read and parse the JSON file path into *value. Prints errors. */
static int load_json(const char *path, json_t **value)
{
	struct cv_error err;
	char *text = NULL;
	size_t size;
	int rc = read_input(path, &text, &size);

	*value = NULL;
	if (rc)
		return rc;
	cv_error_clear(&err);
	if (exchange_jcs_parse(text, size, strcmp(path, "-") == 0 ? "stdin" : path, value, &err)) {
		fprintf(stderr, "caravan doc: malformed JSON: %s\n", err.message);
		rc = CLI_FAILED;
	}
	cv_free(text);
	return rc;
}

/* Print value's canonical form and a newline. */
static int print_canonical(const json_t *value)
{
	struct cv_buf out;
	struct cv_error err;
	int rc = CLI_OK;

	cv_buf_init(&out);
	cv_error_clear(&err);
	if (exchange_jcs_serialize(value, &out, &err)) {
		fprintf(stderr, "caravan doc: %s\n",
			err.message[0] ? err.message : cv_strerror(err.code));
		rc = CLI_FAILED;
	} else {
		printf("%s\n", cv_buf_str(&out));
	}
	cv_buf_release(&out);
	return rc;
}

static int doc_canon(const char *path)
{
	json_t *value;
	int rc = load_json(path, &value);

	if (rc == CLI_OK)
		rc = print_canonical(value);
	json_decref(value);
	return rc;
}

/* Print a note for each credentialStatus entry of document not naming the list checked (NULL: none). */
static void print_unchecked(const json_t *document, const char *checked_list)
{
	const json_t *status = json_object_get(document, "credentialStatus"), *entry;
	size_t n = json_is_array(status) ? json_array_size(status) : status ? 1 : 0;

	for (size_t i = 0; i < n; i++) {
		const char *url, *purpose;

		entry = json_is_array(status) ? json_array_get(status, i) : status;
		url = json_string_value(json_object_get(entry, "statusListCredential"));
		purpose = json_string_value(json_object_get(entry, "statusPurpose"));
		if (checked_list && url && !strcmp(url, checked_list))
			continue;
		printf("status not checked: the %s entry names the status list %s; give it with "
		       "--status-list FILE\n",
		       purpose ? purpose : "(no statusPurpose)", url ? url : "(no URL)");
	}
}

/*
 * Check document's credentialStatus against the status list credential in
 * list_path (verified with resolver and in force first). Prints the verdict.
 */
static int verify_status(const json_t *document, const char *list_path,
			 const struct exchange_resolver *resolver)
{
	struct exchange_status_result result;
	struct cv_error err;
	json_t *list;
	size_t checked, others;
	int rc = load_json(list_path, &list);

	if (rc)
		return rc;
	cv_error_clear(&err);
	if (exchange_credential_verify_with(list, resolver, &err) ||
	    exchange_status_list_current(list, cv_clock_now_ms(), &err)) {
		printf("invalid: status list %s: %s\n", list_path,
		       err.message[0] ? err.message : cv_strerror(err.code));
		rc = CLI_FAILED;
	} else if (!json_object_get(document, "credentialStatus")) {
		printf("invalid: the document has no credentialStatus to check against %s\n",
		       list_path);
		rc = CLI_FAILED;
	} else if (exchange_status_check_document(document, list, &result, &checked, &others, &err)) {
		printf("invalid: status: %s\n", err.message);
		rc = CLI_FAILED;
	} else if (result.set) {
		printf("invalid: status %s\n", !strcmp(result.purpose, EXCHANGE_STATUS_REVOCATION)
						       ? "revoked"
						       : "suspended");
		rc = CLI_FAILED;
	} else {
		printf("valid\n");
		print_unchecked(document, json_string_value(json_object_get(list, "id")));
	}
	json_decref(list);
	return rc;
}

static int doc_verify(const char *path, const char *did_document_path, const char *list_path)
{
	json_t *value = NULL, *did_document = NULL;
	struct exchange_did_documents documents = {NULL, 0, 1};
	struct exchange_resolver resolver = {exchange_did_documents_resolve, &documents};
	const char *method;
	struct cv_error err;
	int rc = CLI_OK;

	if (did_document_path) {
		rc = load_json(did_document_path, &did_document);
		if (rc == CLI_OK && !json_is_string(json_object_get(did_document, "id"))) {
			fprintf(stderr, "caravan doc verify: %s is not a DID document (no id)\n",
				did_document_path);
			rc = CLI_FAILED;
		}
		documents.documents = (const json_t *const *)&did_document;
		documents.count = 1;
	}
	if (rc == CLI_OK)
		rc = load_json(path, &value);
	if (rc) {
		json_decref(did_document);
		return rc;
	}
	method = json_string_value(
		json_object_get(json_object_get(value, "proof"), "verificationMethod"));
	cv_error_clear(&err);
	if ((rc = exchange_credential_verify_with(value, &resolver, &err))) {
		printf("invalid: %s%s\n", err.message[0] ? err.message : cv_strerror(err.code),
		       rc == CV_ENOTFOUND && !did_document_path && method &&
				       strncmp(method, EXCHANGE_DID_WEB_PREFIX,
					       strlen(EXCHANGE_DID_WEB_PREFIX)) == 0
			       ? " (pass the signer's DID document with --did-document FILE)"
			       : "");
		rc = CLI_FAILED;
	} else if (list_path) {
		rc = verify_status(value, list_path, &resolver);
	} else {
		printf("valid\n");
		print_unchecked(value, NULL);
	}
	json_decref(value);
	json_decref(did_document);
	return rc;
}

struct sign_request {
	const char *key_path;
	const char *verification_method;
	const char *created;
	const char *purpose;
	const char *did_document;
};

static int doc_sign(const char *path, const struct sign_request *request)
{
	struct exchange_proof_options options = {request->verification_method, request->created,
						 request->purpose};
	struct exchange_key key;
	struct cv_buf did;
	struct cv_error err;
	char now[CV_RFC3339_MAX];
	json_t *key_file = NULL, *document = NULL, *secured = NULL;
	int rc;

	cv_buf_init(&did);
	cv_error_clear(&err);
	memset(&key, 0, sizeof(key));
	rc = load_json(request->key_path, &key_file);
	if (rc)
		goto out;
	if (exchange_key_from_json(key_file, &key, &err) || !key.has_secret) {
		fprintf(stderr, "caravan doc sign: %s: %s\n", request->key_path,
			err.message[0] ? err.message : "the key file has no secretKeyMultibase");
		rc = CLI_FAILED;
		goto out;
	}
	if (!options.verification_method) {
		if (exchange_key_did(key.public_key, &did)) {
			rc = CLI_FAILED;
			goto out;
		}
		options.verification_method = cv_buf_str(&did);
	}
	if (!options.created) {
		cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
		options.created = now;
	}
	rc = load_json(path, &document);
	if (rc)
		goto out;
	if (exchange_credential_sign(document, &key, &options, &secured, &err)) {
		fprintf(stderr, "caravan doc sign: %s\n", err.message);
		rc = CLI_FAILED;
		goto out;
	}
	rc = print_canonical(secured);
out:
	sodium_memzero(&key, sizeof(key));
	json_decref(secured);
	json_decref(document);
	json_decref(key_file);
	cv_buf_release(&did);
	return rc;
}

int cmd_doc(int argc, char **argv)
{
	struct sign_request request = {NULL, NULL, NULL, NULL, NULL};
	const char *status_list = NULL;
	struct cli_flag flags[] = {{"key", &request.key_path, NULL},
				   {"status-list", &status_list, NULL},
				   {"verification-method", &request.verification_method, NULL},
				   {"created", &request.created, NULL},
				   {"purpose", &request.purpose, NULL},
				   {"did-document", &request.did_document, NULL},
				   {NULL, NULL, NULL}};
	struct cli_args args;
	const char *sub;
	int64_t ms;
	int exit_now, rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (args.npositional != 2) {
		fprintf(stderr,
			"caravan doc: expected a subcommand (canon, sign, verify) and a "
			"FILE\n%s",
			usage);
		return CLI_USAGE;
	}
	sub = args.positional[0];
	if (strcmp(sub, "sign") != 0 && (request.key_path || request.verification_method ||
					 request.created || request.purpose)) {
		fprintf(stderr,
			"caravan doc %s: --key, --verification-method, --created and "
			"--purpose are for sign\n%s",
			sub, usage);
		return CLI_USAGE;
	}
	if (strcmp(sub, "verify") != 0 && (request.did_document || status_list)) {
		fprintf(stderr, "caravan doc %s: %s is for verify\n%s", sub,
			request.did_document ? "--did-document" : "--status-list", usage);
		return CLI_USAGE;
	}
	if (strcmp(sub, "canon") == 0)
		return doc_canon(args.positional[1]);
	if (strcmp(sub, "verify") == 0)
		return doc_verify(args.positional[1], request.did_document, status_list);
	if (strcmp(sub, "sign") != 0) {
		fprintf(stderr, "caravan doc: unknown subcommand \"%s\" (canon, sign, verify)\n%s",
			sub, usage);
		return CLI_USAGE;
	}
	if (!request.key_path) {
		fprintf(stderr, "caravan doc sign: --key KEYFILE is required\n%s", usage);
		return CLI_USAGE;
	}
	if (request.created && cv_clock_parse_rfc3339(request.created, &ms)) {
		fprintf(stderr,
			"caravan doc sign: --created must be RFC 3339 "
			"(2026-01-31T12:00:00Z), got \"%s\"\n",
			request.created);
		return CLI_USAGE;
	}
	return doc_sign(args.positional[1], &request);
}
