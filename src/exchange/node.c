/*
 * node.c — the node's key file and identity (see node.h).
 *
 * Design. The key file is the only place the secret key lives: not the
 * database (a copied or backed-up database must not carry the power to
 * sign for the administration), not the configuration. It is written only
 * by creating a new file (O_EXCL, 0600) and renaming it into place, so a
 * file is never half-written and never replaced by accident: init refuses
 * to touch an existing one. Loading refuses a file that other users can
 * read, as ssh does, since whoever reads it can sign as the node.
 *
 * Retired keys keep their public half only. Their signatures must still
 * verify (a credential signed last year is still a fact), but there is no
 * reason to keep the power to make new ones.
 */
#include "exchange/node.h"

#include "base/file.h"
#include "base/mem.h"
#include "exchange/jcs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_MODE 0600
#define KEY_NUMBER_MAX 999999999
#define SQLITE_PREFIX "sqlite:"

int exchange_node_key_path(const struct cv_config *config, char *out, size_t size,
			   struct cv_error *err)
{
	const char *db = config->db + strlen(SQLITE_PREFIX);
	size_t len;
	int n;

	if (config->node_key[0])
		n = snprintf(out, size, "%s", config->node_key);
	else if (strncmp(config->db, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) != 0 || !*db ||
		 *db == ':')
		return cv_error_set(err, CV_EINVAL, "node_key",
				    "set node_key to the path of the node's key file (there is no "
				    "SQLite database beside which to keep it)");
	else if ((len = strlen(db)) > 3 && strcmp(db + len - 3, ".db") == 0)
		n = snprintf(out, size, "%.*s.key", (int)(len - 3), db);
	else
		n = snprintf(out, size, "%s.key", db);
	if (n < 0 || (size_t)n >= size)
		return cv_error_set(err, CV_EINVAL, "node_key", "the key file's path is too long");
	return CV_OK;
}

int exchange_node_did(const struct cv_config *config, char *out, size_t size, struct cv_error *err)
{
	struct cv_buf did;
	int rc = CV_OK;

	if (config->node_did[0]) {
		if (!exchange_did_web_valid(config->node_did))
			return cv_error_set(err, CV_EINVAL, "node_did",
					    "node_did must be a did:web (did:web:customs.kz), got "
					    "\"%s\"",
					    config->node_did);
		snprintf(out, size, "%s", config->node_did);
		return CV_OK;
	}
	cv_buf_init(&did);
	rc = exchange_did_web_from_url(config->public_url, &did, err);
	if (rc == CV_OK && did.len >= size)
		rc = cv_error_set(err, CV_EINVAL, "public_url", "the node's DID is too long");
	if (rc == CV_OK)
		snprintf(out, size, "%s", cv_buf_str(&did));
	cv_buf_release(&did);
	return rc;
}

/* "key-N" into N; CV_EINVAL for anything else. */
static int parse_key_id(const char *id, int *number)
{
	char *end;
	long n;

	if (!id || strncmp(id, "key-", 4) != 0 || id[4] < '1' || id[4] > '9')
		return CV_EINVAL;
	errno = 0;
	n = strtol(id + 4, &end, 10);
	if (errno || *end || n > KEY_NUMBER_MAX)
		return CV_EINVAL;
	*number = (int)n;
	return CV_OK;
}

/* An optional RFC 3339 member into out ("" when absent). */
static int read_date(const json_t *object, const char *name, char out[CV_RFC3339_MAX])
{
	const json_t *v = json_object_get(object, name);
	int64_t ms;

	out[0] = '\0';
	if (!v)
		return CV_OK;
	if (!json_is_string(v) || json_string_length(v) >= CV_RFC3339_MAX ||
	    cv_clock_parse_rfc3339(json_string_value(v), &ms))
		return CV_EINVAL;
	snprintf(out, CV_RFC3339_MAX, "%s", json_string_value(v));
	return CV_OK;
}

/* Read the retired keys of a key file into node->keys[1..]. */
static int read_retired(const char *path, const json_t *list, struct exchange_node *node,
			struct cv_error *err)
{
	size_t i;
	json_t *entry;

	if (list && !json_is_array(list))
		return cv_error_set(err, CV_EINVAL, "retiredKeys", "%s: retiredKeys is not a list",
				    path);
	json_array_foreach(list, i, entry) {
		struct exchange_node_key *k = &node->keys[node->nkeys];
		const char *multibase = json_string_value(
			json_object_get(entry, "publicKeyMultibase"));

		if (node->nkeys >= EXCHANGE_NODE_KEYS_MAX)
			return cv_error_set(err, CV_EINVAL, "retiredKeys",
					    "%s holds more than %d keys", path,
					    EXCHANGE_NODE_KEYS_MAX);
		if (parse_key_id(json_string_value(json_object_get(entry, "keyId")), &k->number) ||
		    !multibase || exchange_key_public_from_multibase(multibase, k->public_key) ||
		    read_date(entry, "created", k->created) ||
		    read_date(entry, "retired", k->retired))
			return cv_error_set(err, CV_EINVAL, "retiredKeys",
					    "%s: retired key %zu needs a keyId \"key-N\", an Ed25519 "
					    "publicKeyMultibase and RFC 3339 dates",
					    path, i + 1);
		for (size_t j = 0; j < node->nkeys; j++)
			if (node->keys[j].number == k->number)
				return cv_error_set(err, CV_EINVAL, "retiredKeys",
						    "%s names key-%d twice", path, k->number);
		if (!k->retired[0])
			snprintf(k->retired, sizeof(k->retired), "%s",
				 k->created[0] ? k->created : "1970-01-01T00:00:00Z");
		node->nkeys++;
	}
	return CV_OK;
}

/*
 * Parse a key file's JSON into node's keys. A plain keyPair.json (no keyId)
 * is key-1: a node may start from a key made elsewhere.
 */
static int parse_key_file(const char *path, const json_t *file, struct exchange_node *node,
			  struct cv_error *err)
{
	const json_t *id = json_object_get(file, "keyId");
	struct exchange_node_key *current = &node->keys[0];
	int rc;

	node->nkeys = 0;
	rc = exchange_key_from_json(file, &node->signing, err);
	if (rc) {
		char message[CV_ERROR_MESSAGE_MAX];

		snprintf(message, sizeof(message), "%s", err ? err->message : "");
		return cv_error_set(err, rc, err ? err->field : NULL, "%s: %s", path, message);
	}
	if (!node->signing.has_secret)
		return cv_error_set(err, CV_EINVAL, "secretKeyMultibase",
				    "%s has no secretKeyMultibase: the node cannot sign with it",
				    path);
	current->number = 1;
	if (id && parse_key_id(json_string_value(id), &current->number))
		return cv_error_set(err, CV_EINVAL, "keyId", "%s: keyId must be \"key-N\"", path);
	if (read_date(file, "created", current->created))
		return cv_error_set(err, CV_EINVAL, "created",
				    "%s: created is not an RFC 3339 date and time", path);
	current->retired[0] = '\0';
	memcpy(current->public_key, node->signing.public_key, sizeof(current->public_key));
	node->nkeys = 1;
	return read_retired(path, json_object_get(file, "retiredKeys"), node, err);
}

/* Read and parse the key file at path into node. */
static int load_key_file(const char *path, struct exchange_node *node, struct cv_error *err)
{
	struct stat st;
	json_t *file = NULL;
	char *text = NULL;
	size_t size;
	int rc;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return cv_error_set(err, CV_ENOTFOUND, "node_key",
					    "there is no node key at %s: run caravan init (it "
					    "creates one), or set node_key",
					    path);
		return cv_error_set(err, CV_EIO, "node_key", "cannot read %s: %s", path,
				    strerror(errno));
	}
	if (st.st_mode & 077)
		return cv_error_set(err, CV_EINVAL, "node_key",
				    "%s can be read by other users (mode %03o): whoever reads it "
				    "can sign as this node; run chmod 600 %s",
				    path, (unsigned)(st.st_mode & 0777), path);
	rc = cv_file_read(path, EXCHANGE_KEY_FILE_MAX, "node_key", &text, &size, err);
	if (rc == CV_OK)
		rc = exchange_jcs_parse(text, size, path, &file, err);
	if (rc == CV_OK)
		rc = parse_key_file(path, file, node, err);
	if (text) {
		sodium_memzero(text, size);
		cv_free(text);
	}
	json_decref(file);
	return rc;
}

/* Write text to a new file at path (O_EXCL, mode 0600), synced. */
static int write_new_file(const char *path, const char *text, struct cv_error *err)
{
	size_t len = strlen(text), done = 0;
	int saved, fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, KEY_FILE_MODE);

	if (fd < 0)
		return errno == EEXIST
			       ? cv_error_set(err, CV_ECONFLICT, "node_key",
					      "%s exists already: it is never overwritten", path)
			       : cv_error_set(err, CV_EIO, "node_key", "cannot create %s: %s", path,
					      strerror(errno));
	/* The umask may have taken bits away, never added: make it exactly 0600. */
	if (fchmod(fd, KEY_FILE_MODE) != 0)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return CV_OK;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(path);
	return cv_error_set(err, CV_EIO, "node_key", "cannot write %s: %s", path, strerror(saved));
}

/* Sync the folder holding path, so that a new or renamed entry survives a crash. */
static void sync_folder(const char *path)
{
	char *copy = cv_strdup(path);
	int fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	cv_free(copy);
}

/* The key file's text for current (key-number, created now) and the retired keys. */
static int key_file_text(const struct exchange_key *current, int number, const char *created,
			 json_t *retired, char **text)
{
	struct cv_buf public_key, secret_key;
	json_t *file = NULL;
	int rc;

	*text = NULL;
	cv_buf_init(&public_key);
	cv_buf_init(&secret_key);
	rc = exchange_key_multibase(current->public_key, &public_key);
	if (rc == CV_OK)
		rc = exchange_key_secret_multibase(current, &secret_key);
	if (rc == CV_OK) {
		file = json_pack("{s:o, s:s, s:s, s:s, s:O}", "keyId",
				 json_sprintf("key-%d", number), "publicKeyMultibase",
				 cv_buf_str(&public_key), "secretKeyMultibase",
				 cv_buf_str(&secret_key), "created", created, "retiredKeys",
				 retired);
	}
	if (rc == CV_OK && file)
		*text = json_dumps(file, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (rc == CV_OK && !*text)
		rc = CV_ENOMEM;
	json_decref(file);
	sodium_memzero(secret_key.data, secret_key.cap);
	cv_buf_release(&secret_key);
	cv_buf_release(&public_key);
	return rc;
}

/* Append a newline to text and free it after writing to a new file. */
static int write_key_text(const char *path, char *text, struct cv_error *err)
{
	size_t len = strlen(text);
	char *line = cv_malloc(len + 2);
	int rc;

	if (!line) {
		sodium_memzero(text, len);
		free(text);
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	}
	memcpy(line, text, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	sodium_memzero(text, len);
	free(text);
	rc = write_new_file(path, line, err);
	sodium_memzero(line, len + 1);
	cv_free(line);
	return rc;
}

int exchange_node_key_create(const char *path, struct cv_error *err)
{
	struct exchange_key key;
	char now[CV_RFC3339_MAX], *text;
	json_t *retired = json_array();
	int rc;

	if (!retired)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	if (access(path, F_OK) == 0) {
		json_decref(retired);
		return cv_error_set(err, CV_ECONFLICT, "node_key",
				    "%s exists already: it is never overwritten", path);
	}
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = exchange_key_generate(&key);
	if (rc == CV_OK)
		rc = key_file_text(&key, 1, now, retired, &text);
	sodium_memzero(&key, sizeof(key));
	json_decref(retired);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot make a key: %s", cv_strerror(rc));
	rc = write_key_text(path, text, err);
	if (rc == CV_OK)
		sync_folder(path);
	return rc;
}

/* The retired keys of a key file after rotating node's current key out at now. */
static json_t *retired_after_rotation(const struct exchange_node *node, const char *now)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < node->nkeys; i++) {
		const struct exchange_node_key *k = &node->keys[i];
		struct cv_buf multibase;
		json_t *entry;

		cv_buf_init(&multibase);
		if (exchange_key_multibase(k->public_key, &multibase)) {
			cv_buf_release(&multibase);
			json_decref(list);
			return NULL;
		}
		entry = json_pack("{s:s, s:s}", "publicKeyMultibase", cv_buf_str(&multibase),
				  "retired", i == 0 ? now : k->retired);
		cv_buf_release(&multibase);
		if (entry && k->created[0])
			json_object_set_new(entry, "created", json_string(k->created));
		if (!entry ||
		    json_object_set_new(entry, "keyId", json_sprintf("key-%d", k->number)) ||
		    json_array_append_new(list, entry)) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

int exchange_node_key_rotate(const char *path, int *number, struct cv_error *err)
{
	struct exchange_node *node = cv_calloc(1, sizeof(*node));
	struct exchange_key key;
	char now[CV_RFC3339_MAX], staged[CV_CONFIG_STR + 8], *text = NULL;
	json_t *retired = NULL;
	int rc, highest = 0;

	memset(&key, 0, sizeof(key));
	if (!node)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	rc = load_key_file(path, node, err);
	if (rc)
		goto out;
	if (node->nkeys >= EXCHANGE_NODE_KEYS_MAX) {
		rc = cv_error_set(err, CV_EINVAL, "node_key",
				  "%s holds %d keys, the most a key file keeps", path,
				  EXCHANGE_NODE_KEYS_MAX);
		goto out;
	}
	for (size_t i = 0; i < node->nkeys; i++)
		if (node->keys[i].number > highest)
			highest = node->keys[i].number;
	if (highest >= KEY_NUMBER_MAX) {
		rc = cv_error_set(err, CV_EINVAL, "node_key", "%s: no key number is left", path);
		goto out;
	}
	if (snprintf(staged, sizeof(staged), "%s.new", path) >= (int)sizeof(staged)) {
		rc = cv_error_set(err, CV_EINVAL, "node_key", "the key file's path is too long");
		goto out;
	}
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	retired = retired_after_rotation(node, now);
	rc = retired ? exchange_key_generate(&key) : CV_ENOMEM;
	if (rc == CV_OK)
		rc = key_file_text(&key, highest + 1, now, retired, &text);
	if (rc) {
		rc = cv_error_set(err, rc, NULL, "cannot make a key: %s", cv_strerror(rc));
		goto out;
	}
	rc = write_key_text(staged, text, err);
	if (rc == CV_ECONFLICT) {
		rc = cv_error_set(err, CV_ECONFLICT, "node_key",
				  "%s exists: an earlier rotation stopped half-way; check that %s "
				  "is the key in use, remove %s and rotate again",
				  staged, path, staged);
		goto out;
	}
	if (rc)
		goto out;
	if (rename(staged, path) != 0) {
		rc = cv_error_set(err, CV_EIO, "node_key", "cannot replace %s: %s", path,
				  strerror(errno));
		unlink(staged);
		goto out;
	}
	sync_folder(path);
	*number = highest + 1;
out:
	sodium_memzero(&key, sizeof(key));
	json_decref(retired);
	exchange_node_free(node);
	return rc;
}

int exchange_node_open(const struct cv_config *config, struct exchange_node **out,
		       struct cv_error *err)
{
	struct exchange_node *node = cv_calloc(1, sizeof(*node));
	size_t url_len = strlen(config->public_url);
	int rc;

	*out = NULL;
	if (!node)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	rc = exchange_node_key_path(config, node->key_path, sizeof(node->key_path), err);
	if (rc == CV_OK)
		rc = exchange_node_did(config, node->did, sizeof(node->did), err);
	if (rc == CV_OK)
		rc = load_key_file(node->key_path, node, err);
	if (rc) {
		exchange_node_free(node);
		return rc;
	}
	snprintf(node->country, sizeof(node->country), "%s", config->node_country);
	while (url_len && config->public_url[url_len - 1] == '/')
		url_len--;
	snprintf(node->inbox_url, sizeof(node->inbox_url), "%.*s%s", (int)url_len,
		 config->public_url, EXCHANGE_INBOX_PATH);
	*out = node;
	return CV_OK;
}

void exchange_node_free(struct exchange_node *node)
{
	if (!node)
		return;
	sodium_memzero(node, sizeof(*node));
	cv_free(node);
}

int exchange_node_verification_method(const struct exchange_node *node, struct cv_buf *out)
{
	return cv_buf_addf(out, "%s#key-%d", node->did, node->keys[0].number);
}

int exchange_node_did_document(const struct exchange_node *node, json_t **out)
{
	json_t *keys = json_array(), *authentication = NULL, *service;
	int rc = keys ? CV_OK : CV_ENOMEM;

	*out = NULL;
	for (size_t i = 0; rc == CV_OK && i < node->nkeys; i++) {
		struct cv_buf multibase;

		cv_buf_init(&multibase);
		rc = exchange_key_multibase(node->keys[i].public_key, &multibase);
		if (rc == CV_OK &&
		    json_array_append_new(keys,
					  json_pack("{s:o, s:s}", "id",
						    json_sprintf("key-%d", node->keys[i].number),
						    "publicKeyMultibase", cv_buf_str(&multibase))))
			rc = CV_ENOMEM;
		cv_buf_release(&multibase);
	}
	if (rc == CV_OK) {
		authentication = json_pack("[o]", json_sprintf("key-%d", node->keys[0].number));
		rc = authentication
			     ? exchange_did_document_build(node->did, keys, authentication, out)
			     : CV_ENOMEM;
	}
	if (rc == CV_OK) {
		service = json_pack("[{s:o, s:s, s:s}]", "id",
				    json_sprintf("%s#exchange", node->did), "type",
				    "CaravanExchangeInbox", "serviceEndpoint", node->inbox_url);
		if (!service || json_object_set_new(*out, "service", service))
			rc = CV_ENOMEM;
	}
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(authentication);
	json_decref(keys);
	return rc;
}

int exchange_node_sign(const struct exchange_node *node, const json_t *document, int64_t now_ms,
		       json_t **secured, struct cv_error *err)
{
	struct exchange_proof_options options = {NULL, NULL, EXCHANGE_PROOF_PURPOSE_DEFAULT};
	char created[CV_RFC3339_MAX];
	struct cv_buf method;
	int rc;

	*secured = NULL;
	cv_buf_init(&method);
	if (exchange_node_verification_method(node, &method))
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	cv_clock_format_rfc3339(now_ms, created, sizeof(created));
	options.verification_method = cv_buf_str(&method);
	options.created = created;
	rc = exchange_credential_sign(document, &node->signing, &options, secured, err);
	cv_buf_release(&method);
	return rc;
}
