/*
 * test_doc.c — `caravan doc canon|sign|verify` as a partner or an auditor
 * uses it: the W3C eddsa-jcs-2022 vectors through the command line, its
 * answers for tampered and malformed files, and its exit codes (0 valid,
 * 1 invalid or unreadable, 2 wrong usage), and the status of a document
 * with a credentialStatus checked against signed W3C status lists.
 */
#include "support/server.h"

#include "base/mem.h"
#include "exchange/credential.h"
#include "exchange/jcs.h"
#include "exchange/status_list.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VECTORS "tests/vectors/eddsa-jcs-2022/"
#define CREATED "2023-02-24T23:36:38Z"
#define PROOF_VALUE                                                                                \
	"z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"

/*
 * No .timeout: each command takes milliseconds. With one, a full `make test`
 * under load ended with LeakSanitizer reporting 48 bytes lost in Criterion's
 * runner (its timeout request, it seems, for a test that ended at once).
 */
TestSuite(doc);

Test(doc, canon_prints_the_canonical_form)
{
	char *out;

	cr_assert_eq(test_cli("doc canon tests/vectors/jcs/input/weird.json", NULL, &out), 0, "%s",
		     out);
	cr_assert_str_eq(out, "{\"\\n\":\"Newline\",\"\\r\":\"Carriage Return\",\"1\":\"One\","
			      "\"</script>\":\"Browser Challenge\",\"\xc2\x80\":\"Control\x7f\","
			      "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
			      "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x82\":\"Smiley\","
			      "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}\n");
	free(out);
	cr_assert_eq(test_cli("doc canon -", "[1.50, 1e21, {\"b\":0,\"a\":-0}]", &out), 0);
	cr_assert_str_eq(out, "[1.5,1e+21,{\"a\":0,\"b\":0}]\n");
	free(out);
}

Test(doc, sign_gives_the_vector_proof_value_and_the_result_verifies)
{
	char *out, *signed_text;

	cr_assert_eq(test_cli("doc sign --key " VECTORS "keyPair.json --created " CREATED
			      " " VECTORS "unsigned.json",
			      NULL, &out),
		     0, "%s", out);
	cr_assert(strstr(out, "\"proofValue\":\"" PROOF_VALUE "\""), "%s", out);
	cr_assert(strstr(out, "\"verificationMethod\":\"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pv"
			      "BQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2\""),
		  "the key's did:key is the default: %s", out);
	signed_text = out;
	cr_assert_eq(test_cli("doc verify -", signed_text, &out), 0, "%s", out);
	cr_assert_str_eq(out, "valid\n");
	free(out);
	free(signed_text);
}

Test(doc, verify_says_valid_for_the_signed_vector)
{
	char *out;

	cr_assert_eq(test_cli("doc verify " VECTORS "signedJCS.json", NULL, &out), 0);
	cr_assert_str_eq(out, "valid\n");
	free(out);
}

/* signedJCS.json with the first from replaced by to, verified from standard input. */
static int verify_edited(const char *from, const char *to, char **out)
{
	FILE *f = fopen(VECTORS "signedJCS.json", "r");
	char text[4096], edited[4096], *at;
	size_t n;
	int written;

	cr_assert(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	at = strstr(text, from);
	cr_assert(at, "signedJCS.json has no %s", from);
	written = snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - text), text, to,
			   at + strlen(from));
	cr_assert(written > 0 && (size_t)written < sizeof(edited));
	return test_cli("doc verify -", edited, out);
}

#define DID_KEY                                                                                    \
	"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#"                                \
	"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

Test(doc, verify_says_invalid_and_why_for_altered_documents)
{
	char *out;

	cr_assert_eq(verify_edited("The School of Examples", "The School of Exampels", &out), 1);
	cr_assert(strstr(out, "invalid: the signature does not match"), "%s", out);
	free(out);
	cr_assert_eq(verify_edited(CREATED, "2023-02-24T23:36:39Z", &out), 1);
	cr_assert(strstr(out, "invalid: the signature does not match"), "%s", out);
	free(out);
	cr_assert_eq(verify_edited("uVor51aX", "uVor51aY", &out), 1);
	cr_assert(strstr(out, "invalid: the signature does not match"), "%s", out);
	free(out);
	cr_assert_eq(verify_edited("eddsa-jcs-2022", "eddsa-rdfc-2022", &out), 1);
	cr_assert(strstr(out, "invalid: unsupported cryptosuite"), "%s", out);
	free(out);
	cr_assert_eq(verify_edited(DID_KEY, "https://vc.example/keys/1", &out), 1);
	cr_assert(strstr(out, "invalid: unknown verification method"), "%s", out);
	free(out);
	cr_assert_eq(verify_edited("],\n    \"proofValue\": \"" PROOF_VALUE "\"", "]", &out), 1);
	cr_assert(strstr(out, "invalid: the proof has no proofValue"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc verify " VECTORS "unsigned.json", NULL, &out), 1);
	cr_assert(strstr(out, "invalid: the document has no proof"), "%s", out);
	free(out);
}

Test(doc, malformed_json_is_an_error_with_line_and_column)
{
	char *out;

	cr_assert_eq(test_cli("doc verify -", "{\n  \"a\": 1,\n  \"b\": }\n", &out), 1);
	cr_assert(strstr(out, "malformed JSON: stdin:3:"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc canon -", "{\"a\":1,\"a\":2}", &out), 1);
	cr_assert(strstr(out, "duplicate"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc canon -", "", &out), 1);
	cr_assert(strstr(out, "malformed JSON"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc canon /no/such/file.json", NULL, &out), 1);
	cr_assert(strstr(out, "/no/such/file.json"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc sign --key " VECTORS "unsigned.json " VECTORS "unsigned.json",
			      NULL, &out),
		     1, "a key file without a key");
	cr_assert(strstr(out, "unsigned.json"), "%s", out);
	free(out);
}

Test(doc, wrong_usage_is_exit_2)
{
	char *out;

	cr_assert_eq(test_cli("doc --help", NULL, &out), 0);
	cr_assert(strstr(out, "usage: caravan doc canon FILE"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc", NULL, &out), 2);
	free(out);
	cr_assert_eq(test_cli("doc publish x.json", NULL, &out), 2);
	cr_assert(strstr(out, "unknown subcommand"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc sign " VECTORS "unsigned.json", NULL, &out), 2);
	cr_assert(strstr(out, "--key KEYFILE is required"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc sign --key " VECTORS "keyPair.json --created yesterday " VECTORS
			      "unsigned.json",
			      NULL, &out),
		     2);
	cr_assert(strstr(out, "RFC 3339"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("doc verify --key k.json x.json", NULL, &out), 2);
	free(out);
	cr_assert_eq(test_cli("doc canon --no-such-flag 1 x.json", NULL, &out), 2);
	free(out);
}

/* ---- credentialStatus and --status-list ----------------------------------------- */

#define REVOCATION_LIST "https://customs.example/api/v1/status-lists/rev"
#define SUSPENSION_LIST "https://customs.example/api/v1/status-lists/sus"
#define ISSUER "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

/* Sign document (taken) with the vector key and write it to a new temporary file, named in path. */
static void write_signed(json_t *document, char path[64])
{
	struct exchange_proof_options po = {DID_KEY, "2026-01-15T09:30:00Z", NULL};
	json_error_t jerr;
	json_t *key_file = json_load_file(VECTORS "keyPair.json", 0, &jerr), *secured;
	struct exchange_key key;
	struct cv_error err;
	struct cv_buf text;
	int fd;

	cr_assert(key_file, "%s", jerr.text);
	cr_assert_eq(exchange_key_from_json(key_file, &key, &err), CV_OK, "%s", err.message);
	cr_assert_eq(exchange_credential_sign(document, &key, &po, &secured, &err), CV_OK, "%s",
		     err.message);
	cv_buf_init(&text);
	cr_assert_eq(exchange_jcs_serialize(secured, &text, &err), CV_OK);
	snprintf(path, 64, "/tmp/caravan-status-XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text.data, text.len), (ssize_t)text.len);
	close(fd);
	cv_buf_release(&text);
	json_decref(secured);
	json_decref(document);
	json_decref(key_file);
}

/* A status list credential for url and purpose with bit set (-1: none), valid until until (NULL: open). */
static void write_list(const char *url, const char *purpose, long bit, const char *until,
		       char path[64])
{
	struct exchange_status_list_options o = {url,   ISSUER, purpose, "2020-01-01T00:00:00Z",
						 until, 0};
	struct exchange_status_list list;
	json_t *vc;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	if (bit >= 0)
		cr_assert_eq(exchange_status_list_set(&list, (uint64_t)bit, 1, NULL), CV_OK);
	cr_assert_eq(exchange_status_list_credential_new(&o, &list, &vc, NULL), CV_OK);
	exchange_status_list_release(&list);
	write_signed(vc, path);
}

/* An AEO status credential with a revocation (94567) and a suspension (23452) entry. */
static void write_revocable(char path[64])
{
	json_t *doc =
		json_pack("{s:[s], s:s, s:[s, s], s:s, s:s, s:{s:s, s:s}, s:[{s:s, s:s, s:s, s:s}, "
			  "{s:s, s:s, s:s, s:s}]}",
			  "@context", "https://www.w3.org/ns/credentials/v2", "id",
			  "urn:uuid:0190d8a8-4c52-7cc1-9a8e-5e2f1c0a7b11", "type",
			  "VerifiableCredential", "AEOStatusCredential", "issuer", ISSUER,
			  "validFrom", "2026-01-15T00:00:00Z", "credentialSubject", "aeoNumber",
			  "KZAEOS0000000001", "status", "valid", "credentialStatus", "type",
			  "BitstringStatusListEntry", "statusPurpose", "revocation",
			  "statusListIndex", "94567", "statusListCredential", REVOCATION_LIST,
			  "type", "BitstringStatusListEntry", "statusPurpose", "suspension",
			  "statusListIndex", "23452", "statusListCredential", SUSPENSION_LIST);

	cr_assert(doc);
	write_signed(doc, path);
}

/* Run `doc verify [--status-list list] doc`; expect code and exactly want as output. */
static void assert_verify(const char *doc, const char *list, int code, const char *want)
{
	char args[256], *out;

	snprintf(args, sizeof(args), "doc verify %s%s %s", list ? "--status-list " : "",
		 list ? list : "", doc);
	cr_assert_eq(test_cli(args, NULL, &out), code, "%s: %s", args, out);
	cr_assert(strstr(out, want), "%s: \"%s\" does not say \"%s\"", args, out, want);
	free(out);
}

Test(doc, verify_checks_the_status_against_the_status_list_given)
{
	char doc[64], clear[64], revoked[64], suspended[64], lifted[64];

	write_revocable(doc);
	write_list(REVOCATION_LIST, "revocation", -1, NULL, clear);
	write_list(REVOCATION_LIST, "revocation", 94567, NULL, revoked);
	write_list(SUSPENSION_LIST, "suspension", 23452, NULL, suspended);
	write_list(SUSPENSION_LIST, "suspension", 23451, NULL, lifted);
	assert_verify(doc, NULL, 0,
		      "valid\nstatus not checked: the revocation entry names the status list " REVOCATION_LIST
		      "; give it with --status-list FILE\n"
		      "status not checked: the suspension entry names the status list " SUSPENSION_LIST);
	assert_verify(doc, clear, 0,
		      "valid\nstatus not checked: the suspension entry names the status list " SUSPENSION_LIST);
	assert_verify(doc, revoked, 1, "invalid: status revoked\n");
	assert_verify(doc, suspended, 1, "invalid: status suspended\n");
	assert_verify(doc, lifted, 0, "valid\n");
	unlink(doc);
	unlink(clear);
	unlink(revoked);
	unlink(suspended);
	unlink(lifted);
}

Test(doc, a_status_list_that_does_not_hold_is_refused)
{
	char doc[64], expired[64], other[64], purpose[64], tampered[64], *text, *at, args[160], *out;
	FILE *f;

	write_revocable(doc);
	write_list(REVOCATION_LIST, "revocation", -1, "2021-01-01T00:00:00Z", expired);
	write_list("https://customs.example/api/v1/status-lists/other", "revocation", -1, NULL,
		   other);
	write_list(REVOCATION_LIST, "suspension", -1, NULL, purpose);
	assert_verify(doc, expired, 1, "invalid: status list");
	assert_verify(doc, expired, 1, "expired at 2021-01-01T00:00:00Z");
	assert_verify(doc, other, 1,
		      "invalid: status: no credentialStatus entry of the document "
		      "names the status list");
	assert_verify(doc, purpose, 1, "invalid: status: the entry's statusPurpose is revocation");
	assert_verify(VECTORS "signedJCS.json", other, 1, "the document has no credentialStatus");
	assert_verify(doc, "/no/such/list.json", 1, "/no/such/list.json");
	assert_verify(doc, VECTORS "unsigned.json", 1,
		      "invalid: status list " VECTORS "unsigned.json: the document has no proof");

	/* The list renamed after signing, so that it names the document's list. */
	snprintf(args, sizeof(args), "doc canon %s", other);
	cr_assert_eq(test_cli(args, NULL, &text), 0);
	at = strstr(text, "/other\"");
	cr_assert(at, "%s", text);
	snprintf(tampered, sizeof(tampered), "/tmp/caravan-status-XXXXXX");
	cr_assert(mkstemp(tampered) >= 0);
	f = fopen(tampered, "w");
	cr_assert(f);
	fprintf(f, "%.*s/rev%s", (int)(at - text), text, at + strlen("/other"));
	fclose(f);
	free(text);
	assert_verify(doc, tampered, 1, "the signature does not match");

	cr_assert_eq(test_cli("doc canon --status-list x.json x.json", NULL, &out), 2);
	cr_assert(strstr(out, "--status-list is for verify"), "%s", out);
	free(out);
	unlink(doc);
	unlink(expired);
	unlink(other);
	unlink(purpose);
	unlink(tampered);
}
