/*
 * test_node_key.c — the node's key file (exchange/node.h): made once with
 * mode 0600 and never overwritten, readable by `caravan doc sign --key`,
 * refused when others can read it; a rotation makes a new current key and
 * keeps the old ones' public halves, so what they signed still verifies
 * against the node's DID document.
 */
#include "exchange/node.h"

#include "base/file.h"
#include "base/mem.h"
#include "exchange/jcs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/caravan-key-XXXXXX";
static struct cv_config config;
static char path[300];

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	cr_assert(mkdtemp(dir));
	cv_config_defaults(&config);
	snprintf(config.db, sizeof(config.db), "sqlite:%s/caravan.db", dir);
	snprintf(config.public_url, sizeof(config.public_url), "https://customs.kz");
	snprintf(path, sizeof(path), "%s/caravan.key", dir);
}

static void teardown(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(node_key, .init = setup, .fini = teardown);

/* The file's text (free it). */
static char *read_all(const char *p)
{
	char *data;
	size_t size;

	cr_assert_eq(cv_file_read(p, EXCHANGE_KEY_FILE_MAX, NULL, &data, &size, NULL), CV_OK);
	return data;
}

Test(node_key, the_key_file_is_beside_the_database_unless_configured)
{
	char out[CV_CONFIG_STR];
	struct cv_error err;

	cr_assert_eq(exchange_node_key_path(&config, out, sizeof(out), &err), CV_OK);
	cr_assert_str_eq(out, path);
	snprintf(config.db, sizeof(config.db), "sqlite:/srv/node");
	cr_assert_eq(exchange_node_key_path(&config, out, sizeof(out), &err), CV_OK);
	cr_assert_str_eq(out, "/srv/node.key");
	snprintf(config.db, sizeof(config.db), "postgresql://db/caravan");
	cr_assert_eq(exchange_node_key_path(&config, out, sizeof(out), &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "node_key");
	snprintf(config.node_key, sizeof(config.node_key), "/etc/caravan/node.key");
	cr_assert_eq(exchange_node_key_path(&config, out, sizeof(out), &err), CV_OK);
	cr_assert_str_eq(out, "/etc/caravan/node.key");
}

Test(node_key, the_node_did_is_configured_or_derived_from_public_url)
{
	char did[EXCHANGE_DID_MAX];
	struct cv_error err;

	cr_assert_eq(exchange_node_did(&config, did, sizeof(did), &err), CV_OK);
	cr_assert_str_eq(did, "did:web:customs.kz");
	snprintf(config.node_did, sizeof(config.node_did), "did:web:gov.kz:customs");
	cr_assert_eq(exchange_node_did(&config, did, sizeof(did), &err), CV_OK);
	cr_assert_str_eq(did, "did:web:gov.kz:customs");
	snprintf(config.node_did, sizeof(config.node_did), "did:key:z6Mk");
	cr_assert_eq(exchange_node_did(&config, did, sizeof(did), &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "node_did");
}

Test(node_key, a_new_key_file_has_mode_0600_and_is_a_key_pair_file)
{
	struct exchange_key key;
	struct stat st;
	struct cv_error err;
	json_t *file;
	char *text;

	umask(022);
	cr_assert_eq(exchange_node_key_create(path, &err), CV_OK, "%s", err.message);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	text = read_all(path);
	cr_assert_eq(exchange_jcs_parse(text, strlen(text), path, &file, &err), CV_OK);
	/* What caravan doc sign --key reads. */
	cr_assert_eq(exchange_key_from_json(file, &key, &err), CV_OK, "%s", err.message);
	cr_assert(key.has_secret);
	cr_assert_str_eq(json_string_value(json_object_get(file, "keyId")), "key-1");
	json_decref(file);
	cv_free(text);
}

Test(node_key, an_existing_key_file_is_never_overwritten)
{
	struct cv_error err;
	char *before, *after;

	cr_assert_eq(exchange_node_key_create(path, &err), CV_OK);
	before = read_all(path);
	cr_assert_eq(exchange_node_key_create(path, &err), CV_ECONFLICT);
	cr_assert(strstr(err.message, "never overwritten"), "%s", err.message);
	after = read_all(path);
	cr_assert_str_eq(before, after);
	cv_free(before);
	cv_free(after);
}

Test(node_key, a_key_file_others_can_read_is_refused)
{
	struct exchange_node *node;
	struct cv_error err;

	cr_assert_eq(exchange_node_open(&config, &node, &err), CV_ENOTFOUND);
	cr_assert(strstr(err.message, "caravan init"), "%s", err.message);
	cr_assert_eq(exchange_node_key_create(path, &err), CV_OK);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(exchange_node_open(&config, &node, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "chmod 600"), "%s", err.message);
	cr_assert_eq(chmod(path, 0600), 0);
	cr_assert_eq(exchange_node_open(&config, &node, &err), CV_OK, "%s", err.message);
	cr_assert_str_eq(node->did, "did:web:customs.kz");
	cr_assert_str_eq(node->inbox_url, "https://customs.kz/api/v1/exchange/inbox");
	cr_assert_eq(node->nkeys, 1);
	exchange_node_free(node);
}

Test(node_key, a_malformed_key_file_is_named)
{
	struct exchange_node *node;
	struct cv_error err;
	FILE *f = fopen(path, "w");

	cr_assert(f);
	fputs("{\"publicKeyMultibase\": \"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2\"}", f);
	fclose(f);
	cr_assert_eq(chmod(path, 0600), 0);
	cr_assert_eq(exchange_node_open(&config, &node, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "no secretKeyMultibase"), "%s", err.message);
	f = fopen(path, "w");
	fputs("{\"keyId\": \"key-0\", \"secretKeyMultibase\": "
	      "\"z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq\"}",
	      f);
	fclose(f);
	cr_assert_eq(exchange_node_open(&config, &node, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "keyId");
}

/* Sign a document as the node. */
static json_t *sign(const struct exchange_node *node, const char *what)
{
	json_t *doc = json_pack("{s:s, s:s}", "id", what, "issuer", node->did), *secured;
	struct cv_error err;

	cr_assert_eq(exchange_node_sign(node, doc, cv_clock_now_ms(), &secured, &err), CV_OK, "%s",
		     err.message);
	json_decref(doc);
	return secured;
}

/* Verify secured against the node's DID document. */
static int verify(const struct exchange_node *node, const json_t *secured, struct cv_error *err)
{
	json_t *document;
	const json_t *docs[1];
	struct exchange_did_documents set = {docs, 1, 0};
	struct exchange_resolver resolver = {exchange_did_documents_resolve, &set};
	int rc;

	cr_assert_eq(exchange_node_did_document(node, &document), CV_OK);
	docs[0] = document;
	rc = exchange_credential_verify_with(secured, &resolver, err);
	json_decref(document);
	return rc;
}

Test(node_key, rotation_keeps_what_old_keys_signed_verifying)
{
	struct exchange_node *first, *second, *third;
	struct cv_error err;
	json_t *old, *newer, *document, *file;
	char *text;
	int number;

	cr_assert_eq(exchange_node_key_create(path, &err), CV_OK);
	cr_assert_eq(exchange_node_open(&config, &first, &err), CV_OK);
	old = sign(first, "urn:uuid:signed-with-key-1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(old, "proof"),
							   "verificationMethod")),
			 "did:web:customs.kz#key-1");

	cr_assert_eq(exchange_node_key_rotate(path, &number, &err), CV_OK, "%s", err.message);
	cr_assert_eq(number, 2);
	cr_assert_eq(exchange_node_key_rotate(path, &number, &err), CV_OK, "%s", err.message);
	cr_assert_eq(number, 3);
	cr_assert_eq(exchange_node_open(&config, &second, &err), CV_OK, "%s", err.message);
	cr_assert_eq(second->nkeys, 3);
	cr_assert_eq(second->keys[0].number, 3);
	cr_assert_str_eq(second->keys[0].retired, "");
	cr_assert_eq(second->keys[2].number, 1);
	cr_assert_neq(second->keys[2].retired[0], '\0');
	cr_assert_eq(memcmp(second->keys[2].public_key, first->keys[0].public_key,
			    crypto_sign_PUBLICKEYBYTES),
		     0);
	/* The old signature verifies against the new document; the new one signs as key-3. */
	cr_assert_eq(verify(second, old, &err), CV_OK, "%s", err.message);
	newer = sign(second, "urn:uuid:signed-with-key-3");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(newer, "proof"),
							   "verificationMethod")),
			 "did:web:customs.kz#key-3");
	cr_assert_eq(verify(second, newer, &err), CV_OK, "%s", err.message);
	/* The first node's document knows nothing of key-3. */
	cr_assert_eq(verify(first, newer, &err), CV_ENOTFOUND);

	/* Retired keys keep no secret; only the current key authenticates. */
	text = read_all(path);
	cr_assert_eq(exchange_jcs_parse(text, strlen(text), path, &file, &err), CV_OK);
	cr_assert_eq(json_array_size(json_object_get(file, "retiredKeys")), 2);
	cr_assert_null(json_object_get(json_array_get(json_object_get(file, "retiredKeys"), 0),
				       "secretKeyMultibase"));
	cr_assert_null(strstr(text, "privateKeyMultibase"));
	cr_assert_eq(exchange_node_did_document(second, &document), CV_OK);
	cr_assert_eq(json_array_size(json_object_get(document, "assertionMethod")), 3);
	cr_assert_str_eq(json_string_value(
				 json_array_get(json_object_get(document, "authentication"), 0)),
			 "did:web:customs.kz#key-3");

	/* An interrupted rotation is named, not silently overwritten. */
	{
		char staged[320];
		FILE *f;

		snprintf(staged, sizeof(staged), "%s.new", path);
		f = fopen(staged, "w");
		fclose(f);
		cr_assert_eq(exchange_node_key_rotate(path, &number, &err), CV_ECONFLICT);
		cr_assert(strstr(err.message, "stopped half-way"), "%s", err.message);
		unlink(staged);
		cr_assert_eq(exchange_node_open(&config, &third, &err), CV_OK);
		cr_assert_eq(third->keys[0].number, 3, "the key in use is unchanged");
		exchange_node_free(third);
	}
	json_decref(document);
	json_decref(file);
	cv_free(text);
	json_decref(newer);
	json_decref(old);
	exchange_node_free(second);
	exchange_node_free(first);
}
