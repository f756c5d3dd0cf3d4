/*
 * test_documents.c — the documents nodes exchange (exchange/documents.h):
 * hand-written fixtures (tests/fixtures/exchange/) read with known answers,
 * the builders giving exactly those documents from the same data, every
 * kind of bad member refused with its name, garbage refused without a
 * crash, and a certificate of origin compared with a declaration's items.
 */
#include "exchange/documents.h"

#include "base/file.h"
#include "exchange/advance_cargo.h"
#include "exchange/mra.h"
#include "base/mem.h"
#include "exchange/credential.h"
#include "exchange/jcs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURES "tests/fixtures/exchange/"
#define LIST_A "https://customs.kz.example/api/v1/status-lists/0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b"
#define LIST_B "https://customs.kz.example/api/v1/status-lists/0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5c"
#define ISSUER "did:web:customs.kz.example"

static struct cv_arena arena;

static void setup(void) { cv_arena_init(&arena, 0); }
static void teardown(void) { cv_arena_release(&arena); }

TestSuite(documents, .init = setup, .fini = teardown);

static json_t *fixture(const char *name)
{
	char path[128], *text;
	struct cv_error err;
	size_t size;
	json_t *doc;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	cv_error_clear(&err);
	cr_assert_eq(cv_file_read(path, 1 << 20, NULL, &text, &size, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(exchange_jcs_parse(text, size, name, &doc, &err), CV_OK, "%s", err.message);
	cv_free(text);
	return doc;
}

/* Both documents have the same canonical form. */
static void assert_same(const json_t *a, const json_t *b)
{
	struct cv_buf x, y;

	cv_buf_init(&x);
	cv_buf_init(&y);
	cr_assert_eq(exchange_jcs_serialize(a, &x, NULL), CV_OK);
	cr_assert_eq(exchange_jcs_serialize(b, &y, NULL), CV_OK);
	cr_assert_str_eq(cv_buf_str(&x), cv_buf_str(&y));
	cv_buf_release(&x);
	cv_buf_release(&y);
}

/* The credentialStatus entries of the fixtures, as exchange_issued_status() gives them. */
static json_t *status_entries(const char *list, const char *purpose, const char *index)
{
	char id[160];

	snprintf(id, sizeof(id), "%s#%s", list, index);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "type", "BitstringStatusListEntry",
			 "statusPurpose", purpose, "statusListIndex", index, "statusListCredential",
			 list);
}

/* ---- AEO status credential ---------------------------------------------------------- */

static const struct exchange_aeo_status fixture_aeo = {{"KZ123456789012", "Steppe Trading LLP", "KZ"},
						       "12 Abai Avenue, Almaty 050000",
						       "KZAEOS0000000001",
						       "AEOS",
						       "suspended",
						       "2026-06-02",
						       "2029-06-02",
						       "2026-11-28T08:59:12Z"};

Test(documents, the_aeo_fixture_reads_with_its_known_answers)
{
	json_t *doc = fixture("aeo-status.json");
	struct exchange_envelope env;
	struct exchange_aeo_status aeo;
	struct cv_error err;

	cr_assert_eq(exchange_document_kind(doc), EXCHANGE_DOCUMENT_AEO_STATUS);
	cr_assert_eq(exchange_aeo_status_read(doc, &env, &aeo, &err), CV_OK, "%s", err.message);
	cr_assert_str_eq(env.id, "urn:uuid:0193a1b2-8f00-7a11-b2c3-d4e5f6a7b8c9");
	cr_assert_str_eq(env.issuer, ISSUER);
	cr_assert_str_eq(env.valid_from, "2026-11-28T09:00:00Z");
	cr_assert_str_eq(env.valid_until, "2029-06-02T00:00:00Z");
	cr_assert_null(env.to, "an AEO credential goes to every MRA partner");
	cr_assert_eq(env.nstatus, 2);
	cr_assert_str_eq(env.status[0].purpose, "revocation");
	cr_assert_str_eq(env.status[0].list, LIST_A);
	cr_assert_eq(env.status[0].index, 7);
	cr_assert_str_eq(env.status[1].purpose, "suspension");
	cr_assert_str_eq(env.status[1].list, LIST_B);
	cr_assert_str_eq(aeo.holder.id, "KZ123456789012");
	cr_assert_str_eq(aeo.holder.name, "Steppe Trading LLP");
	cr_assert_str_eq(aeo.holder.country, "KZ");
	cr_assert_str_eq(aeo.address, "12 Abai Avenue, Almaty 050000");
	cr_assert_str_eq(aeo.number, "KZAEOS0000000001");
	cr_assert_str_eq(aeo.type, "AEOS");
	cr_assert_str_eq(aeo.status, "suspended");
	cr_assert_str_eq(aeo.authorized_on, "2026-06-02");
	cr_assert_str_eq(aeo.revalidation_due, "2029-06-02");
	cr_assert_str_eq(aeo.status_changed_at, "2026-11-28T08:59:12Z");
	json_decref(doc);
}

Test(documents, the_aeo_builder_gives_the_fixture)
{
	json_t *status = json_pack("[o, o]", status_entries(LIST_A, "revocation", "7"),
				   status_entries(LIST_B, "suspension", "7"));
	struct exchange_envelope env = {"urn:uuid:0193a1b2-8f00-7a11-b2c3-d4e5f6a7b8c9",
					ISSUER,
					"2026-11-28T09:00:00Z",
					"2029-06-02T00:00:00Z",
					NULL,
					status};
	json_t *doc, *want = fixture("aeo-status.json");
	struct cv_error err;

	cr_assert_eq(exchange_aeo_status_build(&env, &fixture_aeo, &doc, &err), CV_OK, "%s",
		     err.message);
	assert_same(doc, want);
	json_decref(doc);
	json_decref(want);
	json_decref(status);
}

/* What the registry keeps, the node can send: 400 Cyrillic characters are 800 bytes. */
Test(documents, the_longest_address_the_registry_keeps_is_sent)
{
	struct exchange_envelope env = {"urn:uuid:0193a1b2-8f00-7a11-b2c3-d4e5f6a7b8c9", ISSUER,
					"2026-11-28T09:00:00.125Z"};
	struct exchange_aeo_status aeo = fixture_aeo, back;
	char address[400 * 2 + 1] = "";
	struct exchange_envelope back_env;
	struct cv_error err;
	json_t *doc;

	for (size_t i = 0; i < 400; i++)
		memcpy(address + 2 * i, "\xd0\x96", 3); /* Ж, and the NUL after it */
	aeo.address = address;
	cr_assert_eq(exchange_aeo_status_build(&env, &aeo, &doc, &err), CV_OK, "%s", err.message);
	cr_assert_eq(exchange_aeo_status_read(doc, &back_env, &back, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(strlen(back.address), 800);
	cr_assert_str_eq(back_env.valid_from, "2026-11-28T09:00:00.125Z");
	json_decref(doc);
}

Test(documents, each_document_sent_once_has_a_new_urn_uuid)
{
	char a[EXCHANGE_DOCUMENT_URN_MAX], b[EXCHANGE_DOCUMENT_URN_MAX];

	exchange_document_new_id(a);
	exchange_document_new_id(b);
	cr_assert_eq(strlen(a), strlen("urn:uuid:") + 36, "%s", a);
	cr_assert_eq(strncmp(a, "urn:uuid:", 9), 0, "%s", a);
	cr_assert_str_neq(a, b);
}

Test(documents, an_aeo_credential_missing_a_member_is_not_built)
{
	struct exchange_envelope env = {"urn:uuid:0193a1b2-8f00-7a11-b2c3-d4e5f6a7b8c9",
					ISSUER,
					"2026-11-28T09:00:00Z",
					NULL,
					NULL,
					NULL};
	struct exchange_aeo_status aeo = fixture_aeo;
	struct cv_error err;
	json_t *doc = NULL;

	aeo.number = NULL;
	cr_assert_eq(exchange_aeo_status_build(&env, &aeo, &doc, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "credentialSubject.authorization.number");
	cr_assert_str_eq(err.message, "credentialSubject.authorization.number is required");
	cr_assert_null(doc);
	aeo = fixture_aeo;
	aeo.type = "AEO";
	cr_assert_eq(exchange_aeo_status_build(&env, &aeo, &doc, &err), CV_EINVAL);
	cr_assert_str_eq(err.message, "credentialSubject.authorization.type must be one of AEOC, "
				      "AEOS, AEOF, not \"AEO\"");
	env.issuer = NULL;
	cr_assert_eq(exchange_aeo_status_build(&env, &fixture_aeo, &doc, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "issuer");
	cr_assert_null(doc);
}

/* ---- advance cargo data -------------------------------------------------------------- */

static const char *const containers[] = {"CSQU3054383"};
static const char *const seals[] = {"KZ-S-000981", "KZ-S-000982"};
static const struct exchange_cargo_item cargo_items[] = {
	{"5201000000", "Cotton, not carded or combed", "KZ", 20000, "KGM", 20000, 3400000, "USD"},
	{"85171300", "Smartphones", "CN", 200, "H87", 52.5, 4000000, "USD"},
};
static const struct exchange_advance_cargo fixture_cargo = {"KZ-EX-2026-0000042",
							    "KZ-ALA",
							    "KZ",
							    "UZ",
							    {"KZ123456789012", "Steppe Trading LLP",
							     "KZ"},
							    {"UZ123456789", "Tashkent Textile JSC",
							     "UZ"},
							    {"KZ123456789012", NULL, NULL},
							    "3",
							    "777ABC02",
							    containers,
							    1,
							    seals,
							    2,
							    "2026-11-28T10:14:31Z",
							    "2026-11-29T08:00:00Z",
							    cargo_items,
							    2};

Test(documents, the_advance_cargo_fixture_reads_with_its_known_answers)
{
	json_t *doc = fixture("advance-cargo.json");
	struct exchange_envelope env;
	struct exchange_advance_cargo c;
	struct cv_error err;

	cr_assert_eq(exchange_document_kind(doc), EXCHANGE_DOCUMENT_ADVANCE_CARGO);
	cr_assert_eq(exchange_advance_cargo_read(doc, &arena, &env, &c, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(env.nstatus, 0, "advance cargo data is not revocable");
	cr_assert_str_eq(env.to, "did:web:customs.uz.example");
	cr_assert_str_eq(c.declaration, "KZ-EX-2026-0000042");
	cr_assert_str_eq(c.office, "KZ-ALA");
	cr_assert_str_eq(c.departure, "KZ");
	cr_assert_str_eq(c.destination, "UZ");
	cr_assert_str_eq(c.exporter.name, "Steppe Trading LLP");
	cr_assert_str_eq(c.importer.id, "UZ123456789");
	cr_assert_str_eq(c.declarant.id, "KZ123456789012");
	cr_assert_null(c.declarant.name);
	cr_assert_str_eq(c.mode, "3");
	cr_assert_str_eq(c.vehicle, "777ABC02");
	cr_assert_eq(c.ncontainers, 1);
	cr_assert_str_eq(c.containers[0], "CSQU3054383");
	cr_assert_eq(c.nseals, 2);
	cr_assert_str_eq(c.seals[1], "KZ-S-000982");
	cr_assert_str_eq(c.released_at, "2026-11-28T10:14:31Z");
	cr_assert_str_eq(c.expected_arrival, "2026-11-29T08:00:00Z");
	cr_assert_eq(c.nitems, 2);
	cr_assert_str_eq(c.items[0].hs, "5201000000");
	cr_assert_eq(c.items[0].quantity, 20000);
	cr_assert_eq(c.items[0].amount, 3400000);
	cr_assert_str_eq(c.items[1].description, "Smartphones");
	cr_assert_str_eq(c.items[1].origin, "CN");
	cr_assert_str_eq(c.items[1].unit, "H87");
	cr_assert_eq(c.items[1].net_mass, 52.5);
	cr_assert_str_eq(c.items[1].currency, "USD");
	json_decref(doc);
}

Test(documents, the_advance_cargo_builder_gives_the_fixture)
{
	struct exchange_envelope env = {"urn:uuid:0193a1c0-1111-7222-8333-444455556666",
					ISSUER,
					"2026-11-28T10:15:00Z",
					"2026-12-28T10:15:00Z",
					"did:web:customs.uz.example",
					NULL};
	json_t *doc, *want = fixture("advance-cargo.json"), *empty = json_array();
	struct exchange_advance_cargo c = fixture_cargo;
	struct cv_error err;

	cr_assert_eq(exchange_advance_cargo_build(&env, &c, &doc, &err), CV_OK, "%s", err.message);
	assert_same(doc, want);
	json_decref(doc);
	env.credential_status = empty;
	cr_assert_eq(exchange_advance_cargo_build(&env, &c, &doc, &err), CV_OK, "%s", err.message);
	cr_assert_null(json_object_get(doc, "credentialStatus"), "[] means no credentialStatus");
	json_decref(doc);
	c.nitems = 0;
	cr_assert_eq(exchange_advance_cargo_build(&env, &c, &doc, &err), CV_EINVAL);
	cr_assert_str_eq(err.message, "credentialSubject.items must be a list of 1 to 999");
	json_decref(empty);
	json_decref(want);
}

/* ---- certificate of origin ------------------------------------------------------------ */

static const struct exchange_origin_item origin_items[] = {
	{"520100", "Cotton, not carded or combed", 20000, "KGM", 20500, "KZ", "WO"},
	{"520512", "Cotton yarn, single, of uncombed fibres", 5000, "KGM", 5150, "KZ", "PSR"},
};
static const struct exchange_certificate_of_origin fixture_certificate =
	{"KZ-CO-2026-000117",
	 "CIS-FTA-2011",
	 "KZ",
	 "UZ",
	 "2026-11-28",
	 {"KZ123456789012", "Steppe Trading LLP", "KZ"},
	 {"UZ123456789", "Tashkent Textile JSC", "UZ"},
	 "3",
	 "777ABC02",
	 "2026-11-28",
	 "INV-2026-118",
	 "KZ-EX-2026-0000042",
	 origin_items,
	 2};

Test(documents, the_certificate_fixture_reads_with_its_known_answers)
{
	json_t *doc = fixture("certificate-of-origin.json");
	struct exchange_certificate_of_origin c;
	struct exchange_envelope env;
	struct cv_error err;

	cr_assert_eq(exchange_document_kind(doc), EXCHANGE_DOCUMENT_CERTIFICATE_OF_ORIGIN);
	cr_assert_eq(exchange_certificate_read(doc, &arena, &env, &c, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(env.nstatus, 1);
	cr_assert_eq(env.status[0].index, 8);
	cr_assert_str_eq(env.to, "did:web:customs.uz.example");
	cr_assert_str_eq(c.number, "KZ-CO-2026-000117");
	cr_assert_str_eq(c.arrangement, "CIS-FTA-2011");
	cr_assert_str_eq(c.exporting_country, "KZ");
	cr_assert_str_eq(c.importing_country, "UZ");
	cr_assert_str_eq(c.issued_on, "2026-11-28");
	cr_assert_str_eq(c.importer.name, "Tashkent Textile JSC");
	cr_assert_str_eq(c.mode, "3");
	cr_assert_str_eq(c.invoice, "INV-2026-118");
	cr_assert_str_eq(c.export_declaration, "KZ-EX-2026-0000042");
	cr_assert_eq(c.nitems, 2);
	cr_assert_str_eq(c.items[1].hs, "520512");
	cr_assert_eq(c.items[1].quantity, 5000);
	cr_assert_eq(c.items[1].gross_mass, 5150);
	cr_assert_str_eq(c.items[1].criterion, "PSR");
	json_decref(doc);
}

Test(documents, the_certificate_builder_gives_the_fixture_and_it_signs)
{
	json_t *status = status_entries(LIST_A, "revocation", "8");
	struct exchange_envelope env = {"urn:uuid:0193a1c0-2222-7333-8444-555566667777",
					ISSUER,
					"2026-11-28T09:30:00Z",
					"2027-11-28T09:30:00Z",
					"did:web:customs.uz.example",
					status};
	json_t *doc, *want = fixture("certificate-of-origin.json"), *key_file, *secured;
	struct exchange_proof_options po = {"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4sw"
					    "bTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
					    "2026-11-28T09:30:00Z", NULL};
	struct exchange_key key;
	struct cv_error err;
	json_error_t jerr;

	cr_assert_eq(exchange_certificate_build(&env, &fixture_certificate, &doc, &err), CV_OK,
		     "%s", err.message);
	assert_same(doc, want);
	key_file = json_load_file("tests/vectors/eddsa-jcs-2022/keyPair.json", 0, &jerr);
	cr_assert(key_file);
	cr_assert_eq(exchange_key_from_json(key_file, &key, NULL), CV_OK);
	cr_assert_eq(exchange_credential_sign(doc, &key, &po, &secured, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(exchange_credential_verify(secured, &err), CV_OK, "%s", err.message);
	json_object_set_new(json_object_get(secured, "credentialSubject"), "arrangement",
			    json_string("GSP"));
	cr_assert_eq(exchange_credential_verify(secured, &err), CV_EAUTH, "altered after signing");
	json_decref(secured);
	json_decref(key_file);
	json_decref(doc);
	json_decref(want);
	json_decref(status);
}

/* ---- bad members and garbage ------------------------------------------------------------ */

/* Set (value) or delete (NULL) the member at path ("credentialSubject/items/1/hs"). */
static void edit(json_t *doc, const char *path, json_t *value)
{
	char copy[128], *segment = copy, *slash;
	json_t *at = doc;

	snprintf(copy, sizeof(copy), "%s", path);
	while ((slash = strchr(segment, '/'))) {
		*slash = '\0';
		at = json_is_array(at) ? json_array_get(at, strtoul(segment, NULL, 10))
				       : json_object_get(at, segment);
		cr_assert(at, "%s: no %s", path, segment);
		segment = slash + 1;
	}
	if (json_is_array(at)) {
		cr_assert_eq(json_array_set_new(at, strtoul(segment, NULL, 10), value), 0);
		return;
	}
	if (value)
		cr_assert_eq(json_object_set_new(at, segment, value), 0);
	else
		cr_assert_eq(json_object_del(at, segment), 0, "%s", path);
}

enum kind { AEO, CARGO, CERTIFICATE };

static const char *const fixture_names[] = {"aeo-status.json", "advance-cargo.json",
					    "certificate-of-origin.json"};

static int read_kind(enum kind kind, const json_t *doc, struct cv_error *err)
{
	struct exchange_envelope env;
	struct exchange_aeo_status aeo;
	struct exchange_advance_cargo cargo;
	struct exchange_certificate_of_origin certificate;

	cv_error_clear(err);
	if (kind == AEO)
		return exchange_aeo_status_read(doc, &env, &aeo, err);
	if (kind == CARGO)
		return exchange_advance_cargo_read(doc, &arena, &env, &cargo, err);
	return exchange_certificate_read(doc, &arena, &env, &certificate, err);
}

struct bad_case {
	enum kind kind;
	const char *path;
	const char *value; /* JSON text, or NULL to delete */
	const char *field;
	const char *says;
};

static const struct bad_case bad_cases[] = {
	{CARGO, "credentialSubject/items", NULL, "credentialSubject.items", "is required"},
	{CARGO, "credentialSubject/items", "[]", "credentialSubject.items", "list of 1 to 999"},
	{CARGO, "credentialSubject/items/1", "\"x\"", "credentialSubject.items[1]",
	 "must be an object"},
	{CARGO, "credentialSubject/items/1/hs", "\"85A\"", "credentialSubject.items[1].hs",
	 "6 to 10 digits, not \"85A\""},
	{CARGO, "credentialSubject/items/1/hs", "85171300", "credentialSubject.items[1].hs",
	 "must be text"},
	{CARGO, "credentialSubject/items/1/hs", "\"\"", "credentialSubject.items[1].hs",
	 "must be text"},
	{CARGO, "credentialSubject/items/0/quantity", "-5", "credentialSubject.items[0].quantity",
	 "above 0"},
	{CARGO, "credentialSubject/items/0/quantity", "\"5\"",
	 "credentialSubject.items[0].quantity", "above 0"},
	{CARGO, "credentialSubject/items/0/netMass", NULL, "credentialSubject.items[0].netMass",
	 "is required"},
	{CARGO, "credentialSubject/items/0/origin", NULL, "credentialSubject.items[0].origin",
	 "is required"},
	{CARGO, "credentialSubject/items/0/value/amount", "1.5",
	 "credentialSubject.items[0].value.amount", "whole number"},
	{CARGO, "credentialSubject/items/0/value/amount", "1e300",
	 "credentialSubject.items[0].value.amount", "whole number"},
	{CARGO, "credentialSubject/items/0/value/currency", "\"usd\"",
	 "credentialSubject.items[0].value.currency", "ISO 4217"},
	{CARGO, "credentialSubject/items/0/value", "4000000", "credentialSubject.items[0].value",
	 "must be an object"},
	{CARGO, "credentialSubject/items/0/value", NULL, NULL, NULL},
	{CARGO, "credentialSubject/items/0/description", "\"\"", NULL, NULL},
	{CARGO, "credentialSubject/items/0/unit", "\"kilograms\"",
	 "credentialSubject.items[0].unit", "UNECE Rec 20"},
	{CARGO, "credentialSubject/transport/containers/0", "\"CSQU3054384\"",
	 "credentialSubject.transport.containers[0]", "check digit"},
	{CARGO, "credentialSubject/transport/containers", "\"CSQU3054383\"",
	 "credentialSubject.transport.containers", "must be a list"},
	{CARGO, "credentialSubject/transport/seals/1", "\"seal #2\"",
	 "credentialSubject.transport.seals[1]", "seal number"},
	{CARGO, "credentialSubject/transport/mode", "\"6\"", "credentialSubject.transport.mode",
	 "one of 1, 2, 3, 4, 5, 7, 8, 9"},
	{CARGO, "credentialSubject/transport", NULL, "credentialSubject.transport", "is required"},
	{CARGO, "credentialSubject/exporter", NULL, "credentialSubject.exporter", "is required"},
	{CARGO, "credentialSubject/exporter", "\"\"", "credentialSubject.exporter",
	 "text of 1 to 40 bytes"},
	{CARGO, "credentialSubject/exporter", "{\"id\": \"KZ123456789012\"}",
	 "credentialSubject.exporter", "text of 1 to 40 bytes"},
	{CARGO, "credentialSubject/importer", "\"UZ 123\"", "credentialSubject.importer",
	 "letters, digits"},
	{CARGO, "credentialSubject/importer", "\"\"", NULL, NULL}, /* blank: not given */
	{CARGO, "credentialSubject/exportCountry", "\"kz\"", "credentialSubject.exportCountry",
	 "two capitals"},
	{CARGO, "credentialSubject/destinationCountry", NULL,
	 "credentialSubject.destinationCountry", "is required"},
	{CARGO, "credentialSubject/releasedAt", "\"yesterday\"", "credentialSubject.releasedAt",
	 "RFC 3339"},
	{CARGO, "credentialSubject/exportDeclaration", "\"KZ EX 42\"",
	 "credentialSubject.exportDeclaration", "letters, digits"},
	{CARGO, "credentialSubject/remarks", "\"fragile\"", NULL, NULL}, /* unknown: ignored */
	{CARGO, "credentialSubject", "[]", "credentialSubject", "must be an object"},
	{CARGO, "validFrom", NULL, "validFrom", "is required"},
	{CARGO, "validUntil", "\"2026-01-01T00:00:00Z\"", "validUntil", "before validFrom"},
	{CARGO, "@context", "[\"https://www.w3.org/2018/credentials/v1\"]", "@context",
	 "https://www.w3.org/ns/credentials/v2"},
	{CARGO, "type", "[\"VerifiableCredential\"]", "type", "AdvanceCargoData"},
	{CARGO, "type", "\"AdvanceCargoData\"", "type", "VerifiableCredential"},
	{CARGO, "id", "\"42\"", "id", "must be a URI"},
	{CARGO, "issuer", "7", "issuer", "must be text"},
	{CARGO, "issuer", "{\"id\": \"did:web:customs.kz.example\", \"name\": \"KZ customs\"}",
	 NULL, NULL},
	{CARGO, "issuer", "{\"name\": \"KZ customs\"}", "issuer.id", "is required"},
	{CARGO, "credentialStatus", "5", "credentialStatus", "list of 1 to 4"},
	{CARGO, "credentialStatus", "[]", "credentialStatus", "list of 1 to 4"},
	{CARGO, "to", "5", "to", "a DID or a list of DIDs"},
	{CARGO, "to", "[]", "to", "a DID or a list of DIDs"},
	{CARGO, "to", "[\"did:web:customs.uz.example\", 7]", "to", "a DID or a list of DIDs"},
	{CARGO, "to", "[\"did:web:customs.uz.example\", \"did:web:customs.kg.example\"]", NULL, NULL},
	{AEO, "credentialStatus/1/statusListIndex", "\"x7\"", "credentialStatus[1].statusListIndex",
	 "base-10 integer"},
	{AEO, "credentialStatus/0/type", "\"StatusList2021Entry\"", "credentialStatus[0].type",
	 "BitstringStatusListEntry"},
	{AEO, "credentialStatus/0", "3", "credentialStatus[0]", "must be an object"},
	{AEO, "credentialSubject/authorization/type", "\"AEO\"",
	 "credentialSubject.authorization.type", "one of AEOC, AEOS, AEOF"},
	{AEO, "credentialSubject/authorization/status", "\"active\"",
	 "credentialSubject.authorization.status", "one of valid, suspended, revoked, expired"},
	{AEO, "credentialSubject/authorization/validFrom", "\"2026-02-30\"",
	 "credentialSubject.authorization.validFrom", "YYYY-MM-DD"},
	{AEO, "credentialSubject/authorization/statusChangedAt", "\"2026-11-28\"",
	 "credentialSubject.authorization.statusChangedAt", "RFC 3339"},
	{AEO, "credentialSubject/authorization", NULL, "credentialSubject.authorization",
	 "is required"},
	{AEO, "credentialSubject/operator/name", NULL, "credentialSubject.operator.name",
	 "is required"},
	{AEO, "credentialSubject/operator/name", "\"Steppe\\u0000Trading\"",
	 "credentialSubject.operator.name", "text of 1 to"},
	{AEO, "credentialSubject/operator/identification", "\"KZ 1234\"",
	 "credentialSubject.operator.identification", "letters, digits"},
	{AEO, "credentialSubject/operator/country", "\"Kazakhstan\"",
	 "credentialSubject.operator.country", "ISO 3166"},
	{AEO, "credentialSubject/operator", "[]", "credentialSubject.operator", "must be an object"},
	{AEO, "credentialSubject/operator/address", "null", NULL, NULL},
	{CERTIFICATE, "credentialSubject/items/0/originCriterion", NULL,
	 "credentialSubject.items[0].originCriterion", "is required"},
	{CERTIFICATE, "credentialSubject/items/0/sequence", "2",
	 "credentialSubject.items[0].sequence", "must be 1"},
	{CERTIFICATE, "credentialSubject/items/0/grossMass", "0",
	 "credentialSubject.items[0].grossMass", "above 0"},
	{CERTIFICATE, "credentialSubject/consignment", NULL, "credentialSubject.consignment",
	 "is required"},
	{CERTIFICATE, "credentialSubject/consignment/departureDate", "\"28.11.2026\"",
	 "credentialSubject.consignment.departureDate", "YYYY-MM-DD"},
	{CERTIFICATE, "credentialSubject/importer", NULL, "credentialSubject.importer",
	 "is required"},
	{CERTIFICATE, "credentialSubject/importer/id", "\"\"", "credentialSubject.importer.id",
	 "text of 1 to 40 bytes"},
	{CERTIFICATE, "credentialStatus/statusPurpose", "\"\"", "credentialStatus.statusPurpose",
	 "text of 1 to 32 bytes"},
};

Test(documents, each_bad_member_is_refused_naming_it)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		json_t *doc = fixture(fixture_names[b->kind]), *value = NULL;
		struct cv_error err;
		json_error_t jerr;
		int rc;

		if (b->value) {
			value = json_loads(b->value, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
			cr_assert(value, "case %zu: %s", i, jerr.text);
		}
		edit(doc, b->path, value);
		rc = read_kind(b->kind, doc, &err);
		if (!b->field) {
			cr_assert_eq(rc, CV_OK, "case %zu (%s): %s", i, b->path, err.message);
		} else {
			cr_assert_eq(rc, CV_EINVAL, "case %zu (%s) was accepted", i, b->path);
			cr_assert_str_eq(err.field, b->field, "case %zu: %s", i, err.message);
			cr_assert(strstr(err.message, b->says),
				  "case %zu: \"%s\" does not say \"%s\"", i, err.message, b->says);
			cr_assert(!strncmp(err.message, b->field, strlen(b->field)),
				  "case %zu: the message starts with the member: %s", i,
				  err.message);
		}
		json_decref(doc);
	}
}

Test(documents, garbage_is_refused_without_a_crash)
{
	static const char *const garbage[] =
		{"[]",
		 "3",
		 "\"text\"",
		 "null",
		 "{}",
		 "{\"@context\": []}",
		 "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"], \"type\": "
		 "[\"VerifiableCredential\", \"AEOStatusCredential\", \"AdvanceCargoCredential\", "
		 "\"CertificateOfOriginCredential\"]}",
		 "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"], \"type\": "
		 "[\"VerifiableCredential\", \"AdvanceCargoCredential\", "
		 "\"CertificateOfOriginCredential\", \"AEOStatusCredential\"], \"id\": \"urn:x\", "
		 "\"issuer\": \"did:x\", \"validFrom\": \"2026-01-01T00:00:00Z\", "
		 "\"credentialSubject\": {\"items\": [{}, 5, null], \"transport\": [], "
		 "\"exporter\": \"x\"}}"};

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		json_t *doc;
		struct cv_error err;

		cr_assert_eq(exchange_jcs_parse(garbage[i], strlen(garbage[i]), "garbage", &doc,
						&err),
			     CV_OK);
		for (enum kind k = AEO; k <= CERTIFICATE; k++) {
			cr_assert_eq(read_kind(k, doc, &err), CV_EINVAL, "garbage %zu, kind %d", i,
				     (int)k);
			cr_assert(err.message[0], "garbage %zu says why", i);
		}
		json_decref(doc);
	}
}

Test(documents, the_kind_and_the_validity_period_of_a_document)
{
	json_t *doc = fixture("advance-cargo.json");
	struct exchange_envelope env;
	struct exchange_advance_cargo c;
	int64_t from = 1795860900000LL; /* 2026-11-28T10:15:00Z */
	struct cv_error err;

	cr_assert_eq(exchange_advance_cargo_read(doc, &arena, &env, &c, &err), CV_OK);
	cr_assert_eq(exchange_envelope_in_force(&env, from, &err), CV_OK);
	cr_assert_eq(exchange_envelope_in_force(&env, from - 3600000, &err), CV_EINVAL);
	cr_assert_str_eq(err.message, "the document is not valid before 2026-11-28T10:15:00Z");
	cr_assert_eq(exchange_envelope_in_force(&env, from + 31LL * 86400000, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "validUntil");
	json_object_set_new(doc, "type", json_string("VerifiableCredential"));
	cr_assert_eq(exchange_document_kind(doc), EXCHANGE_DOCUMENT_UNKNOWN);
	cr_assert_eq(exchange_document_kind(NULL), EXCHANGE_DOCUMENT_UNKNOWN);
	json_decref(doc);
}

Test(documents, what_the_senders_of_main_send_reads_with_its_known_answers)
{
	json_t *aeo_doc = fixture("aeo-status-as-sent.json");
	json_t *cargo_doc = fixture("advance-cargo-as-sent.json");
	struct exchange_advance_cargo c;
	struct exchange_aeo_status aeo;
	struct exchange_envelope env;
	struct cv_error err;

	/* One name for each type on the wire. */
	cr_assert_str_eq(EXCHANGE_TYPE_AEO_STATUS, EXCHANGE_AEO_STATUS_TYPE);
	cr_assert_str_eq(EXCHANGE_TYPE_ADVANCE_CARGO, ADVANCE_CARGO_TYPE);
	cr_assert_eq(exchange_aeo_status_read(aeo_doc, &env, &aeo, &err), CV_OK, "%s", err.message);
	cr_assert_str_eq(env.valid_from, "2026-11-28T04:16:18.929Z", "milliseconds are read");
	cr_assert_str_eq(env.to, "did:web:customs.uz");
	cr_assert_eq(env.nstatus, 2);
	cr_assert_str_eq(aeo.holder.id, "KZ123456789012");
	cr_assert_null(aeo.address);
	cr_assert_str_eq(aeo.number, "KZ-AEOS-2026-0001");
	cr_assert_str_eq(aeo.status, "suspended");
	cr_assert_str_eq(aeo.authorized_on, "2026-11-28");
	cr_assert_eq(exchange_advance_cargo_read(cargo_doc, &arena, &env, &c, &err), CV_OK, "%s",
		     err.message);
	cr_assert_str_eq(c.declaration, "KZ-EX-2026-0000042");
	cr_assert_str_eq(c.exporter.id, "KZ123456789012");
	cr_assert_null(c.importer.id, "a blank importer is not given");
	cr_assert_null(c.released_at);
	cr_assert_eq(c.ncontainers, 0);
	cr_assert_eq(c.nitems, 1);
	cr_assert_str_eq(c.items[0].description, "Cotton, not carded or combed");
	cr_assert_null(c.items[0].currency, "no value given");
	json_decref(aeo_doc);
	json_decref(cargo_doc);
}

/* ---- certificate against declaration ------------------------------------------------------ */

Test(documents, every_item_the_certificate_does_not_cover_is_named_with_its_reason)
{
	/* HS, origin, quantity, unit as an import declaration states them. */
	const struct trade_item declared[] = {
		{.hs = "5201000000", .origin = "KZ", .quantity = 12000, .unit = "KGM"},
		{.hs = "5201000000", .origin = "KZ", .quantity = 9000, .unit = "KGM"},
		{.hs = "52051200", .origin = "UZ", .quantity = 100, .unit = "KGM"},
		{.hs = "61091000", .origin = "KZ", .quantity = 10, .unit = "H87"},
		{.hs = "52051200", .origin = "KZ", .quantity = 100, .unit = "H87"},
		{.hs = "520512", .origin = "KZ", .quantity = 4900, .unit = "KGM"},
		{.hs = "5205130000", .origin = "KZ", .quantity = 1, .unit = "KGM"},
	};
	struct exchange_mismatches m;
	json_t *list;
	char *text;

	cr_assert_eq(exchange_certificate_compare(&fixture_certificate, declared, 7, &m), CV_OK);
	cr_assert_eq(m.count, 5);
	cr_assert_eq(m.list[0].item, 2);
	cr_assert_str_eq(m.list[0].field, "quantity");
	cr_assert_str_eq(m.list[0].reason, "item 2: 9000 KGM declared, certificate "
					   "KZ-CO-2026-000117 has 8000 KGM of HS 520100 left (of "
					   "20000)");
	cr_assert_eq(m.list[1].item, 3);
	cr_assert_str_eq(m.list[1].field, "origin");
	cr_assert_str_eq(m.list[1].reason, "item 3: origin UZ declared, certificate "
					   "KZ-CO-2026-000117 gives HS 52051200 origin KZ");
	cr_assert_eq(m.list[2].item, 4);
	cr_assert_str_eq(m.list[2].field, "hs");
	cr_assert_str_eq(m.list[2].reason,
			 "item 4: HS 61091000 is not on certificate KZ-CO-2026-000117");
	cr_assert_eq(m.list[3].item, 5);
	cr_assert_str_eq(m.list[3].field, "unit");
	cr_assert_str_eq(m.list[3].reason, "item 5: declared in H87, certificate "
					   "KZ-CO-2026-000117 counts HS 520512 in KGM");
	cr_assert_eq(m.list[4].item, 7, "520513 is another subheading than 520512");
	cr_assert_str_eq(m.list[4].field, "hs");
	list = exchange_mismatches_json(&m);
	text = json_dumps(list, JSON_COMPACT);
	cr_assert(strstr(text, "{\"item\":4,\"field\":\"hs\",\"reason\":\"item 4: HS 61091000"),
		  "%s", text);
	free(text);
	json_decref(list);
	exchange_mismatches_release(&m);

	/* The items that fit, alone: no mismatch. */
	cr_assert_eq(exchange_certificate_compare(&fixture_certificate, declared, 1, &m), CV_OK);
	cr_assert_eq(m.count, 0);
	exchange_mismatches_release(&m);
}

Test(documents, several_items_draw_on_one_certificate_item_to_the_last_unit)
{
	const struct trade_item declared[] = {
		{.hs = "52010000", .origin = "KZ", .quantity = 0.1, .unit = "KGM"},
		{.hs = "52010000", .origin = "KZ", .quantity = 0.2, .unit = "KGM"},
		{.hs = "52010000", .origin = "KZ", .quantity = 19999.7, .unit = "KGM"},
		{.hs = "52010000", .origin = "KZ", .quantity = 0.001, .unit = "KGM"},
	};
	struct exchange_mismatches m;

	cr_assert_eq(exchange_certificate_compare(&fixture_certificate, declared, 3, &m), CV_OK);
	cr_assert_eq(m.count, 0, "%s", m.count ? m.list[0].reason : "");
	exchange_mismatches_release(&m);
	cr_assert_eq(exchange_certificate_compare(&fixture_certificate, declared, 4, &m), CV_OK);
	cr_assert_eq(m.count, 1);
	cr_assert_eq(m.list[0].item, 4);
	cr_assert_str_eq(m.list[0].field, "quantity");
	exchange_mismatches_release(&m);
}
