/*
 * test_key.c — the node's identity as its operator and a partner see it:
 * `caravan init` makes the key file once, `caravan key show|rotate`, the DID
 * document served at /.well-known/did.json, and `caravan doc verify
 * --did-document` checking a did:web signature offline, before and after a
 * rotation.
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

TestSuite(key, .timeout = 120);

/* A folder with a database file path for commands that need only the key. */
struct folder {
	char dir[64];
	char flags[256]; /* --db sqlite:DIR/node.db --public-url https://customs.kz */
	char key[128];
};

static void folder_make(struct folder *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/caravan-keycli-XXXXXX");
	cr_assert(mkdtemp(f->dir));
	snprintf(f->flags, sizeof(f->flags),
		 "--db sqlite:%s/node.db --public-url https://customs.kz", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/node.key", f->dir);
}

static void folder_remove(const struct folder *f)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	cr_assert_eq(system(cmd), 0);
}

/* Run caravan with a printf-style argument line; returns the exit code, output in *out. */
static int run(char **out, const char *stdin_text, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int run(char **out, const char *stdin_text, const char *fmt, ...)
{
	char args[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return test_cli(args, stdin_text, out);
}

Test(key, init_makes_the_key_once_and_rotate_keeps_the_old_keys)
{
	struct folder f;
	struct stat st;
	char *out, *first;

	folder_make(&f);
	cr_assert_eq(run(&out, NULL, "init %s --log-level warn", f.flags), 0, "%s", out);
	cr_assert(strstr(out, "(created, key-1), DID did:web:customs.kz"), "%s", out);
	free(out);
	cr_assert_eq(stat(f.key, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(run(&first, NULL, "key show %s", f.flags), 0, "%s", first);
	cr_assert(strstr(first, "did: did:web:customs.kz\n"), "%s", first);
	cr_assert(strstr(first, "signs as: did:web:customs.kz#key-1\n"), "%s", first);

	/* init again keeps the key. */
	cr_assert_eq(run(&out, NULL, "init %s --log-level warn", f.flags), 0, "%s", out);
	cr_assert(strstr(out, "(kept, key-1)"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, NULL, "key show %s", f.flags), 0);
	cr_assert_str_eq(out, first);
	free(out);

	cr_assert_eq(run(&out, NULL, "key rotate %s", f.flags), 0, "%s", out);
	cr_assert(strstr(out, "key-2 is the current key"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, NULL, "key show %s", f.flags), 0, "%s", out);
	cr_assert(strstr(out, "signs as: did:web:customs.kz#key-2\n"), "%s", out);
	cr_assert(strstr(out, "key-1  retired "), "%s", out);
	/* key-1's public key is still listed. */
	cr_assert(strstr(out, strstr(first, "z6Mk")), "%s", out);
	free(out);
	free(first);

	cr_assert_eq(run(&out, NULL, "key turn %s", f.flags), 2);
	free(out);
	cr_assert_eq(run(&out, NULL, "key show --did-document --node-key %s/none.key", f.dir), 1);
	cr_assert(strstr(out, "caravan init"), "%s", out);
	free(out);
	folder_remove(&f);
}

Test(key, a_did_web_signature_verifies_offline_with_the_did_document_even_after_rotation)
{
	static const char doc[] =
		"{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
		" \"type\": [\"VerifiableCredential\"], \"issuer\": \"did:web:customs.kz\","
		" \"credentialSubject\": {\"certificate\": \"KZAEO2026000001\"}}";
	struct folder f;
	char *out, *signed_doc, path[160], did1[160], did2[160];
	FILE *file;

	folder_make(&f);
	cr_assert_eq(run(&out, NULL, "init %s --log-level warn", f.flags), 0, "%s", out);
	free(out);
	cr_assert_eq(run(&signed_doc, doc,
			 "doc sign --key %s --verification-method 'did:web:customs.kz#key-1' -",
			 f.key),
		     0, "%s", signed_doc);
	snprintf(path, sizeof(path), "%s/signed.json", f.dir);
	file = fopen(path, "w");
	fputs(signed_doc, file);
	fclose(file);
	snprintf(did1, sizeof(did1), "%s/did-1.json", f.dir);
	snprintf(did2, sizeof(did2), "%s/did-2.json", f.dir);
	cr_assert_eq(run(&out, NULL, "key show --did-document %s > %s", f.flags, did1), 0);
	free(out);

	cr_assert_eq(run(&out, NULL, "doc verify %s", path), 1);
	cr_assert(strstr(out, "--did-document"), "the hint names the option: %s", out);
	free(out);
	cr_assert_eq(run(&out, NULL, "doc verify --did-document %s %s", did1, path), 0, "%s", out);
	cr_assert_str_eq(out, "valid\n");
	free(out);

	cr_assert_eq(run(&out, NULL, "key rotate %s", f.flags), 0, "%s", out);
	free(out);
	cr_assert_eq(run(&out, NULL, "key show --did-document %s > %s", f.flags, did2), 0);
	free(out);
	cr_assert_eq(run(&out, NULL, "doc verify --did-document %s %s", did2, path), 0, "%s", out);
	cr_assert_str_eq(out, "valid\n");
	free(out);
	/* One changed letter. */
	signed_doc[strstr(signed_doc, "KZAEO") - signed_doc + 1] = 'X';
	cr_assert_eq(run(&out, signed_doc, "doc verify --did-document %s -", did2), 1);
	cr_assert(strstr(out, "invalid: the signature does not match"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, NULL, "doc canon --did-document %s %s", did2, path), 2);
	free(out);
	free(signed_doc);
	folder_remove(&f);
}

Test(key, the_did_document_is_served_at_well_known_did_json)
{
	struct test_server s;
	struct test_response r;
	const json_t *methods, *m;
	char did[64], key1[96];

	test_server_start(&s, (const char *[]){"--public-url", "https://customs.kz", NULL});
	test_http(&s, "GET", "/.well-known/did.json", NULL, NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	snprintf(did, sizeof(did), "%s", json_string_value(json_object_get(r.json, "id")));
	cr_assert_str_eq(did, "did:web:customs.kz");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "@context"), 0)),
			 "https://www.w3.org/ns/did/v1");
	methods = json_object_get(r.json, "verificationMethod");
	cr_assert_geq(json_array_size(methods), 1, "%s", r.body);
	m = json_array_get(methods, 0);
	snprintf(key1, sizeof(key1), "%s#key-1", did);
	cr_assert_str_eq(json_string_value(json_object_get(m, "id")), key1);
	cr_assert_str_eq(json_string_value(json_object_get(m, "type")), "Multikey");
	cr_assert_str_eq(json_string_value(json_object_get(m, "controller")), did);
	cr_assert(!strncmp(json_string_value(json_object_get(m, "publicKeyMultibase")), "z6Mk", 4));
	cr_assert_null(json_object_get(m, "secretKeyMultibase"));
	cr_assert_null(strstr(r.body, "z3u2"), "no secret in the document: %s", r.body);
	cr_assert_str_eq(json_string_value(
				 json_array_get(json_object_get(r.json, "assertionMethod"), 0)),
			 key1);
	cr_assert_str_eq(json_string_value(
				 json_array_get(json_object_get(r.json, "authentication"), 0)),
			 key1);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "service"),
								0),
						 "serviceEndpoint")),
			 "https://customs.kz/api/v1/exchange/inbox");
	test_response_free(&r);
	test_server_stop(&s);
}

Test(key, a_node_without_a_key_serves_but_has_no_did_document)
{
	struct test_server s;
	struct test_response r;

	test_server_prepare(&s);
	cr_assert_eq(unlink(s.key_path), 0);
	test_server_spawn(&s, NULL);
	test_http(&s, "GET", "/.well-known/did.json", NULL, NULL, &r);
	cr_assert_eq(r.status, 404, "%s", r.body);
	cr_assert(strstr(r.body, "caravan init"), "%s", r.body);
	test_response_free(&r);
	test_http(&s, "GET", "/healthz", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	test_response_free(&r);
	test_server_stop(&s);
}
