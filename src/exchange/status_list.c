/*
 * status_list.c — W3C Bitstring Status List v1.0 (see status_list.h).
 *
 * Design. The bitstring is plain bytes, most significant bit first, as the
 * spec's section 7.1 draws it; encoding is zlib's GZIP wrapper at the
 * default level and libsodium's base64url without padding, both already
 * trusted by the node. Decoding reads text from anyone (a partner's list, a
 * file handed to `caravan doc verify`), so it is strict and bounded: the
 * multibase prefix must be "u", base64url must be canonical, the GZIP data
 * one member with nothing after it, and inflation stops at
 * EXCHANGE_STATUS_LIST_MAX_BYTES so a small hostile stream cannot expand
 * without end (tests/fuzz/fuzz_status_list.c). zlib allocates through
 * cv_calloc, so the allocation-failure tests reach it too.
 *
 * Expected volumes: a node issues ~20,000 AEO credentials and some
 * certificates of origin a year; a 16 KB list holds 131,072, so a node
 * lives on one list per purpose for years, each a few hundred bytes
 * compressed.
 */
#include "exchange/status_list.h"

#include "base/clock.h"
#include "base/mem.h"

#include <assert.h>
#include <limits.h>
#include <sodium.h>
#include <string.h>
#include <zlib.h>

#define MULTIBASE_BASE64URL 'u'
/* zlib: 15-bit window, +16 for the GZIP wrapper (RFC 1952) instead of zlib's own. */
#define GZIP_WINDOW_BITS (15 + 16)
#define GZIP_MEM_LEVEL 8
#define INFLATE_CHUNK (64 * 1024)
/* Digits of the largest statusListIndex read: beyond, no list of ours is that long. */
#define INDEX_DIGITS_MAX 19

static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return cv_calloc(items, size);
}

static void zlib_free(voidpf opaque, voidpf address)
{
	(void)opaque;
	cv_free(address);
}

int exchange_status_list_init(struct exchange_status_list *list, uint64_t nbits)
{
	list->bits = NULL;
	list->nbits = 0;
	if (nbits % 8 || nbits < EXCHANGE_STATUS_LIST_MIN_BITS ||
	    nbits / 8 > EXCHANGE_STATUS_LIST_MAX_BYTES)
		return CV_EINVAL;
	list->bits = cv_calloc(nbits / 8, 1);
	if (!list->bits)
		return CV_ENOMEM;
	list->nbits = nbits;
	return CV_OK;
}

void exchange_status_list_release(struct exchange_status_list *list)
{
	cv_free(list->bits);
	list->bits = NULL;
	list->nbits = 0;
}

int exchange_status_list_get(const struct exchange_status_list *list, uint64_t index, int *value,
			     struct cv_error *err)
{
	if (index >= list->nbits)
		return cv_error_set(err, CV_EINVAL, "statusListIndex",
				    "statusListIndex %llu is past the end of the status list (%llu "
				    "entries)",
				    (unsigned long long)index, (unsigned long long)list->nbits);
	*value = (list->bits[index / 8] >> (7 - index % 8)) & 1;
	return CV_OK;
}

int exchange_status_list_set(struct exchange_status_list *list, uint64_t index, int value,
			     struct cv_error *err)
{
	unsigned char mask;

	if (index >= list->nbits)
		return cv_error_set(err, CV_EINVAL, "statusListIndex",
				    "statusListIndex %llu is past the end of the status list (%llu "
				    "entries)",
				    (unsigned long long)index, (unsigned long long)list->nbits);
	mask = (unsigned char)(0x80u >> (index % 8));
	if (value)
		list->bits[index / 8] |= mask;
	else
		list->bits[index / 8] &= (unsigned char)~mask;
	return CV_OK;
}

int exchange_status_list_encode(const struct exchange_status_list *list, struct cv_buf *out,
				struct cv_error *err)
{
	z_stream zs;
	unsigned char *compressed = NULL;
	uLong bound;
	size_t text_len, bytes = (size_t)(list->nbits / 8);
	int rc = CV_OK;

	assert(list->bits && bytes <= EXCHANGE_STATUS_LIST_MAX_BYTES);
	memset(&zs, 0, sizeof(zs));
	zs.zalloc = zlib_alloc;
	zs.zfree = zlib_free;
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WINDOW_BITS, GZIP_MEM_LEVEL,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return cv_error_set(err, CV_ENOMEM, NULL, "zlib cannot start compressing");
	bound = deflateBound(&zs, (uLong)bytes);
	compressed = cv_malloc(bound);
	if (!compressed) {
		rc = cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
		goto out;
	}
	zs.next_in = list->bits;
	zs.avail_in = (uInt)bytes;
	zs.next_out = compressed;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		rc = cv_error_set(err, CV_EINTERNAL, NULL,
				  "zlib could not compress the status list");
		goto out;
	}
	text_len = sodium_base64_ENCODED_LEN(zs.total_out, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	rc = cv_buf_grow(out, text_len + 1);
	if (rc == CV_OK)
		rc = cv_buf_addch(out, MULTIBASE_BASE64URL);
	if (rc) {
		cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
		goto out;
	}
	/* sodium writes the text and its NUL straight into the buffer's room. */
	sodium_bin2base64(out->data + out->len, text_len, compressed, zs.total_out,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out->len += strlen(out->data + out->len);
out:
	deflateEnd(&zs);
	cv_free(compressed);
	return rc;
}

/* Multibase-decode encoded ("u" + base64url) into *data (cv_free it). */
static int base64url_decode(const char *encoded, unsigned char **data, size_t *len,
			    struct cv_error *err)
{
	size_t text_len;

	*data = NULL;
	if (!encoded || encoded[0] != MULTIBASE_BASE64URL)
		return cv_error_set(err, CV_EINVAL, "encodedList",
				    "encodedList must be multibase base64url: \"u\" then base64url "
				    "without padding");
	text_len = strlen(encoded + 1);
	*data = cv_malloc(text_len / 4 * 3 + 3);
	if (!*data)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	if (sodium_base642bin(*data, text_len / 4 * 3 + 3, encoded + 1, text_len, NULL, len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		cv_free(*data);
		*data = NULL;
		return cv_error_set(err, CV_EINVAL, "encodedList",
				    "encodedList is not base64url without padding after its \"u\"");
	}
	return CV_OK;
}

/* Inflate one GZIP member of len bytes at data into out, at most EXCHANGE_STATUS_LIST_MAX_BYTES. */
static int gunzip(const unsigned char *data, size_t len, struct cv_buf *out, struct cv_error *err)
{
	z_stream zs;
	int zrc = Z_OK, rc = CV_OK;

	if (len > UINT_MAX)
		return cv_error_set(err, CV_EINVAL, "encodedList", "encodedList is too long");
	memset(&zs, 0, sizeof(zs));
	zs.zalloc = zlib_alloc;
	zs.zfree = zlib_free;
	if (inflateInit2(&zs, GZIP_WINDOW_BITS) != Z_OK)
		return cv_error_set(err, CV_ENOMEM, NULL, "zlib cannot start decompressing");
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	while (zrc != Z_STREAM_END) {
		/* One byte of room past the bound tells a list that is too long. */
		uInt room = (uInt)(EXCHANGE_STATUS_LIST_MAX_BYTES + 1 - out->len);

		if (room > INFLATE_CHUNK)
			room = INFLATE_CHUNK;
		if (cv_buf_grow(out, room)) {
			rc = cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
			break;
		}
		zs.next_out = (unsigned char *)out->data + out->len;
		zs.avail_out = room;
		zrc = inflate(&zs, Z_NO_FLUSH);
		out->len += room - zs.avail_out;
		if (out->len > EXCHANGE_STATUS_LIST_MAX_BYTES) {
			rc = cv_error_set(err, CV_EINVAL, "encodedList",
					  "the status list inflates to more than %d bytes",
					  EXCHANGE_STATUS_LIST_MAX_BYTES);
			break;
		}
		if (zrc == Z_MEM_ERROR) {
			rc = cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
			break;
		}
		if (zrc == Z_NEED_DICT || zrc == Z_DATA_ERROR || zrc == Z_STREAM_ERROR) {
			rc = cv_error_set(err, CV_EINVAL, "encodedList",
					  "encodedList is not GZIP-compressed data (%s)",
					  zs.msg ? zs.msg : "bad data");
			break;
		}
		/* No progress, or all input read with room left: the data stops short. */
		if (zrc == Z_BUF_ERROR || (zrc == Z_OK && zs.avail_in == 0 && zs.avail_out)) {
			rc = cv_error_set(err, CV_EINVAL, "encodedList",
					  "encodedList ends before its GZIP data does");
			break;
		}
	}
	if (rc == CV_OK && zs.avail_in)
		rc = cv_error_set(err, CV_EINVAL, "encodedList",
				  "encodedList has bytes after its GZIP data");
	inflateEnd(&zs);
	return rc;
}

int exchange_status_list_decode(const char *encoded, struct exchange_status_list *list,
				struct cv_error *err)
{
	unsigned char *compressed;
	struct cv_buf bits;
	size_t len;
	int rc;

	exchange_status_list_release(list);
	rc = base64url_decode(encoded, &compressed, &len, err);
	if (rc)
		return rc;
	cv_buf_init(&bits);
	rc = gunzip(compressed, len, &bits, err);
	cv_free(compressed);
	if (rc == CV_OK && (uint64_t)bits.len * 8 < EXCHANGE_STATUS_LIST_MIN_BITS)
		rc = cv_error_set(err, CV_EINVAL, "encodedList",
				  "the status list has %llu entries; a list has at least %d",
				  (unsigned long long)bits.len * 8, EXCHANGE_STATUS_LIST_MIN_BITS);
	if (rc) {
		cv_buf_release(&bits);
		return rc;
	}
	list->nbits = (uint64_t)bits.len * 8;
	list->bits = (unsigned char *)cv_buf_detach(&bits, &len);
	return CV_OK;
}

/* ---- the status list credential ----------------------------------------------- */

static int purpose_known(const char *purpose)
{
	return purpose && (!strcmp(purpose, EXCHANGE_STATUS_REVOCATION) ||
			   !strcmp(purpose, EXCHANGE_STATUS_SUSPENSION));
}

static int rfc3339_ok(const char *text)
{
	int64_t ms;

	return text && !cv_clock_parse_rfc3339(text, &ms);
}

int exchange_status_list_credential_new(const struct exchange_status_list_options *o,
					const struct exchange_status_list *list,
					json_t **credential, struct cv_error *err)
{
	struct cv_buf encoded, subject_id;
	json_t *vc = NULL, *subject = NULL;
	int rc;

	*credential = NULL;
	if (!o->id || !o->id[0])
		return cv_error_set(err, CV_EINVAL, "id", "a status list credential needs its URL");
	if (!o->issuer || !o->issuer[0])
		return cv_error_set(err, CV_EINVAL, "issuer",
				    "a status list credential needs an "
				    "issuer DID");
	if (!purpose_known(o->purpose))
		return cv_error_set(err, CV_EINVAL, "statusPurpose",
				    "statusPurpose must be revocation or suspension");
	if (!rfc3339_ok(o->valid_from))
		return cv_error_set(err, CV_EINVAL, "validFrom", "validFrom must be RFC 3339");
	if (o->valid_until && !rfc3339_ok(o->valid_until))
		return cv_error_set(err, CV_EINVAL, "validUntil", "validUntil must be RFC 3339");
	cv_buf_init(&encoded);
	cv_buf_init(&subject_id);
	rc = exchange_status_list_encode(list, &encoded, err);
	if (rc)
		goto out;
	if (cv_buf_addf(&subject_id, "%s#list", o->id))
		goto nomem;
	subject = json_pack("{s:s, s:s, s:s, s:s}", "id", cv_buf_str(&subject_id), "type",
			    EXCHANGE_STATUS_LIST_SUBJECT, "statusPurpose", o->purpose,
			    "encodedList", cv_buf_str(&encoded));
	if (!subject || (o->ttl_ms > 0 &&
			 json_object_set_new(subject, "ttl", json_integer((json_int_t)o->ttl_ms))))
		goto nomem;
	vc = json_pack("{s:[s], s:s, s:[s, s], s:s, s:s, s:O}", "@context", EXCHANGE_VC_CONTEXT,
		       "id", o->id, "type", "VerifiableCredential", EXCHANGE_STATUS_LIST_CREDENTIAL,
		       "issuer", o->issuer, "validFrom", o->valid_from, "credentialSubject",
		       subject);
	if (!vc ||
	    (o->valid_until && json_object_set_new(vc, "validUntil", json_string(o->valid_until))))
		goto nomem;
	*credential = vc;
	vc = NULL;
	goto out;
nomem:
	rc = cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
out:
	json_decref(vc);
	json_decref(subject);
	cv_buf_release(&encoded);
	cv_buf_release(&subject_id);
	return rc;
}

/* ---- checking a credential's status -------------------------------------------- */

/* Read the optional date-time member name of credential into *ms; *given 0 when absent. */
static int optional_time(const json_t *credential, const char *name, int64_t *ms, int *given,
			 struct cv_error *err)
{
	const json_t *v = json_object_get(credential, name);

	*given = v != NULL;
	if (v && (!json_is_string(v) || cv_clock_parse_rfc3339(json_string_value(v), ms)))
		return cv_error_set(err, CV_EINVAL, name,
				    "the status list's %s is not an RFC 3339 date and time", name);
	return CV_OK;
}

int exchange_status_list_current(const json_t *list_credential, int64_t now_ms, struct cv_error *err)
{
	char when[CV_RFC3339_MAX];
	int64_t from = 0, until = 0;
	int has_from, has_until, rc;

	rc = optional_time(list_credential, "validFrom", &from, &has_from, err);
	if (rc == CV_OK)
		rc = optional_time(list_credential, "validUntil", &until, &has_until, err);
	if (rc)
		return rc;
	if (has_from && now_ms + EXCHANGE_STATUS_CLOCK_SKEW_MS < from) {
		cv_clock_format_rfc3339(from, when, sizeof(when));
		return cv_error_set(err, CV_EINVAL, "validFrom",
				    "the status list is not in force before %s", when);
	}
	if (has_until && now_ms - EXCHANGE_STATUS_CLOCK_SKEW_MS > until) {
		cv_clock_format_rfc3339(until, when, sizeof(when));
		return cv_error_set(err, CV_EINVAL, "validUntil",
				    "the status list expired at %s: fetch the current one", when);
	}
	return CV_OK;
}

/* The string member name of object, or NULL after filling err naming where.name. */
static const char *member_string(const json_t *object, const char *where, const char *name,
				 struct cv_error *err)
{
	const json_t *v = json_object_get(object, name);

	if (!v) {
		cv_error_set(err, CV_EINVAL, name, "%s has no %s", where, name);
		return NULL;
	}
	if (!json_is_string(v)) {
		cv_error_set(err, CV_EINVAL, name, "%s.%s must be a string", where, name);
		return NULL;
	}
	return json_string_value(v);
}

/* Does type (a string or an array of strings) name wanted? */
static int type_includes(const json_t *type, const char *wanted)
{
	size_t i;
	const json_t *v;

	if (json_is_string(type))
		return !strcmp(json_string_value(type), wanted);
	json_array_foreach(type, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), wanted))
			return 1;
	}
	return 0;
}

/* Parse a statusListIndex: base-10 digits only. */
static int parse_index(const char *text, uint64_t *index, struct cv_error *err)
{
	size_t n = strlen(text);

	if (n == 0 || strspn(text, "0123456789") != n)
		return cv_error_set(err, CV_EINVAL, "statusListIndex",
				    "statusListIndex must be a base-10 integer in a string "
				    "(\"94567\"), not \"%.40s\"",
				    text);
	while (n > 1 && *text == '0') { /* leading zeros do not make it longer */
		text++;
		n--;
	}
	if (n > INDEX_DIGITS_MAX)
		return cv_error_set(err, CV_EINVAL, "statusListIndex",
				    "statusListIndex %.40s is past the end of any status list",
				    text);
	*index = 0;
	for (; *text; text++)
		*index = *index * 10 + (uint64_t)(*text - '0');
	return CV_OK;
}

/* Read the entry's members into result; its list URL into *list_url. */
static int read_entry(const json_t *entry, struct exchange_status_result *result,
		      const char **list_url, struct cv_error *err)
{
	const char *purpose, *index;
	const json_t *size;

	if (!json_is_object(entry))
		return cv_error_set(err, CV_EINVAL, "credentialStatus",
				    "a credentialStatus entry must be an object");
	if (!type_includes(json_object_get(entry, "type"), EXCHANGE_STATUS_LIST_ENTRY))
		return cv_error_set(err, CV_EUNSUPPORTED, "credentialStatus.type",
				    "credentialStatus.type must be " EXCHANGE_STATUS_LIST_ENTRY);
	if (!(purpose = member_string(entry, "credentialStatus", "statusPurpose", err)) ||
	    !(index = member_string(entry, "credentialStatus", "statusListIndex", err)) ||
	    !(*list_url = member_string(entry, "credentialStatus", "statusListCredential", err)))
		return CV_EINVAL;
	if (!purpose_known(purpose))
		return cv_error_set(err, CV_EUNSUPPORTED, "statusPurpose",
				    "statusPurpose \"%.40s\" is not checked: only revocation and "
				    "suspension",
				    purpose);
	size = json_object_get(entry, "statusSize");
	if (size && !(json_is_number(size) && json_number_value(size) == 1))
		return cv_error_set(err, CV_EUNSUPPORTED, "statusSize",
				    "only statusSize 1 is supported");
	snprintf(result->purpose, sizeof(result->purpose), "%s", purpose);
	return parse_index(index, &result->index, err);
}

/* Does the list's statusPurpose (one string or several) include purpose? */
static int list_has_purpose(const json_t *list_purpose, const char *purpose)
{
	return type_includes(list_purpose, purpose);
}

int exchange_status_check(const json_t *entry, const json_t *list_credential,
			  struct exchange_status_result *result, struct cv_error *err)
{
	struct exchange_status_list list = {NULL, 0};
	const json_t *subject, *list_purpose;
	const char *list_url, *encoded;
	int rc;

	memset(result, 0, sizeof(*result));
	rc = read_entry(entry, result, &list_url, err);
	if (rc)
		return rc;
	if (!json_is_object(list_credential) ||
	    !type_includes(json_object_get(list_credential, "type"), EXCHANGE_STATUS_LIST_CREDENTIAL))
		return cv_error_set(err, CV_EINVAL, "type",
				    "the status list is not a " EXCHANGE_STATUS_LIST_CREDENTIAL);
	subject = json_object_get(list_credential, "credentialSubject");
	if (!json_is_object(subject) ||
	    !type_includes(json_object_get(subject, "type"), EXCHANGE_STATUS_LIST_SUBJECT))
		return cv_error_set(err, CV_EINVAL, "credentialSubject",
				    "the status list's credentialSubject must be an object of type " EXCHANGE_STATUS_LIST_SUBJECT);
	list_purpose = json_object_get(subject, "statusPurpose");
	if (!json_is_string(list_purpose) && !json_is_array(list_purpose))
		return cv_error_set(err, CV_EINVAL, "credentialSubject.statusPurpose",
				    "the status list has no statusPurpose");
	if (!list_has_purpose(list_purpose, result->purpose))
		return cv_error_set(err, CV_EINVAL, "statusPurpose",
				    "the entry's statusPurpose is %s, the status list's is not",
				    result->purpose);
	if (!(encoded = member_string(subject, "credentialSubject", "encodedList", err)))
		return CV_EINVAL;
	rc = exchange_status_list_decode(encoded, &list, err);
	if (rc == CV_OK)
		rc = exchange_status_list_get(&list, result->index, &result->set, err);
	exchange_status_list_release(&list);
	return rc;
}

int exchange_status_check_document(const json_t *document, const json_t *list_credential,
				   struct exchange_status_result *result, size_t *checked,
				   size_t *others, struct cv_error *err)
{
	const json_t *status = json_object_get(document, "credentialStatus"), *entry;
	const char *list_id = json_string_value(json_object_get(list_credential, "id"));
	size_t n = json_is_array(status) ? json_array_size(status) : status ? 1 : 0;
	struct exchange_status_result one;
	int found_set = 0, rc;

	memset(result, 0, sizeof(*result));
	*checked = *others = 0;
	if (!list_id)
		return cv_error_set(err, CV_EINVAL, "id",
				    "the status list has no id: nothing says which entries it holds");
	for (size_t i = 0; i < n; i++) {
		const char *url;

		entry = json_is_array(status) ? json_array_get(status, i) : status;
		url = json_string_value(json_object_get(entry, "statusListCredential"));
		if (!url || strcmp(url, list_id) != 0) {
			(*others)++;
			continue;
		}
		rc = exchange_status_check(entry, list_credential, &one, err);
		if (rc)
			return rc;
		(*checked)++;
		if (!found_set)
			*result = one;
		found_set |= one.set;
	}
	if (!*checked)
		return cv_error_set(err, CV_ENOTFOUND, "statusListCredential",
				    "no credentialStatus entry of the document names the status "
				    "list %.200s",
				    list_id);
	return CV_OK;
}
