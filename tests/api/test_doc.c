/*
 * test_doc.c — `caravan doc canon|sign|verify` as a partner or an auditor
 * uses it: the W3C eddsa-jcs-2022 vectors through the command line, its
 * answers for tampered and malformed files, and its exit codes (0 valid,
 * 1 invalid or unreadable, 2 wrong usage).
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
