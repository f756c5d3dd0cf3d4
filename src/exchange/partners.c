/*
 * partners.c — the partner registry (see partners.h).
 *
 * Design. Input is checked whole before anything is written: each member
 * is read into struct partner_input, every fault appended to errors, and
 * only a clean input reaches the SQL. Keys are normalized on the way in
 * (the fragment "key-1" whether the caller wrote it so or as
 * DID#key-1, or sent the whole DID document), so that the inbox compares
 * like with like. A partner's DID document is rebuilt from its rows on
 * each message: the rows are the truth, the document only the form the
 * verifier reads.
 */
#include "exchange/partners.h"

#include "base/clock.h"
#include "base/mem.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FRAGMENT_MAX 64

static const char *const agreement_names[EXCHANGE_AGREEMENT_COUNT] = {
	[EXCHANGE_MRA] = "mra",
	[EXCHANGE_ADVANCE_CARGO] = "advance_cargo",
	[EXCHANGE_CERTIFICATES_OF_ORIGIN] = "certificates_of_origin",
};

static const char *const aeo_types[] = {"AEOC", "AEOS", "AEOF", NULL};

const char *exchange_agreement_name(enum exchange_agreement_kind kind)
{
	return (unsigned)kind < EXCHANGE_AGREEMENT_COUNT ? agreement_names[kind] : "unknown";
}

static void add_error(json_t *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_error(json_t *errors, const char *field, const char *fmt, ...)
{
	char message[CV_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

/* What a create or an update asks for, checked. */
struct partner_input {
	const char *country, *name, *did, *status;
	char endpoint[EXCHANGE_ENDPOINT_MAX + 1];
	char did_buf[EXCHANGE_DID_MAX];
	json_t *keys; /* [{id, publicKeyMultibase}], owned; NULL: not sent */
	/* Mutual TLS: sent (1), with the fingerprint normalized ("" to require none). */
	int tls_sent;
	char tls_certificate[EXCHANGE_TLS_SHA256_HEX + 1];
	const json_t *agreements; /* checked; NULL: not sent */
};

/* A string member of at most max bytes; NULL (and an error when required or wrong) otherwise. */
static const char *text(const json_t *input, const char *name, size_t max, int required,
			json_t *errors)
{
	const json_t *v = json_object_get(input, name);

	if (!v || json_is_null(v)) {
		if (required)
			add_error(errors, name, "is required");
		return NULL;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		add_error(errors, name, "must be a string");
		return NULL;
	}
	if (json_string_length(v) > max) {
		add_error(errors, name, "must be at most %zu characters", max);
		return NULL;
	}
	if (required && !json_string_length(v)) {
		add_error(errors, name, "must not be empty");
		return NULL;
	}
	return json_string_value(v);
}

static int known_country(struct store_conn *conn, const char *code, int *known)
{
	struct store_stmt *stmt = NULL;
	int rc = store_query_row(conn, &stmt, "SELECT 1 FROM countries WHERE code = $1", "t", code);

	*known = rc == CV_OK;
	if (rc == CV_OK)
		store_finish(stmt);
	return rc == CV_ENOTFOUND ? CV_OK : rc;
}

static int read_country(struct store_conn *conn, const struct exchange_registry_context *ctx,
			const json_t *input, struct partner_input *in, json_t *errors)
{
	int known = 0, rc;

	in->country = text(input, "country", 2, 1, errors);
	if (!in->country)
		return CV_OK;
	rc = known_country(conn, in->country, &known);
	if (rc)
		return rc;
	if (!known)
		add_error(errors, "country",
			  "\"%s\" is not an ISO 3166 alpha-2 code this node knows", in->country);
	else if (ctx->node_country && strcmp(in->country, ctx->node_country) == 0)
		add_error(errors, "country",
			  "%s is this node's own country: a partner is another administration",
			  in->country);
	return CV_OK;
}

static void read_endpoint(const json_t *input, int required, struct partner_input *in,
			  json_t *errors)
{
	const char *url = text(input, "endpoint", EXCHANGE_ENDPOINT_MAX, required, errors);
	struct cv_buf did;
	struct cv_error err;
	size_t len;

	if (!url)
		return;
	cv_buf_init(&did);
	/* The shape did:web can name is the shape an endpoint may have. */
	if (exchange_did_web_from_url(url, &did, &err)) {
		add_error(errors, "endpoint",
			  "must be the partner node's base URL, https://HOST[:PORT][/PATH] without "
			  "user, query or fragment (messages go to ENDPOINT/api/v1/exchange/inbox)");
	} else {
		len = strlen(url);
		while (len && url[len - 1] == '/')
			len--;
		snprintf(in->endpoint, sizeof(in->endpoint), "%.*s", (int)len, url);
	}
	cv_buf_release(&did);
}

/* Is fragment a key id: 1 to FRAGMENT_MAX letters, digits, - _ . */
static int fragment_valid(const char *fragment)
{
	size_t n = strlen(fragment);

	if (n == 0 || n > FRAGMENT_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)fragment[i]) && !strchr("-_.", fragment[i]))
			return 0;
	return 1;
}

/* The keys member: [{id, publicKeyMultibase}] into in->keys, normalized. */
static void read_keys(const json_t *list, const char *did, struct partner_input *in, json_t *errors)
{
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
	size_t i, did_len = did ? strlen(did) : 0;
	json_t *key;
	char field[64];

	if (!json_is_array(list) || !json_array_size(list) ||
	    json_array_size(list) > EXCHANGE_PARTNER_KEYS_MAX) {
		add_error(errors, "keys",
			  "must be a list of 1 to %d keys {\"id\": \"key-1\", \"publicKeyMultibase\": "
			  "\"z6Mk...\"}",
			  EXCHANGE_PARTNER_KEYS_MAX);
		return;
	}
	in->keys = json_array();
	json_array_foreach(list, i, key) {
		const char *id = json_string_value(json_object_get(key, "id"));
		const char *multibase = json_string_value(json_object_get(key, "publicKeyMultibase"));

		/* DID#key-1 is the same key as key-1. */
		if (id && did && strncmp(id, did, did_len) == 0 && id[did_len] == '#')
			id += did_len + 1;
		else if (id && id[0] == '#')
			id++;
		snprintf(field, sizeof(field), "keys[%zu].id", i);
		if (!json_is_object(key) || !id || !fragment_valid(id)) {
			add_error(errors, field,
				  "must be the key's id: key-1, or DID#key-1 (letters, digits, - _ "
				  ".)");
			continue;
		}
		for (size_t j = 0; j < json_array_size(in->keys); j++)
			if (!strcmp(json_string_value(
					    json_object_get(json_array_get(in->keys, j), "id")),
				    id))
				add_error(errors, field, "%s is listed twice", id);
		snprintf(field, sizeof(field), "keys[%zu].publicKeyMultibase", i);
		if (!multibase || exchange_key_public_from_multibase(multibase, public_key)) {
			add_error(errors, field,
				  "must be an Ed25519 public key in Multikey form (z6Mk...)");
			continue;
		}
		json_array_append_new(in->keys, json_pack("{s:s, s:s}", "id", id,
							  "publicKeyMultibase", multibase));
	}
}

/* did and keys, or did_document. */
static void read_identity(const json_t *input, int creating, struct partner_input *in,
			  json_t *errors)
{
	const json_t *document = json_object_get(input, "did_document");
	const json_t *keys = json_object_get(input, "keys");
	struct cv_error err;

	if (creating)
		in->did = text(input, "did", EXCHANGE_DID_MAX - 1, !document, errors);
	else if (json_object_get(input, "did"))
		add_error(errors, "did", "the DID cannot change; register the partner anew");
	if (in->did && !exchange_did_web_valid(in->did))
		add_error(errors, "did", "must be a did:web (did:web:customs.uz)");
	if (document && keys) {
		add_error(errors, "did_document", "send keys or did_document, not both");
		return;
	}
	if (document) {
		const char *id = json_string_value(json_object_get(document, "id"));

		in->keys = json_array();
		cv_error_clear(&err);
		if (exchange_did_document_keys(document, in->keys, &err)) {
			add_error(errors, err.field[0] ? err.field : "did_document", "%s",
				  err.message);
			return;
		}
		if (!exchange_did_web_valid(id)) {
			add_error(errors, "did_document.id",
				  "must be a did:web (did:web:customs.uz)");
			return;
		}
		if (creating && in->did && strcmp(in->did, id) != 0)
			add_error(errors, "did_document.id", "is not the did sent (%s)", in->did);
		if (creating && !in->did) {
			snprintf(in->did_buf, sizeof(in->did_buf), "%s", id);
			in->did = in->did_buf;
		}
		return;
	}
	if (keys)
		read_keys(keys, in->did, in, errors);
	else if (creating)
		add_error(errors, "keys", "is required (or send the partner's did_document)");
}

/* A date member of an agreement into out; "" when absent and not required. */
static int read_date(const json_t *agreement, const char *kind, const char *name, int required,
		     char out[CV_DATE_MAX], json_t *errors)
{
	const json_t *v = json_object_get(agreement, name);
	char field[64];
	int64_t days;

	out[0] = '\0';
	snprintf(field, sizeof(field), "agreements.%s.%s", kind, name);
	if (!v || json_is_null(v)) {
		if (required)
			add_error(errors, field, "is required (YYYY-MM-DD)");
		return !required;
	}
	if (!json_is_string(v) || cv_date_parse(json_string_value(v), &days)) {
		add_error(errors, field, "must be a date YYYY-MM-DD");
		return 0;
	}
	snprintf(out, CV_DATE_MAX, "%s", json_string_value(v));
	return 1;
}

static int listed(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(v, *list))
			return 1;
	return 0;
}

/* The aeo_types of an MRA: a list of AEOC, AEOS, AEOF, each once. */
static void read_aeo_types(const json_t *agreement, json_t *errors)
{
	const json_t *types = json_object_get(agreement, "aeo_types");
	size_t i;
	json_t *t;

	if (!json_is_array(types) || !json_array_size(types)) {
		add_error(errors, "agreements.mra.aeo_types",
			  "must list the AEO types the MRA recognises: AEOC, AEOS, AEOF");
		return;
	}
	json_array_foreach(types, i, t) {
		const char *type = json_string_value(t);

		if (!type || !listed(type, aeo_types)) {
			add_error(errors, "agreements.mra.aeo_types", "must be AEOC, AEOS or AEOF");
			return;
		}
		for (size_t j = 0; j < i; j++)
			if (json_equal(t, json_array_get(types, j))) {
				add_error(errors, "agreements.mra.aeo_types", "lists %s twice",
					  type);
				return;
			}
	}
}

static void read_agreement(const char *kind, const json_t *agreement, json_t *errors)
{
	char since[CV_DATE_MAX], until[CV_DATE_MAX], field[64];
	const char *member;
	const json_t *v;

	if (json_is_null(agreement))
		return;
	snprintf(field, sizeof(field), "agreements.%s", kind);
	if (!json_is_object(agreement)) {
		add_error(errors, field, "must be {\"since\": DATE, ...} or null for none");
		return;
	}
	json_object_foreach((json_t *)agreement, member, v) {
		if (strcmp(member, "since") && strcmp(member, "until") &&
		    (strcmp(kind, "mra") || strcmp(member, "aeo_types"))) {
			snprintf(field, sizeof(field), "agreements.%s.%.32s", kind, member);
			add_error(errors, field,
				  "is not a member of this agreement (since, until%s)",
				  strcmp(kind, "mra") ? "" : ", aeo_types");
		}
	}
	if (read_date(agreement, kind, "since", 1, since, errors) &&
	    read_date(agreement, kind, "until", 0, until, errors) && until[0] &&
	    strcmp(until, since) < 0) {
		snprintf(field, sizeof(field), "agreements.%s.until", kind);
		add_error(errors, field, "is before since");
	}
	if (!strcmp(kind, "mra"))
		read_aeo_types(agreement, errors);
}

static void read_agreements(const json_t *input, struct partner_input *in, json_t *errors)
{
	const json_t *agreements = json_object_get(input, "agreements"), *v;
	const char *kind;
	char field[64];

	if (!agreements || json_is_null(agreements))
		return;
	if (!json_is_object(agreements)) {
		add_error(errors, "agreements",
			  "must be an object of mra, advance_cargo, certificates_of_origin");
		return;
	}
	json_object_foreach((json_t *)agreements, kind, v) {
		int known = 0;

		for (int k = 0; k < EXCHANGE_AGREEMENT_COUNT; k++)
			known |= !strcmp(kind, agreement_names[k]);
		if (!known) {
			snprintf(field, sizeof(field), "agreements.%.32s", kind);
			add_error(errors, field,
				  "unknown agreement; use mra, advance_cargo, certificates_of_origin");
			continue;
		}
		read_agreement(kind, v, errors);
	}
	in->agreements = agreements;
}

/* Members a partner does not have are named, so that a typo is not silently dropped. */
static void refuse_unknown(const json_t *input, json_t *errors)
{
	static const char *const members[] =
		{"country",    "name",         "endpoint",
		 "did",        "keys",         "status",
		 "agreements", "did_document", "tls_certificate_sha256",
		 NULL};
	const char *name;
	const json_t *v;
	char field[64];

	json_object_foreach((json_t *)input, name, v) {
		if (!listed(name, members)) {
			snprintf(field, sizeof(field), "%.60s", name);
			add_error(errors, field, "is not a member of a partner");
		}
	}
}

/*
 * tls_certificate_sha256: the SHA-256 of the partner's client certificate,
 * 64 hex digits (as sha256sum prints it, or as openssl -fingerprint does,
 * with colons), or null (or "") to require no certificate.
 */
static void read_tls(const json_t *input, struct partner_input *in, json_t *errors)
{
	const json_t *v = json_object_get(input, "tls_certificate_sha256");
	const char *s = json_string_value(v);
	size_t n = 0;

	if (!v)
		return;
	in->tls_sent = 1;
	if (json_is_null(v))
		return;
	for (; s && *s && n <= EXCHANGE_TLS_SHA256_HEX; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s))
			break;
		in->tls_certificate[n++] = (char)tolower((unsigned char)*s);
	}
	in->tls_certificate[n < sizeof(in->tls_certificate) ? n : 0] = '\0';
	if (!s || *s || (n != 0 && n != EXCHANGE_TLS_SHA256_HEX)) {
		in->tls_certificate[0] = '\0';
		add_error(errors, "tls_certificate_sha256",
			  "must be the SHA-256 of the partner's client certificate: 64 hex digits "
			  "(openssl x509 -in cert.pem -outform DER | sha256sum), or null");
	}
}

/* Read and check every member of input into in (in->keys is the caller's to free). */
static int read_input(struct store_conn *conn, const struct exchange_registry_context *ctx,
		      const json_t *input, int creating, struct partner_input *in, json_t *errors)
{
	int rc = CV_OK;

	memset(in, 0, sizeof(*in));
	if (!json_is_object(input)) {
		add_error(errors, "", "a partner is a JSON object");
		return CV_EINVAL;
	}
	refuse_unknown(input, errors);
	if (creating)
		rc = read_country(conn, ctx, input, in, errors);
	else if (json_object_get(input, "country"))
		add_error(errors, "country", "the country cannot change; register the partner anew");
	if (rc)
		return rc;
	in->name = text(input, "name", EXCHANGE_PARTNER_NAME_MAX * 4, creating, errors);
	if (!creating && json_object_get(input, "name") && in->name && !in->name[0])
		add_error(errors, "name", "must not be empty");
	read_endpoint(input, creating, in, errors);
	read_identity(input, creating, in, errors);
	if (in->did && ctx->node_did && !strcmp(in->did, ctx->node_did))
		add_error(errors, "did", "is this node's own DID");
	in->status = text(input, "status", 16, 0, errors);
	if (in->status && strcmp(in->status, "active") && strcmp(in->status, "inactive"))
		add_error(errors, "status", "must be active or inactive");
	read_agreements(input, in, errors);
	read_tls(input, in, errors);
	return json_array_size(errors) ? CV_EINVAL : CV_OK;
}

static int write_keys(struct store_conn *conn, const char *id, const json_t *keys)
{
	size_t i;
	json_t *key;
	int rc = store_execf(conn, NULL, "DELETE FROM exchange_partner_keys WHERE partner_id = $1",
			     "t", id);

	json_array_foreach(keys, i, key) {
		if (rc)
			break;
		rc = store_execf(conn, NULL,
				 "INSERT INTO exchange_partner_keys (partner_id, key_id, public_key)"
				 " VALUES ($1, $2, $3)",
				 "ttt", id, json_string_value(json_object_get(key, "id")),
				 json_string_value(json_object_get(key, "publicKeyMultibase")));
	}
	return rc;
}

static int write_agreements(struct store_conn *conn, const char *id, const json_t *agreements)
{
	const char *kind;
	const json_t *a;
	int rc = CV_OK;

	json_object_foreach((json_t *)agreements, kind, a) {
		const json_t *types = json_object_get(a, "aeo_types");
		size_t i;
		json_t *t;

		rc = store_execf(conn, NULL,
				 "DELETE FROM exchange_agreements WHERE partner_id = $1 AND kind = $2",
				 "tt", id, kind);
		if (!rc && !strcmp(kind, "mra"))
			rc = store_execf(conn, NULL,
					 "DELETE FROM exchange_mra_types WHERE partner_id = $1",
					 "t", id);
		if (!rc && !json_is_null(a))
			rc = store_execf(conn, NULL,
					 "INSERT INTO exchange_agreements (partner_id, kind, since, until)"
					 " VALUES ($1, $2, $3, $4)",
					 "tttt", id, kind,
					 json_string_value(json_object_get(a, "since")),
					 json_string_value(json_object_get(a, "until")));
		json_array_foreach(json_is_null(a) ? NULL : types, i, t) {
			if (rc)
				break;
			rc = store_execf(conn, NULL,
					 "INSERT INTO exchange_mra_types (partner_id, aeo_type)"
					 " VALUES ($1, $2)",
					 "tt", id, json_string_value(t));
		}
		if (rc)
			break;
	}
	return rc;
}

/* The partner's agreements as the API shows them: {kind: {since, until?, aeo_types?}}. */
static int agreements_json(struct store_conn *conn, const char *id, json_t *out)
{
	struct store_stmt *stmt = NULL;
	int rc = store_prepare(conn,
			       "SELECT kind, since, until FROM exchange_agreements WHERE partner_id = $1"
			       " ORDER BY kind",
			       &stmt);

	if (!rc)
		rc = store_bindf(stmt, "t", id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = json_object_set_new(out, store_col_text(stmt, 0),
					 json_pack("{s:s, s:s?}", "since", store_col_text(stmt, 1),
						   "until", store_col_text(stmt, 2)))
			     ? CV_ENOMEM
			     : CV_OK;
	}
	store_finish(stmt);
	stmt = NULL;
	if (rc < 0)
		return rc;
	if (!json_object_get(out, "mra"))
		return CV_OK;
	rc = store_prepare(conn,
			   "SELECT aeo_type FROM exchange_mra_types WHERE partner_id = $1"
			   " ORDER BY CASE aeo_type WHEN 'AEOC' THEN 1 WHEN 'AEOS' THEN 2 ELSE 3 END",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "t", id);
	{
		json_t *types = json_array();

		while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
			json_array_append_new(types, json_string(store_col_text(stmt, 0)));
			rc = CV_OK;
		}
		json_object_set_new(json_object_get(out, "mra"), "aeo_types", types);
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

/* The partner's keys: [{id, publicKeyMultibase}]. */
static int keys_json(struct store_conn *conn, const char *id, json_t *keys)
{
	struct store_stmt *stmt = NULL;
	int rc = store_prepare(conn,
			       "SELECT key_id, public_key FROM exchange_partner_keys WHERE partner_id = $1"
			       " ORDER BY key_id",
			       &stmt);

	if (!rc)
		rc = store_bindf(stmt, "t", id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW)
		rc = json_array_append_new(keys,
					   json_pack("{s:s, s:s}", "id", store_col_text(stmt, 0),
						     "publicKeyMultibase", store_col_text(stmt, 1)))
			     ? CV_ENOMEM
			     : CV_OK;
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

#define PARTNER_COLUMNS                                                                            \
	"id, country, name, endpoint, did, status, created_at, updated_at, tls_certificate"

/* The row at stmt as the API shows it, with keys and agreements. */
static int row_json(struct store_conn *conn, struct store_stmt *stmt, json_t **out)
{
	json_t *keys = json_array(), *agreements = json_object();
	char id[CV_UUID_STR];
	int rc;

	*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", store_col_text(stmt, 0),
			 "country", store_col_text(stmt, 1), "name", store_col_text(stmt, 2),
			 "endpoint", store_col_text(stmt, 3), "did", store_col_text(stmt, 4),
			 "status", store_col_text(stmt, 5), "created_at", store_col_text(stmt, 6),
			 "updated_at", store_col_text(stmt, 7));
	if (*out)
		json_object_set_new(*out, "tls_certificate_sha256",
				    *store_col_text(stmt, 8) ? json_string(store_col_text(stmt, 8))
							     : json_null());
	snprintf(id, sizeof(id), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	if (!*out || !keys || !agreements) {
		rc = CV_ENOMEM;
		goto out;
	}
	rc = keys_json(conn, id, keys);
	if (!rc)
		rc = agreements_json(conn, id, agreements);
	if (!rc && (json_object_set(*out, "keys", keys) ||
		    json_object_set(*out, "agreements", agreements)))
		rc = CV_ENOMEM;
out:
	json_decref(keys);
	json_decref(agreements);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int exchange_partner_get(struct store_conn *conn, const char *id_or_did, json_t **out)
{
	struct store_stmt *stmt = NULL;
	int rc = store_query_row(conn, &stmt,
				 "SELECT " PARTNER_COLUMNS
				 " FROM exchange_partners WHERE id = $1 OR did = $1",
				 "t", id_or_did);

	*out = NULL;
	return rc ? rc : row_json(conn, stmt, out);
}

int exchange_partner_load(struct store_conn *conn, const char *id_or_did,
			  struct exchange_partner *out)
{
	struct store_stmt *stmt = NULL;
	int rc = store_query_row(conn, &stmt,
				 "SELECT " PARTNER_COLUMNS
				 " FROM exchange_partners WHERE id = $1 OR did = $1",
				 "t", id_or_did);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	snprintf(out->id, sizeof(out->id), "%s", store_col_text(stmt, 0));
	snprintf(out->country, sizeof(out->country), "%s", store_col_text(stmt, 1));
	snprintf(out->name, sizeof(out->name), "%s", store_col_text(stmt, 2));
	snprintf(out->endpoint, sizeof(out->endpoint), "%s", store_col_text(stmt, 3));
	snprintf(out->did, sizeof(out->did), "%s", store_col_text(stmt, 4));
	out->active = !strcmp(store_col_text(stmt, 5), "active");
	snprintf(out->tls_certificate, sizeof(out->tls_certificate), "%s", store_col_text(stmt, 8));
	store_finish(stmt);
	return CV_OK;
}

int exchange_partner_create(struct store_conn *conn, const struct exchange_registry_context *ctx,
			    const json_t *input, json_t *errors, json_t **out, struct cv_error *err)
{
	struct partner_input in;
	char id[CV_UUID_STR], now[CV_RFC3339_MAX];
	struct store_stmt *stmt = NULL;
	int rc = read_input(conn, ctx, input, 1, &in, errors);

	*out = NULL;
	if (rc)
		goto out;
	if (store_query_row(conn, &stmt, "SELECT id FROM exchange_partners WHERE did = $1", "t",
			    in.did) == CV_OK) {
		rc = cv_error_set(err, CV_ECONFLICT, "did",
				  "%s is registered already (partner %s); change that one", in.did,
				  store_col_text(stmt, 0));
		store_finish(stmt);
		goto out;
	}
	cv_uuid7(id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO exchange_partners (id, country, name, endpoint, did, status,"
			 " created_at, updated_at, tls_certificate)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
			 "tttttttt", id, in.country, in.name, in.endpoint, in.did,
			 in.status ? in.status : "active", now, in.tls_certificate);
	if (!rc)
		rc = write_keys(conn, id, in.keys);
	if (!rc && in.agreements)
		rc = write_agreements(conn, id, in.agreements);
	if (!rc)
		rc = exchange_partner_get(conn, id, out);
out:
	json_decref(in.keys);
	return rc;
}

int exchange_partner_update(struct store_conn *conn, const struct exchange_registry_context *ctx,
			    const char *id, const json_t *input, json_t *errors, json_t **out,
			    struct cv_error *err)
{
	struct exchange_partner partner;
	struct partner_input in;
	char now[CV_RFC3339_MAX];
	int rc = exchange_partner_load(conn, id, &partner);

	*out = NULL;
	memset(&in, 0, sizeof(in));
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, NULL, "no partner with this id or DID");
	if (rc)
		return rc;
	rc = read_input(conn, ctx, input, 0, &in, errors);
	if (rc)
		goto out;
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "UPDATE exchange_partners SET name = COALESCE($2, name),"
			 " endpoint = COALESCE($3, endpoint), status = COALESCE($4, status),"
			 " updated_at = $5, tls_certificate = COALESCE($6, tls_certificate)"
			 " WHERE id = $1",
			 "tttttt", partner.id, in.name, in.endpoint[0] ? in.endpoint : NULL,
			 in.status, now, in.tls_sent ? in.tls_certificate : NULL);
	if (!rc && in.keys)
		rc = write_keys(conn, partner.id, in.keys);
	if (!rc && in.agreements)
		rc = write_agreements(conn, partner.id, in.agreements);
	if (!rc)
		rc = exchange_partner_get(conn, partner.id, out);
out:
	json_decref(in.keys);
	return rc;
}

int exchange_partner_deactivate(struct store_conn *conn, const struct exchange_registry_context *ctx,
				const char *id, json_t **out)
{
	struct exchange_partner partner;
	char now[CV_RFC3339_MAX];
	int rc = exchange_partner_load(conn, id, &partner);

	*out = NULL;
	if (rc)
		return rc;
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "UPDATE exchange_partners SET status = 'inactive', updated_at = $2"
			 " WHERE id = $1",
			 "tt", partner.id, now);
	return rc ? rc : exchange_partner_get(conn, partner.id, out);
}

int exchange_partners_list(struct store_conn *conn, const char *country, const char *status,
			   const char *after, int limit, json_t **items)
{
	json_t *ids = json_array();
	struct store_stmt *stmt = NULL;
	size_t i;
	json_t *id;
	int rc = store_prepare(conn,
			       "SELECT id FROM exchange_partners WHERE id > $1"
			       " AND ($2 = '' OR country = $2) AND ($3 = '' OR status = $3)"
			       " ORDER BY id LIMIT $4",
			       &stmt);

	*items = NULL;
	if (!rc)
		rc = store_bindf(stmt, "ttti", after, country ? country : "", status ? status : "",
				 (int64_t)limit);
	/* The ids first: no statement stays open while each partner is read. */
	while (!rc && (rc = store_step(stmt)) == STORE_ROW)
		rc = json_array_append_new(ids, json_string(store_col_text(stmt, 0))) ? CV_ENOMEM
										      : CV_OK;
	store_finish(stmt);
	if (rc < 0) {
		json_decref(ids);
		return rc;
	}
	*items = json_array();
	rc = *items ? CV_OK : CV_ENOMEM;
	json_array_foreach(ids, i, id) {
		json_t *partner;

		if (rc)
			break;
		rc = exchange_partner_get(conn, json_string_value(id), &partner);
		if (!rc)
			json_array_append_new(*items, partner);
	}
	json_decref(ids);
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	return rc;
}

int exchange_partner_did_document(struct store_conn *conn, const struct exchange_partner *partner,
				  json_t **out)
{
	json_t *keys = json_array();
	int rc = keys ? keys_json(conn, partner->id, keys) : CV_ENOMEM;

	*out = NULL;
	if (!rc)
		rc = exchange_did_document_build(partner->did, keys, NULL, out);
	json_decref(keys);
	return rc;
}

int exchange_tls_certificate_sha256(const char *pem, char out[EXCHANGE_TLS_SHA256_HEX + 1],
				    struct cv_error *err)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----",
			  end[] = "-----END CERTIFICATE-----";
	const char *from = strstr(pem, begin), *to = from ? strstr(from, end) : NULL;
	unsigned char digest[crypto_hash_sha256_BYTES], *der;
	size_t len = 0, max;
	int rc = CV_OK;

	out[0] = '\0';
	if (!to)
		return cv_error_set(err, CV_EINVAL, "tls_certificate",
				    "no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
	from += sizeof(begin) - 1;
	max = (size_t)(to - from);
	der = cv_malloc(max ? max : 1);
	if (!der)
		return CV_ENOMEM;
	if (sodium_base642bin(der, max, from, (size_t)(to - from), " \r\n\t", &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    !len)
		rc = cv_error_set(err, CV_EINVAL, "tls_certificate",
				  "the PEM certificate is not base64");
	else {
		crypto_hash_sha256(digest, der, len);
		sodium_bin2hex(out, EXCHANGE_TLS_SHA256_HEX + 1, digest, sizeof(digest));
	}
	cv_free(der);
	return rc;
}

int exchange_partner_verify(struct store_conn *conn, const struct exchange_partner *partner,
			    const json_t *document, struct cv_error *err)
{
	json_t *did_document = NULL;
	const json_t *documents[1];
	struct exchange_did_documents set = {documents, 1, 0};
	struct exchange_resolver resolver = {exchange_did_documents_resolve, &set};
	int rc = exchange_partner_did_document(conn, partner, &did_document);

	if (rc)
		return cv_error_set(err, rc, NULL, "cannot read the partner's keys");
	documents[0] = did_document;
	rc = exchange_credential_verify_with(document, &resolver, err);
	json_decref(did_document);
	return rc;
}

int exchange_partners_agreed(struct store_conn *conn, enum exchange_agreement_kind kind,
			     const char *aeo_type, const char *date, json_t **ids)
{
	struct store_stmt *stmt = NULL;
	int rc = store_prepare(conn,
			       "SELECT p.id FROM exchange_partners p JOIN exchange_agreements a"
			       " ON a.partner_id = p.id AND a.kind = $1"
			       " WHERE p.status = 'active' AND a.since <= $2"
			       " AND (a.until IS NULL OR a.until >= $2)"
			       " AND ($3 = '' OR $1 <> 'mra' OR EXISTS (SELECT 1 FROM exchange_mra_types t"
			       "  WHERE t.partner_id = p.id AND t.aeo_type = $3))"
			       " ORDER BY p.id",
			       &stmt);

	*ids = json_array();
	if (!*ids)
		rc = CV_ENOMEM;
	if (!rc)
		rc = store_bindf(stmt, "ttt", exchange_agreement_name(kind), date,
				 aeo_type ? aeo_type : "");
	while (!rc && (rc = store_step(stmt)) == STORE_ROW)
		rc = json_array_append_new(*ids, json_string(store_col_text(stmt, 0))) ? CV_ENOMEM
										       : CV_OK;
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*ids);
		*ids = NULL;
		return rc;
	}
	return CV_OK;
}
