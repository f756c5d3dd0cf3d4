/*
 * test_status_list.c — W3C Bitstring Status List v1.0
 * (exchange/status_list.h): the spec's all-zero list byte for byte, the bit
 * order (index 0 is the left-most bit of the first byte), round trips, the
 * status list credential, the validate algorithm on entries, and every kind
 * of malformed list refused with a sentence.
 *
 * The known encodedLists other than the spec's own were computed apart from
 * this code, in Python: bytearray(16384), bit i set as
 * b[i // 8] |= 0x80 >> (i % 8) (the spec's section 7.1), then gzip at
 * level 6 and base64url without padding, prefixed with "u".
 */
#include "exchange/status_list.h"

#include "base/mem.h"
#include "exchange/credential.h"
#include "exchange/jcs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* The spec's example BitstringStatusListCredential (section 2.2): 131,072 zero bits. */
#define SPEC_ALL_ZERO "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
#define BIT_0_SET "uH4sIAAAAAAAAA-3BIQEAAAACIKc73RkWoAEAAAAAAAAAAAAAAAAAAADeBuRZQ2cAQAAA"
#define BIT_94567_SET                                                                              \
	"uH4sIAAAAAAAAA-3OMQ0AAAgDsOHfNBp2kZBWQRMAAAAAAAAAAAAAAL6Z6wAAAAAAtQVQdb5gAEAAAA"
#define LAST_BIT_SET "uH4sIAAAAAAAAA-3BIQEAAAACIP1_2hkWIAEAAAAAAAAAAAAAAAAAAADOOhDiU9wAQAAA"
/* 16,383 zero bytes: one byte short of the minimum. */
#define ONE_BYTE_SHORT "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAICzAQmvhYr_PwAA"
#define LIST_URL "https://customs.example/api/v1/status-lists/7"
#define ISSUER "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

static void teardown(void) { cv_mem_fail_after(-1); }

TestSuite(status_list, .fini = teardown);

static char *encode(const struct exchange_status_list *list)
{
	struct cv_buf out;
	struct cv_error err;

	cv_buf_init(&out);
	cv_error_clear(&err);
	cr_assert_eq(exchange_status_list_encode(list, &out, &err), CV_OK, "%s", err.message);
	return cv_buf_detach(&out, NULL);
}

static void assert_encodes_as(uint64_t bit, const char *expected)
{
	struct exchange_status_list list;
	char *text;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	if (bit != UINT64_MAX)
		cr_assert_eq(exchange_status_list_set(&list, bit, 1, NULL), CV_OK);
	text = encode(&list);
	cr_assert_str_eq(text, expected, "bit %llu", (unsigned long long)bit);
	cv_free(text);
	exchange_status_list_release(&list);
}

Test(status_list, an_all_zero_list_encodes_as_the_spec_example)
{
	assert_encodes_as(UINT64_MAX, SPEC_ALL_ZERO);
}

Test(status_list, the_spec_example_decodes_to_131072_zero_bits)
{
	struct exchange_status_list list = {NULL, 0};
	struct cv_error err;

	cr_assert_eq(exchange_status_list_decode(SPEC_ALL_ZERO, &list, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(list.nbits, 131072);
	for (size_t i = 0; i < list.nbits / 8; i++)
		cr_assert_eq(list.bits[i], 0, "byte %zu", i);
	exchange_status_list_release(&list);
}

Test(status_list, index_0_is_the_leftmost_bit_of_the_first_byte)
{
	struct exchange_status_list list;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	cr_assert_eq(exchange_status_list_set(&list, 0, 1, NULL), CV_OK);
	cr_assert_eq(list.bits[0], 0x80);
	cr_assert_eq(exchange_status_list_set(&list, 7, 1, NULL), CV_OK);
	cr_assert_eq(list.bits[0], 0x81);
	cr_assert_eq(exchange_status_list_set(&list, 8, 1, NULL), CV_OK);
	cr_assert_eq(list.bits[1], 0x80);
	cr_assert_eq(exchange_status_list_set(&list, 131071, 1, NULL), CV_OK);
	cr_assert_eq(list.bits[16383], 0x01);
	cr_assert_eq(exchange_status_list_set(&list, 0, 0, NULL), CV_OK);
	cr_assert_eq(list.bits[0], 0x01, "clearing bit 0 keeps bit 7");
	exchange_status_list_release(&list);

	assert_encodes_as(0, BIT_0_SET);
	assert_encodes_as(94567, BIT_94567_SET);
	assert_encodes_as(131071, LAST_BIT_SET);
}

Test(status_list, known_lists_decode_with_exactly_their_bit_set)
{
	static const struct {
		const char *encoded;
		uint64_t bit;
	} cases[] = {{BIT_0_SET, 0}, {BIT_94567_SET, 94567}, {LAST_BIT_SET, 131071}};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct exchange_status_list list = {NULL, 0};
		uint64_t ones = 0;
		int bit;

		cr_assert_eq(exchange_status_list_decode(cases[c].encoded, &list, NULL), CV_OK);
		for (uint64_t i = 0; i < list.nbits; i++) {
			cr_assert_eq(exchange_status_list_get(&list, i, &bit, NULL), CV_OK);
			ones += (uint64_t)bit;
		}
		cr_assert_eq(ones, 1);
		cr_assert_eq(exchange_status_list_get(&list, cases[c].bit, &bit, NULL), CV_OK);
		cr_assert_eq(bit, 1, "bit %llu", (unsigned long long)cases[c].bit);
		exchange_status_list_release(&list);
	}
}

Test(status_list, a_list_survives_encoding_and_decoding)
{
	struct exchange_status_list list, back = {NULL, 0};
	char *text;
	int bit;

	/* A longer list than the minimum, with a scattered pattern. */
	cr_assert_eq(exchange_status_list_init(&list, 2 * EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	for (uint64_t i = 0; i < list.nbits; i += 1 + i % 97)
		cr_assert_eq(exchange_status_list_set(&list, i, 1, NULL), CV_OK);
	text = encode(&list);
	cr_assert_eq(text[0], 'u');
	cr_assert_null(strchr(text, '='), "no padding");
	cr_assert_null(strchr(text, '+'), "base64url, not base64");
	cr_assert_null(strchr(text, '/'), "base64url, not base64");
	cr_assert_eq(exchange_status_list_decode(text, &back, NULL), CV_OK);
	cr_assert_eq(back.nbits, list.nbits);
	cr_assert_eq(memcmp(back.bits, list.bits, list.nbits / 8), 0);
	/* The pattern sets 0, 1, 3, 7, 15, ... */
	cr_assert_eq(exchange_status_list_get(&back, 7, &bit, NULL), CV_OK);
	cr_assert_eq(bit, 1);
	cr_assert_eq(exchange_status_list_get(&back, 6, &bit, NULL), CV_OK);
	cr_assert_eq(bit, 0);
	cv_free(text);
	exchange_status_list_release(&list);
	exchange_status_list_release(&back);
}

Test(status_list, sizes_below_the_minimum_or_not_whole_bytes_are_refused)
{
	struct exchange_status_list list;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS - 8), CV_EINVAL);
	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS + 1), CV_EINVAL);
	cr_assert_eq(exchange_status_list_init(&list,
					       (uint64_t)EXCHANGE_STATUS_LIST_MAX_BYTES * 8 + 8),
		     CV_EINVAL);
	cr_assert_null(list.bits);
	exchange_status_list_release(&list);
}

Test(status_list, an_index_past_the_end_is_a_range_error)
{
	struct exchange_status_list list;
	struct cv_error err;
	int bit = 7;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	cr_assert_eq(exchange_status_list_get(&list, 131072, &bit, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "statusListIndex");
	cr_assert(strstr(err.message, "past the end"), "%s", err.message);
	cr_assert_eq(bit, 7, "nothing written");
	cr_assert_eq(exchange_status_list_set(&list, UINT64_MAX, 1, &err), CV_EINVAL);
	exchange_status_list_release(&list);
}

/* GZIP-compress len zero bytes (then append extra bytes) and multibase-encode. */
static char *gzip_zeros(size_t len, const char *extra)
{
	unsigned char *zeros = cv_calloc(len ? len : 1, 1), *z;
	uLong bound = compressBound((uLong)len) + 64;
	z_stream zs;
	char *text;
	size_t zlen, text_len;

	memset(&zs, 0, sizeof(zs));
	z = cv_malloc(bound + strlen(extra));
	cr_assert(zeros && z);
	cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = zeros;
	zs.avail_in = (uInt)len;
	zs.next_out = z;
	zs.avail_out = (uInt)bound;
	cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	zlen = zs.total_out;
	deflateEnd(&zs);
	memcpy(z + zlen, extra, strlen(extra));
	zlen += strlen(extra);
	text_len = sodium_base64_ENCODED_LEN(zlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	text = cv_malloc(text_len + 1);
	cr_assert(text);
	text[0] = 'u';
	sodium_bin2base64(text + 1, text_len, z, zlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	cv_free(z);
	cv_free(zeros);
	return text;
}

static void assert_refused(const char *encoded, const char *says)
{
	struct exchange_status_list list = {NULL, 0};
	struct cv_error err;

	cv_error_clear(&err);
	cr_assert_eq(exchange_status_list_decode(encoded, &list, &err), CV_EINVAL, "%.60s", encoded);
	cr_assert_str_eq(err.field, "encodedList");
	cr_assert(strstr(err.message, says), "%.60s: \"%s\" does not say \"%s\"", encoded,
		  err.message, says);
	cr_assert_null(list.bits);
	cr_assert_eq(list.nbits, 0);
}

Test(status_list, malformed_lists_are_refused_with_the_reason)
{
	char truncated[sizeof(SPEC_ALL_ZERO)], *text;

	assert_refused("", "multibase base64url");
	assert_refused("H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
		       "multibase base64url");
	assert_refused("zH4sIAAAAAAAAA", "multibase base64url");
	assert_refused("u", "ends before");
	assert_refused("uH4sI+AAAAAAAA", "not base64url");
	assert_refused("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA==",
		       "not base64url");
	assert_refused("uH4sIAAAAAAAAA 3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
		       "not base64url");
	assert_refused("uaGVsbG8gd29ybGQsIG5vdCBnemlw", "not GZIP");
	/* The CRC and length at the end cut off. */
	snprintf(truncated, sizeof(truncated), "%.*s", (int)strlen(SPEC_ALL_ZERO) - 8,
		 SPEC_ALL_ZERO);
	assert_refused(truncated, "ends before");
	assert_refused(ONE_BYTE_SHORT, "131064 entries; a list has at least 131072");
	text = gzip_zeros(0, "");
	assert_refused(text, "0 entries");
	cv_free(text);
	text = gzip_zeros(16384, "junk");
	assert_refused(text, "bytes after");
	cv_free(text);
	text = gzip_zeros((size_t)EXCHANGE_STATUS_LIST_MAX_BYTES + 1, "");
	assert_refused(text, "inflates to more than");
	cv_free(text);
}

Test(status_list, decoding_replaces_what_the_list_held)
{
	struct exchange_status_list list;

	cr_assert_eq(exchange_status_list_init(&list, 2 * EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	cr_assert_eq(exchange_status_list_decode(SPEC_ALL_ZERO, &list, NULL), CV_OK);
	cr_assert_eq(list.nbits, EXCHANGE_STATUS_LIST_MIN_BITS);
	exchange_status_list_release(&list);
}

Test(status_list, encoding_and_decoding_answer_out_of_memory)
{
	struct exchange_status_list list;
	struct cv_buf out;
	int rc = CV_ENOMEM;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	for (long n = 0; rc == CV_ENOMEM; n++) {
		cv_buf_init(&out);
		cv_mem_fail_after(n);
		rc = exchange_status_list_encode(&list, &out, NULL);
		cv_mem_fail_after(-1);
		cv_buf_release(&out);
	}
	cr_assert_eq(rc, CV_OK);
	rc = CV_ENOMEM;
	for (long n = 0; rc == CV_ENOMEM; n++) {
		cv_mem_fail_after(n);
		rc = exchange_status_list_decode(BIT_94567_SET, &list, NULL);
		cv_mem_fail_after(-1);
	}
	cr_assert_eq(rc, CV_OK);
	exchange_status_list_release(&list);
}

/* ---- the credential and the validate algorithm ---------------------------------- */

/* A status list credential for purpose with bit set (UINT64_MAX: none). */
static json_t *list_credential(const char *purpose, uint64_t bit)
{
	struct exchange_status_list_options o = {LIST_URL, ISSUER, purpose, "2026-01-15T00:00:00Z",
						 NULL,     0};
	struct exchange_status_list list;
	struct cv_error err;
	json_t *vc;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	if (bit != UINT64_MAX)
		cr_assert_eq(exchange_status_list_set(&list, bit, 1, NULL), CV_OK);
	cr_assert_eq(exchange_status_list_credential_new(&o, &list, &vc, &err), CV_OK, "%s",
		     err.message);
	exchange_status_list_release(&list);
	return vc;
}

static json_t *parse(const char *text)
{
	struct cv_error err;
	json_t *v;

	cr_assert_eq(exchange_jcs_parse(text, strlen(text), "test", &v, &err), CV_OK, "%s",
		     err.message);
	return v;
}

static json_t *entry(const char *purpose, const char *index)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", LIST_URL "#e", "type",
			 EXCHANGE_STATUS_LIST_ENTRY, "statusPurpose", purpose, "statusListIndex",
			 index, "statusListCredential", LIST_URL);
}

Test(status_list, the_credential_has_the_shape_the_spec_gives)
{
	struct exchange_status_list_options o = {LIST_URL,
						 ISSUER,
						 "suspension",
						 "2026-01-15T00:00:00Z",
						 "2026-01-16T00:00:00Z",
						 300000};
	struct exchange_status_list list;
	struct cv_buf canon;
	json_t *vc;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	cr_assert_eq(exchange_status_list_credential_new(&o, &list, &vc, NULL), CV_OK);
	cv_buf_init(&canon);
	cr_assert_eq(exchange_jcs_serialize(vc, &canon, NULL), CV_OK);
	cr_assert_str_eq(cv_buf_str(&canon),
			 "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],"
			 "\"credentialSubject\":{\"encodedList\":\"" SPEC_ALL_ZERO "\","
			 "\"id\":\"" LIST_URL "#list\",\"statusPurpose\":\"suspension\","
			 "\"ttl\":300000,\"type\":\"BitstringStatusList\"},"
			 "\"id\":\"" LIST_URL "\",\"issuer\":\"" ISSUER "\","
			 "\"type\":[\"VerifiableCredential\",\"BitstringStatusListCredential\"],"
			 "\"validFrom\":\"2026-01-15T00:00:00Z\","
			 "\"validUntil\":\"2026-01-16T00:00:00Z\"}");
	cv_buf_release(&canon);
	json_decref(vc);
	exchange_status_list_release(&list);
}

Test(status_list, a_credential_without_its_url_purpose_or_dates_is_refused)
{
	struct exchange_status_list_options o = {LIST_URL,     ISSUER,
						 "revocation", "2026-01-15T00:00:00Z",
						 NULL,         0};
	struct exchange_status_list list;
	struct cv_error err;
	json_t *vc = NULL;

	cr_assert_eq(exchange_status_list_init(&list, EXCHANGE_STATUS_LIST_MIN_BITS), CV_OK);
	o.purpose = "message";
	cr_assert_eq(exchange_status_list_credential_new(&o, &list, &vc, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "statusPurpose");
	o.purpose = "revocation";
	o.id = "";
	cr_assert_eq(exchange_status_list_credential_new(&o, &list, &vc, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "id");
	o.id = LIST_URL;
	o.valid_from = "15 January 2026";
	cr_assert_eq(exchange_status_list_credential_new(&o, &list, &vc, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "validFrom");
	cr_assert_null(vc);
	exchange_status_list_release(&list);
}

Test(status_list, an_entry_whose_bit_is_set_is_revoked_and_its_neighbours_are_not)
{
	json_t *vc = list_credential("revocation", 94567), *e;
	struct exchange_status_result r;
	struct cv_error err;

	e = entry("revocation", "94567");
	cr_assert_eq(exchange_status_check(e, vc, &r, &err), CV_OK, "%s", err.message);
	cr_assert_eq(r.set, 1);
	cr_assert_eq(r.index, 94567);
	cr_assert_str_eq(r.purpose, "revocation");
	json_decref(e);
	e = entry("revocation", "94566");
	cr_assert_eq(exchange_status_check(e, vc, &r, &err), CV_OK, "%s", err.message);
	cr_assert_eq(r.set, 0);
	json_decref(e);
	e = entry("revocation", "0094568");
	cr_assert_eq(exchange_status_check(e, vc, &r, &err), CV_OK, "%s", err.message);
	cr_assert_eq(r.index, 94568, "leading zeros are read as base 10");
	cr_assert_eq(r.set, 0);
	json_decref(e);
	json_decref(vc);
}

/* Check e against vc: expect code, err naming field and saying says. */
static void assert_check_fails(json_t *e, const json_t *vc, int code, const char *field,
			       const char *says)
{
	struct exchange_status_result r;
	struct cv_error err;

	cv_error_clear(&err);
	cr_assert_eq(exchange_status_check(e, vc, &r, &err), code, "%s", err.message);
	cr_assert_str_eq(err.field, field, "%s", err.message);
	cr_assert(strstr(err.message, says), "\"%s\" does not say \"%s\"", err.message, says);
	json_decref(e);
}

Test(status_list, bad_entries_are_refused_naming_the_member)
{
	json_t *vc = list_credential("revocation", UINT64_MAX), *e;

	assert_check_fails(entry("suspension", "5"), vc, CV_EINVAL, "statusPurpose",
			   "the entry's statusPurpose is suspension");
	assert_check_fails(entry("revocation", "131072"), vc, CV_EINVAL, "statusListIndex",
			   "past the end");
	assert_check_fails(entry("revocation", "99999999999999999999999"), vc, CV_EINVAL,
			   "statusListIndex", "past the end");
	assert_check_fails(entry("revocation", "-1"), vc, CV_EINVAL, "statusListIndex",
			   "base-10 integer");
	assert_check_fails(entry("revocation", "1e3"), vc, CV_EINVAL, "statusListIndex",
			   "base-10 integer");
	assert_check_fails(entry("revocation", ""), vc, CV_EINVAL, "statusListIndex",
			   "base-10 integer");
	assert_check_fails(entry("message", "5"), vc, CV_EUNSUPPORTED, "statusPurpose",
			   "only revocation and suspension");
	e = entry("revocation", "5");
	json_object_set_new(e, "statusListIndex", json_integer(5));
	assert_check_fails(e, vc, CV_EINVAL, "statusListIndex", "must be a string");
	e = entry("revocation", "5");
	json_object_set_new(e, "statusSize", json_integer(2));
	assert_check_fails(e, vc, CV_EUNSUPPORTED, "statusSize", "only statusSize 1");
	e = entry("revocation", "5");
	json_object_del(e, "statusListCredential");
	assert_check_fails(e, vc, CV_EINVAL, "statusListCredential", "has no statusListCredential");
	e = entry("revocation", "5");
	json_object_set_new(e, "type", json_string("StatusList2021Entry"));
	assert_check_fails(e, vc, CV_EUNSUPPORTED, "credentialStatus.type",
			   EXCHANGE_STATUS_LIST_ENTRY);
	assert_check_fails(json_string("revocation"), vc, CV_EINVAL, "credentialStatus",
			   "must be an object");
	json_decref(vc);
}

Test(status_list, a_list_that_is_not_a_status_list_credential_is_refused)
{
	json_t *vc = list_credential("revocation", UINT64_MAX), *subject;

	json_object_set_new(vc, "type", json_string("VerifiableCredential"));
	assert_check_fails(entry("revocation", "5"), vc, CV_EINVAL, "type",
			   EXCHANGE_STATUS_LIST_CREDENTIAL);
	json_decref(vc);
	vc = list_credential("revocation", UINT64_MAX);
	subject = json_object_get(vc, "credentialSubject");
	json_object_set_new(subject, "encodedList", json_string(ONE_BYTE_SHORT));
	assert_check_fails(entry("revocation", "5"), vc, CV_EINVAL, "encodedList",
			   "at least 131072");
	json_object_set_new(subject, "statusPurpose",
			    json_pack("[s, s]", "suspension", "revocation"));
	json_object_set_new(subject, "encodedList", json_string(BIT_0_SET));
	{
		struct exchange_status_result r;
		json_t *e = entry("revocation", "0");

		cr_assert_eq(exchange_status_check(e, vc, &r, NULL), CV_OK,
			     "a list may have several purposes");
		cr_assert_eq(r.set, 1);
		json_decref(e);
	}
	json_object_del(subject, "statusPurpose");
	assert_check_fails(entry("revocation", "5"), vc, CV_EINVAL,
			   "credentialSubject.statusPurpose", "no statusPurpose");
	json_decref(vc);
}

Test(status_list, a_document_is_checked_against_the_entries_naming_the_list)
{
	json_t *vc = list_credential("suspension", 23452);
	json_t *doc = parse("{\"credentialStatus\": ["
			    "{\"type\": \"BitstringStatusListEntry\", \"statusPurpose\": "
			    "\"revocation\", \"statusListIndex\": \"94567\", "
			    "\"statusListCredential\": \"https://customs.example/other\"},"
			    "{\"type\": \"BitstringStatusListEntry\", \"statusPurpose\": "
			    "\"suspension\", \"statusListIndex\": \"23452\", "
			    "\"statusListCredential\": \"" LIST_URL "\"}]}");
	json_t *lone = parse("{\"credentialStatus\": {\"type\": \"BitstringStatusListEntry\", "
			     "\"statusPurpose\": \"suspension\", \"statusListIndex\": \"3\", "
			     "\"statusListCredential\": \"" LIST_URL "\"}}");
	json_t *none = parse("{\"credentialStatus\": {\"statusListCredential\": \"x\"}}");
	struct exchange_status_result r;
	struct cv_error err;
	size_t checked, others;

	cr_assert_eq(exchange_status_check_document(doc, vc, &r, &checked, &others, &err), CV_OK,
		     "%s", err.message);
	cr_assert_eq(r.set, 1);
	cr_assert_str_eq(r.purpose, "suspension");
	cr_assert_eq(checked, 1);
	cr_assert_eq(others, 1);
	cr_assert_eq(exchange_status_check_document(lone, vc, &r, &checked, &others, &err), CV_OK);
	cr_assert_eq(r.set, 0);
	cr_assert_eq(r.index, 3);
	cr_assert_eq(exchange_status_check_document(none, vc, &r, &checked, &others, &err),
		     CV_ENOTFOUND);
	cr_assert(strstr(err.message, "no credentialStatus entry"), "%s", err.message);
	json_decref(doc);
	json_decref(lone);
	json_decref(none);
	json_decref(vc);
}

Test(status_list, a_list_out_of_force_is_refused)
{
	json_t *vc = list_credential("revocation", UINT64_MAX);
	int64_t jan15 = 1768435200000, skew = EXCHANGE_STATUS_CLOCK_SKEW_MS; /* 2026-01-15 */
	struct cv_error err;

	cr_assert_eq(exchange_status_list_current(vc, jan15, &err), CV_OK);
	cr_assert_eq(exchange_status_list_current(vc, jan15 - skew, &err), CV_OK,
		     "a partner's clock may be a little ahead");
	cr_assert_eq(exchange_status_list_current(vc, jan15 - skew - 1, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "validFrom");
	json_object_set_new(vc, "validUntil", json_string("2026-01-16T00:00:00Z"));
	cr_assert_eq(exchange_status_list_current(vc, jan15 + 86400000 + skew, &err), CV_OK);
	cr_assert_eq(exchange_status_list_current(vc, jan15 + 86400000 + skew + 1, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "expired at 2026-01-16T00:00:00Z"), "%s", err.message);
	json_object_set_new(vc, "validUntil", json_integer(3));
	cr_assert_eq(exchange_status_list_current(vc, jan15, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "validUntil");
	json_decref(vc);
}

Test(status_list, a_signed_list_verifies_and_says_the_same)
{
	json_t *key_file = parse("{\"publicKeyMultibase\": "
				 "\"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2\","
				 "\"secretKeyMultibase\": "
				 "\"z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq\"}");
	struct exchange_proof_options po = {ISSUER
					    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
					    "2026-01-15T09:30:00Z", NULL};
	json_t *vc = list_credential("revocation", 42), *secured, *e = entry("revocation", "42");
	struct exchange_status_result r;
	struct exchange_key key;
	struct cv_error err;

	cr_assert_geq(sodium_init(), 0);
	cr_assert_eq(exchange_key_from_json(key_file, &key, &err), CV_OK, "%s", err.message);
	cr_assert_eq(exchange_credential_sign(vc, &key, &po, &secured, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(exchange_credential_verify(secured, &err), CV_OK, "%s", err.message);
	cr_assert_eq(exchange_status_check(e, secured, &r, &err), CV_OK, "%s", err.message);
	cr_assert_eq(r.set, 1);
	sodium_memzero(&key, sizeof(key));
	json_decref(e);
	json_decref(secured);
	json_decref(vc);
	json_decref(key_file);
}
