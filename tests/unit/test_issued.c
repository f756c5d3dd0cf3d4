/*
 * test_issued.c — credentials the node issued and the status lists that
 * publish their revocation and suspension (exchange/issued.h), on a real
 * SQLite file with every migration: indexes handed out in order per list
 * and purpose, a full list followed by a new one, the lifecycle table, the
 * bits derived from the status, and a published list that verifies and
 * says what happened.
 */
#include "exchange/issued.h"

#include "base/ids.h"
#include "base/log.h"
#include "exchange/jcs.h"
#include "store/migrate.h"

#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1795000000000LL /* 2026-11-18T11:06:40Z */
#define BASE_URL "https://customs.kz.example/"
#define VERIFICATION_METHOD                                                                        \
	"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#"                                \
	"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

static char dir[] = "/tmp/caravan-issued-XXXXXX";
static struct store *store;
static struct store_conn *conn;

static void setup(void) { test_store_make(dir, &store, &conn, 0); }

static void teardown(void) { test_store_remove(store, dir); }

TestSuite(issued, .init = setup, .fini = teardown);

/* Issue one credential in its own transaction (asserts). */
static void issue(const char *kind, const char *subject, int revocable, int suspendable,
		  struct exchange_issued *out)
{
	struct exchange_issue req = {kind, subject, revocable, suspendable};
	struct cv_error err;

	cv_error_clear(&err);
	cr_assert_eq(store_begin(conn), 0);
	cr_assert_eq(exchange_issued_new(conn, &req, NOW, out, &err), CV_OK, "%s", err.message);
	cr_assert_eq(store_commit(conn), 0);
}

/* Apply action in its own transaction; returns the result. */
static int change(const char *id, const char *action, struct cv_error *err)
{
	int rc;

	cv_error_clear(err);
	cr_assert_eq(store_begin(conn), 0);
	rc = exchange_issued_change(conn, id, action, NOW + 1000, NULL, err);
	if (rc)
		store_rollback(conn);
	else
		cr_assert_eq(store_commit(conn), 0);
	return rc;
}

/* Bit index of list_id as the node would publish it now. */
static int bit(const struct exchange_status_slot *slot)
{
	struct exchange_status_list list = {NULL, 0};
	char purpose[16];
	int value = -1;

	cr_assert_eq(exchange_status_list_load(conn, slot->list_id, &list, purpose, NULL), CV_OK);
	cr_assert_eq(exchange_status_list_get(&list, (uint64_t)slot->index, &value, NULL), CV_OK);
	exchange_status_list_release(&list);
	return value;
}

Test(issued, indexes_are_handed_out_in_order_in_one_list_per_purpose)
{
	struct exchange_issued a, b, c;

	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 1, &a);
	issue(EXCHANGE_KIND_AEO_STATUS, "auth-2", 1, 1, &b);
	issue(EXCHANGE_KIND_CERTIFICATE_OF_ORIGIN, "KZ-CO-2026-000001", 1, 0, &c);
	cr_assert_str_eq(a.status, "active");
	cr_assert_eq(a.revocation.index, 0);
	cr_assert_eq(a.suspension.index, 0);
	cr_assert_eq(b.revocation.index, 1);
	cr_assert_eq(b.suspension.index, 1);
	cr_assert_eq(c.revocation.index, 2, "one revocation list for every kind");
	cr_assert_str_eq(a.revocation.list_id, c.revocation.list_id);
	cr_assert_str_neq(a.revocation.list_id, a.suspension.list_id);
	cr_assert_str_eq(c.suspension.list_id, "", "not suspendable: no entry");
	cr_assert(cv_uuid_valid(a.id) && cv_uuid_valid(a.revocation.list_id));
}

Test(issued, a_full_list_is_followed_by_a_new_one)
{
	struct exchange_issued a, b, c;

	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 0, &a);
	cr_assert_eq(store_execf(conn, NULL, "UPDATE status_lists SET allocated = size - 1", ""), 0);
	issue(EXCHANGE_KIND_AEO_STATUS, "auth-2", 1, 0, &b);
	issue(EXCHANGE_KIND_AEO_STATUS, "auth-3", 1, 0, &c);
	cr_assert_str_eq(b.revocation.list_id, a.revocation.list_id);
	cr_assert_eq(b.revocation.index, EXCHANGE_STATUS_LIST_MIN_BITS - 1, "the last index");
	cr_assert_str_neq(c.revocation.list_id, a.revocation.list_id);
	cr_assert_eq(c.revocation.index, 0);
}

Test(issued, the_status_entries_name_the_list_at_the_node_url)
{
	struct exchange_issued a;
	struct cv_buf text;
	char want[1024];
	json_t *entries;

	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 1, &a);
	issue(EXCHANGE_KIND_AEO_STATUS, "auth-2", 1, 1, &a);
	cr_assert_eq(exchange_issued_status(&a, BASE_URL "/", &entries), CV_OK);
	cv_buf_init(&text);
	cr_assert_eq(exchange_jcs_serialize(entries, &text, NULL), CV_OK);
	snprintf(want, sizeof(want),
		 "[{\"id\":\"https://customs.kz.example/api/v1/status-lists/%s#1\","
		 "\"statusListCredential\":\"https://customs.kz.example/api/v1/status-lists/%s\","
		 "\"statusListIndex\":\"1\",\"statusPurpose\":\"revocation\","
		 "\"type\":\"BitstringStatusListEntry\"},"
		 "{\"id\":\"https://customs.kz.example/api/v1/status-lists/%s#1\","
		 "\"statusListCredential\":\"https://customs.kz.example/api/v1/status-lists/%s\","
		 "\"statusListIndex\":\"1\",\"statusPurpose\":\"suspension\","
		 "\"type\":\"BitstringStatusListEntry\"}]",
		 a.revocation.list_id, a.revocation.list_id, a.suspension.list_id,
		 a.suspension.list_id);
	cr_assert_str_eq(cv_buf_str(&text), want);
	cv_buf_release(&text);
	json_decref(entries);
}

Test(issued, suspend_lift_and_revoke_move_the_published_bits)
{
	struct exchange_issued a, other, now;
	struct cv_error err;

	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 1, &other);
	issue(EXCHANGE_KIND_AEO_STATUS, "auth-2", 1, 1, &a);
	cr_assert_eq(bit(&a.revocation), 0);
	cr_assert_eq(bit(&a.suspension), 0);

	cr_assert_eq(change(a.id, "suspend", &err), CV_OK, "%s", err.message);
	cr_assert_eq(bit(&a.suspension), 1);
	cr_assert_eq(bit(&a.revocation), 0);
	cr_assert_eq(bit(&other.suspension), 0, "only its own bit");

	cr_assert_eq(change(a.id, "lift", &err), CV_OK, "%s", err.message);
	cr_assert_eq(bit(&a.suspension), 0);

	cr_assert_eq(change(a.id, "suspend", &err), CV_OK);
	cr_assert_eq(change(a.id, "revoke", &err), CV_OK, "%s", err.message);
	cr_assert_eq(bit(&a.revocation), 1);
	cr_assert_eq(bit(&a.suspension), 0, "revoked, not suspended");
	cr_assert_eq(exchange_issued_get(conn, a.id, &now), CV_OK);
	cr_assert_str_eq(now.status, "revoked");
	cr_assert_str_eq(now.updated_at, "2026-11-18T11:06:41Z");
	cr_assert_str_eq(now.issued_at, "2026-11-18T11:06:40Z");
}

Test(issued, changes_the_status_does_not_allow_are_refused_with_what_it_allows)
{
	struct exchange_issued a, c;
	struct cv_error err;

	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 1, &a);
	cr_assert_eq(change(a.id, "lift", &err), CV_ECONFLICT);
	cr_assert_str_eq(err.message,
			 "cannot lift a credential that is active; allowed: suspend, revoke");
	cr_assert_eq(change(a.id, "revoke", &err), CV_OK);
	cr_assert_eq(change(a.id, "revoke", &err), CV_ECONFLICT);
	cr_assert(strstr(err.message, "allowed: none (revocation is final)"), "%s", err.message);
	cr_assert_eq(change(a.id, "reinstate", &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "action");
	cr_assert_eq(change(a.id, NULL, &err), CV_EINVAL);
	cr_assert_eq(change("0190d8a8-4c52-7cc1-9a8e-5e2f1c0a7b11", "revoke", &err), CV_ENOTFOUND);

	issue(EXCHANGE_KIND_CERTIFICATE_OF_ORIGIN, "KZ-CO-2026-000001", 1, 0, &c);
	cr_assert_eq(change(c.id, "suspend", &err), CV_ECONFLICT);
	cr_assert(strstr(err.message, "issued without a suspension entry"), "%s", err.message);
	cr_assert_eq(exchange_issued_get(conn, c.id, &c), CV_OK);
	cr_assert_str_eq(c.status, "active", "nothing written");
}

Test(issued, a_credential_needs_a_known_kind_and_a_subject)
{
	struct exchange_issue req = {"passport", "x", 1, 0};
	struct exchange_issued out;
	struct cv_error err;
	char long_subject[EXCHANGE_SUBJECT_MAX + 2];

	cr_assert_eq(exchange_issued_new(conn, &req, NOW, &out, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "kind");
	req.kind = EXCHANGE_KIND_ADVANCE_CARGO;
	req.subject = "";
	cr_assert_eq(exchange_issued_new(conn, &req, NOW, &out, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "subject");
	memset(long_subject, 'x', sizeof(long_subject) - 1);
	long_subject[sizeof(long_subject) - 1] = '\0';
	req.subject = long_subject;
	cr_assert_eq(exchange_issued_new(conn, &req, NOW, &out, &err), CV_EINVAL);
	cr_assert_eq(exchange_issued_find(conn, EXCHANGE_KIND_ADVANCE_CARGO, "x", &out),
		     CV_ENOTFOUND);
}

Test(issued, the_newest_credential_of_a_subject_is_found)
{
	struct exchange_issued a, b, found;

	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 1, &a);
	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 1, &b);
	cr_assert_eq(exchange_issued_find(conn, EXCHANGE_KIND_AEO_STATUS, "auth-1", &found), CV_OK);
	cr_assert_str_eq(found.id, b.id);
	cr_assert_eq(found.revocation.index, b.revocation.index);
	cr_assert_str_eq(found.suspension.list_id, b.suspension.list_id);
	cr_assert_eq(exchange_issued_find(conn, EXCHANGE_KIND_ADVANCE_CARGO, "auth-1", &found),
		     CV_ENOTFOUND);
}

static json_t *test_key_file(void)
{
	json_error_t jerr;
	json_t *key_file = json_load_file("tests/vectors/eddsa-jcs-2022/keyPair.json", 0, &jerr);

	cr_assert(key_file, "%s", jerr.text);
	return key_file;
}

Test(issued, the_signed_document_is_kept_as_signed)
{
	struct exchange_proof_options po = {VERIFICATION_METHOD, "2026-11-18T11:06:40Z", NULL};
	json_t *key_file = test_key_file(), *doc, *secured, *back;
	struct exchange_issued a;
	struct exchange_key key;
	struct cv_error err;

	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 1, &a);
	cr_assert_eq(exchange_key_from_json(key_file, &key, NULL), CV_OK);
	doc = json_pack("{s:s, s:f}", "id", "urn:uuid:x", "weight", 1250.5);
	cr_assert_eq(exchange_issued_set_document(conn, a.id, doc, NOW, &err), CV_EINVAL,
		     "an unsigned document is not kept");
	cr_assert_eq(exchange_issued_document(conn, a.id, &back), CV_ENOTFOUND);
	cr_assert_eq(exchange_credential_sign(doc, &key, &po, &secured, NULL), CV_OK);
	cr_assert_eq(exchange_issued_set_document(conn, a.id, secured, NOW, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(exchange_issued_document(conn, a.id, &back), CV_OK);
	cr_assert_eq(exchange_credential_verify(back, &err), CV_OK, "%s", err.message);
	cr_assert(json_equal(back, secured));
	cr_assert_eq(exchange_issued_set_document(conn, "no-such-id", secured, NOW, &err),
		     CV_ENOTFOUND);
	json_decref(back);
	json_decref(secured);
	json_decref(doc);
	json_decref(key_file);
}

Test(issued, a_published_list_verifies_and_says_which_credential_is_revoked)
{
	struct exchange_publication pub = {BASE_URL, NOW, 24LL * 3600 * 1000, 300000};
	struct exchange_status_list list = {NULL, 0};
	json_t *key_file = test_key_file(), *published, *entries, *doc;
	struct exchange_issued a, b;
	struct exchange_signer signer;
	struct exchange_status_result r;
	struct exchange_key key;
	struct cv_error err;
	size_t checked, others;
	char purpose[16];

	issue(EXCHANGE_KIND_AEO_STATUS, "auth-1", 1, 1, &a);
	issue(EXCHANGE_KIND_AEO_STATUS, "auth-2", 1, 1, &b);
	cr_assert_eq(change(b.id, "revoke", &err), CV_OK);
	cr_assert_eq(exchange_key_from_json(key_file, &key, NULL), CV_OK);
	signer.key = &key;
	signer.verification_method = VERIFICATION_METHOD;
	signer.issuer = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
	cr_assert_eq(exchange_status_list_load(conn, b.revocation.list_id, &list, purpose, &err),
		     CV_OK);
	cr_assert_str_eq(purpose, "revocation");
	cr_assert_eq(exchange_status_list_publish(b.revocation.list_id, &list, purpose, &pub,
						  &signer, &published, &err),
		     CV_OK, "%s", err.message);
	exchange_status_list_release(&list);
	cr_assert_eq(exchange_credential_verify(published, &err), CV_OK, "%s", err.message);
	cr_assert_eq(exchange_status_list_current(published, NOW, &err), CV_OK, "%s", err.message);
	cr_assert_str_eq(json_string_value(json_object_get(published, "validUntil")),
			 "2026-11-19T11:06:40Z");

	/* b's document names the list: revoked; a's: not. */
	cr_assert_eq(exchange_issued_status(&b, BASE_URL, &entries), CV_OK);
	doc = json_pack("{s:o}", "credentialStatus", entries);
	cr_assert_eq(exchange_status_check_document(doc, published, &r, &checked, &others, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(r.set, 1);
	cr_assert_eq(checked, 1);
	cr_assert_eq(others, 1, "the suspension entry names the other list");
	json_decref(doc);
	cr_assert_eq(exchange_issued_status(&a, BASE_URL, &entries), CV_OK);
	doc = json_pack("{s:o}", "credentialStatus", entries);
	cr_assert_eq(exchange_status_check_document(doc, published, &r, &checked, &others, &err),
		     CV_OK);
	cr_assert_eq(r.set, 0);
	json_decref(doc);

	/* A key without its secret cannot publish. */
	key.has_secret = 0;
	cr_assert_eq(exchange_status_list_load(conn, b.revocation.list_id, &list, purpose, &err),
		     CV_OK);
	cr_assert_eq(exchange_status_list_publish(b.revocation.list_id, &list, purpose, &pub,
						  &signer, &doc, &err),
		     CV_EINVAL);
	cr_assert_null(doc);
	exchange_status_list_release(&list);
	cr_assert_eq(exchange_status_list_load(conn, "0190d8a8-4c52-7cc1-9a8e-5e2f1c0a7b11", &list,
					       purpose, &err),
		     CV_ENOTFOUND);
	cr_assert_null(list.bits);
	sodium_memzero(&key, sizeof(key));
	json_decref(published);
	json_decref(key_file);
}
