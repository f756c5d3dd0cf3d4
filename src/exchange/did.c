/*
 * did.c — see did.h.
 *
 * Design. Every lookup of a key, whether the node's own, a partner's from
 * the registry or an auditor's file, goes through one function,
 * exchange_did_document_key, over a DID document: the registry builds the
 * document from its rows (exchange_did_document_build) rather than having
 * a second lookup of its own, so the rules (the DID must match, the key
 * must be the DID's, and authorized for the proof's purpose) are written
 * once. Documents come from people and partners: every member is checked
 * for its type before use, and a failure names the member.
 */
#include "exchange/did.h"

#include <ctype.h>
#include <string.h>

#define FRAGMENT_MAX 64
#define ED25519_2020_TYPE "Ed25519VerificationKey2020"

/* Characters did:web allows in a host or path segment, besides letters and digits. */
static int did_web_char(char c) { return isalnum((unsigned char)c) || strchr(".-_~", c); }

int exchange_did_web_valid(const char *did)
{
	const char *p;

	if (strncmp(did, EXCHANGE_DID_WEB_PREFIX, strlen(EXCHANGE_DID_WEB_PREFIX)) != 0)
		return 0;
	p = did + strlen(EXCHANGE_DID_WEB_PREFIX);
	if (!*p || *p == ':' || strlen(did) >= EXCHANGE_DID_MAX)
		return 0;
	for (; *p; p++)
		if (!did_web_char(*p) && *p != '%' && *p != ':')
			return 0;
	return 1;
}

int exchange_did_web_from_url(const char *url, struct cv_buf *out, struct cv_error *err)
{
	const char *p, *host, *colon = NULL, *end;
	size_t start = out->len;
	int rc;

	if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return cv_error_set(err, CV_EINVAL, "public_url",
				    "public_url must start with https:// (or http://), got \"%s\"",
				    url);
	if (strpbrk(url, "?#@ "))
		return cv_error_set(err, CV_EINVAL, "public_url",
				    "public_url must be a plain https://HOST[:PORT][/PATH], without "
				    "user, query, fragment or spaces, got \"%s\"",
				    url);
	host = p;
	end = p + strcspn(p, "/");
	for (p = host; p < end; p++) {
		if (*p == ':' && !colon) {
			colon = p;
			continue;
		}
		if (colon ? !isdigit((unsigned char)*p)
			  : !(isalnum((unsigned char)*p) || *p == '.' || *p == '-'))
			return cv_error_set(err, CV_EINVAL, "public_url",
					    "public_url must name a host by letters, digits, dots "
					    "and dashes, with an optional :PORT, got \"%s\"",
					    url);
	}
	if ((colon ? colon : end) == host || (colon && colon + 1 == end))
		return cv_error_set(err, CV_EINVAL, "public_url",
				    "public_url has no host (or an empty port): \"%s\"", url);
	rc = cv_buf_adds(out, EXCHANGE_DID_WEB_PREFIX);
	for (p = host; !rc && p < (colon ? colon : end); p++)
		rc = cv_buf_addch(out, (char)tolower((unsigned char)*p));
	if (!rc && colon)
		rc = cv_buf_addf(out, "%%3A%.*s", (int)(end - colon - 1), colon + 1);
	/* A path: each segment becomes a ':'-separated part of the DID. */
	for (p = end; !rc && *p;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (!len)
			break;
		for (size_t i = 0; i < len; i++)
			if (!did_web_char(p[i]))
				rc = cv_error_set(err, CV_EINVAL, "public_url",
						  "the path of public_url may hold letters, digits "
						  "and . - _ ~ only, got \"%s\"",
						  url);
		if (!rc)
			rc = cv_buf_addf(out, ":%.*s", (int)len, p);
		p += len;
	}
	if (!rc && out->len - start >= EXCHANGE_DID_MAX)
		rc = cv_error_set(err, CV_EINVAL, "public_url",
				  "the DID of public_url is longer than %d characters",
				  EXCHANGE_DID_MAX - 1);
	if (rc == CV_ENOMEM)
		cv_error_set(err, rc, NULL, "out of memory");
	return rc;
}

/* The fragment of id when id is did#fragment or #fragment, else NULL. */
static const char *fragment_of(const char *id, const char *did)
{
	size_t n = strlen(did);

	if (id[0] == '#')
		return id[1] ? id + 1 : NULL;
	if (strncmp(id, did, n) == 0 && id[n] == '#' && id[n + 1])
		return id + n + 1;
	return NULL;
}

/* Does the entry (a reference or an embedded method) name the method with this fragment? */
static int names_method(const json_t *entry, const char *did, const char *fragment)
{
	const char *id = json_is_string(entry) ? json_string_value(entry)
					       : json_string_value(json_object_get(entry, "id"));
	const char *f = id ? fragment_of(id, did) : NULL;

	return f && strcmp(f, fragment) == 0;
}

/*
 * The Ed25519 key of an embedded verification method of did, or CV_EINVAL
 * with the reason in why (not an Ed25519 Multikey, another controller).
 */
static int method_key(const json_t *method, const char *did,
		      unsigned char public_key[crypto_sign_PUBLICKEYBYTES], const char **why)
{
	const char *type = json_string_value(json_object_get(method, "type"));
	const char *controller = json_string_value(json_object_get(method, "controller"));
	const char *multibase = json_string_value(json_object_get(method, "publicKeyMultibase"));

	if (!type || (strcmp(type, EXCHANGE_MULTIKEY_TYPE) && strcmp(type, ED25519_2020_TYPE))) {
		*why = "is not of type Multikey";
		return CV_EINVAL;
	}
	if (!controller || strcmp(controller, did) != 0) {
		*why = "has another controller than the DID";
		return CV_EINVAL;
	}
	if (!multibase || exchange_key_public_from_multibase(multibase, public_key)) {
		*why = "has no publicKeyMultibase of an Ed25519 key (z6Mk...)";
		return CV_EINVAL;
	}
	return CV_OK;
}

/* The entry of list (an array) naming the method, or NULL. */
static const json_t *find_entry(const json_t *list, const char *did, const char *fragment)
{
	size_t i;
	json_t *entry;

	json_array_foreach(list, i, entry) {
		if (names_method(entry, did, fragment))
			return entry;
	}
	return NULL;
}

int exchange_did_document_key(const json_t *document, const char *verification_method,
			      const char *proof_purpose,
			      unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
			      struct cv_error *err)
{
	const char *did = json_string_value(json_object_get(document, "id"));
	const char *hash = strchr(verification_method, '#'), *why = NULL;
	const json_t *method, *allowed;
	size_t did_len;

	if (!did)
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: the DID document has no id");
	did_len = strlen(did);
	if (!hash || (size_t)(hash - verification_method) != did_len ||
	    strncmp(verification_method, did, did_len) != 0 || !hash[1])
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: %.200s is not a key of %.200s",
				    verification_method, did);
	method = find_entry(json_object_get(document, "verificationMethod"), did, hash + 1);
	allowed = find_entry(json_object_get(document, proof_purpose), did, hash + 1);
	/* A method may also be embedded in the relationship itself. */
	if (!method && json_is_object(allowed))
		method = allowed;
	if (!method || !json_is_object(method))
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: the DID document of %.200s has no "
				    "key %.64s",
				    did, hash + 1);
	if (method_key(method, did, public_key, &why))
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: %.200s %s", verification_method,
				    why);
	if (!allowed)
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "the DID document of %.200s does not list %.64s under %.64s: the "
				    "key may not make this proof",
				    did, hash + 1, proof_purpose);
	return CV_OK;
}

int exchange_did_documents_resolve(void *ctx, const char *verification_method,
				   const char *proof_purpose,
				   unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
				   struct cv_error *err)
{
	const struct exchange_did_documents *set = ctx;
	const char *hash = strchr(verification_method, '#');
	size_t did_len = hash ? (size_t)(hash - verification_method) : strlen(verification_method);

	if (strncmp(verification_method, "did:key:", 8) == 0) {
		if (set->did_key)
			return exchange_did_key_resolve(verification_method, public_key, err);
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: a did:key is not accepted here, "
				    "only the keys of known DIDs");
	}
	for (size_t i = 0; i < set->count; i++) {
		const char *did = json_string_value(json_object_get(set->documents[i], "id"));

		if (did && strlen(did) == did_len && strncmp(did, verification_method, did_len) == 0)
			return exchange_did_document_key(set->documents[i], verification_method,
							 proof_purpose, public_key, err);
	}
	return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
			    "unknown verification method: no DID document for %.*s was given",
			    (int)(did_len > 200 ? 200 : did_len), verification_method);
}

/* Is fragment a usable key id: 1 to FRAGMENT_MAX letters, digits, - _ . */
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

int exchange_did_document_keys(const json_t *document, json_t *keys, struct cv_error *err)
{
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
	const char *did = json_string_value(json_object_get(document, "id"));
	const json_t *methods = json_object_get(document, "verificationMethod");
	size_t i, found = 0;
	json_t *method;

	if (!json_is_object(document))
		return cv_error_set(err, CV_EINVAL, "did_document",
				    "a DID document is a JSON object");
	if (!did || strncmp(did, "did:", 4) != 0 || strlen(did) >= EXCHANGE_DID_MAX)
		return cv_error_set(err, CV_EINVAL, "did_document.id",
				    "the DID document's id must be a DID (did:web:...)");
	if (!json_is_array(methods))
		return cv_error_set(err, CV_EINVAL, "did_document.verificationMethod",
				    "the DID document has no verificationMethod list");
	json_array_foreach(methods, i, method) {
		const char *id = json_string_value(json_object_get(method, "id"));
		const char *fragment = id ? fragment_of(id, did) : NULL, *why;

		if (!json_is_object(method) || !fragment || !fragment_valid(fragment))
			return cv_error_set(err, CV_EINVAL, "did_document.verificationMethod",
					    "verificationMethod %zu has no id of the form %.200s#KEY "
					    "(KEY: letters, digits, - _ .)",
					    i, did);
		/* Keys of other kinds (key agreement, other curves) are not ours to use. */
		if (method_key(method, did, public_key, &why))
			continue;
		if (json_array_append_new(keys,
					  json_pack("{s:s, s:s}", "id", fragment,
						    "publicKeyMultibase",
						    json_string_value(
							    json_object_get(method,
									    "publicKeyMultibase")))))
			return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
		found++;
	}
	if (!found)
		return cv_error_set(err, CV_EINVAL, "did_document.verificationMethod",
				    "the DID document has no Ed25519 Multikey controlled by %.200s",
				    did);
	return CV_OK;
}

int exchange_did_document_build(const char *did, const json_t *keys, const json_t *authentication,
				json_t **out)
{
	json_t *methods = json_array(), *assertion = json_array(), *auth = json_array();
	size_t i;
	json_t *key;

	*out = NULL;
	if (!methods || !assertion || !auth)
		goto nomem;
	json_array_foreach(keys, i, key) {
		const char *id = json_string_value(json_object_get(key, "id"));
		json_t *ref = json_sprintf("%s#%s", did, id ? id : "");
		int listed = !authentication;

		if (!ref ||
		    json_array_append_new(methods,
					  json_pack("{s:O, s:s, s:s, s:O}", "id", ref, "type",
						    EXCHANGE_MULTIKEY_TYPE, "controller", did,
						    "publicKeyMultibase",
						    json_object_get(key, "publicKeyMultibase")))) {
			json_decref(ref);
			goto nomem;
		}
		for (size_t j = 0; authentication && j < json_array_size(authentication); j++)
			listed |= json_equal(json_array_get(authentication, j),
					     json_object_get(key, "id"));
		if (json_array_append(assertion, ref) || (listed && json_array_append(auth, ref))) {
			json_decref(ref);
			goto nomem;
		}
		json_decref(ref);
	}
	*out = json_pack("{s:[s, s], s:s, s:o, s:o, s:o}", "@context", EXCHANGE_DID_CONTEXT,
			 EXCHANGE_MULTIKEY_CONTEXT, "id", did, "verificationMethod", methods,
			 "assertionMethod", assertion, "authentication", auth);
	return *out ? CV_OK : CV_ENOMEM;
nomem:
	json_decref(methods);
	json_decref(assertion);
	json_decref(auth);
	return CV_ENOMEM;
}
