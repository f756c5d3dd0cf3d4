/* test_ids.c — UUIDv7 ids and secrets (base/ids.h). */
#include "base/ids.h"

#include "base/clock.h"
#include "base/err.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void ids_setup(void) { cr_assert_eq(cv_ids_init(), CV_OK); }

TestSuite(ids, .init = ids_setup);

static void ids_sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

static int ids_cmp(const void *a, const void *b) { return strcmp(a, b); }

Test(ids, uuid7_is_version_7_and_sorts_by_time)
{
	char first[CV_UUID_STR], second[CV_UUID_STR];

	cv_uuid7(first);
	ids_sleep_ms(3);
	cv_uuid7(second);
	cr_assert(cv_uuid_valid(first), "%s", first);
	cr_assert_eq(strlen(first), 36);
	cr_assert_eq(first[14], '7', "version nibble of %s", first);
	cr_assert(strchr("89ab", first[19]) != NULL, "variant of %s", first);
	cr_assert_lt(strcmp(first, second), 0, "%s then %s", first, second);
}

Test(ids, uuid7_carries_the_creation_time)
{
	char id[CV_UUID_STR], hex[13];
	int64_t before = cv_clock_now_ms(), after, stamp;

	cv_uuid7(id);
	after = cv_clock_now_ms();
	memcpy(hex, id, 8);
	memcpy(hex + 8, id + 9, 4);
	hex[12] = '\0';
	stamp = (int64_t)strtoll(hex, NULL, 16);
	cr_assert_geq(stamp, before);
	cr_assert_leq(stamp, after);
}

Test(ids, uuid7_values_are_unique)
{
	enum { N = 2000 };
	static char ids[N][CV_UUID_STR];

	for (int i = 0; i < N; i++)
		cv_uuid7(ids[i]);
	qsort(ids, N, CV_UUID_STR, ids_cmp);
	for (int i = 1; i < N; i++)
		cr_assert_neq(strcmp(ids[i - 1], ids[i]), 0, "duplicate %s", ids[i]);
}

Test(ids, uuid7_values_made_in_one_millisecond_sort_in_the_order_made)
{
	enum { N = 10000 };
	static char ids[N][CV_UUID_STR];

	for (int i = 0; i < N; i++)
		cv_uuid7(ids[i]);
	for (int i = 1; i < N; i++) {
		cr_assert_lt(strcmp(ids[i - 1], ids[i]), 0, "%s then %s", ids[i - 1], ids[i]);
		cr_assert(cv_uuid_valid(ids[i]) && ids[i][14] == '7', "%s", ids[i]);
	}
}

Test(ids, uuid_valid_accepts_canonical_form_only)
{
	static const char *const bad[] = {
		"",
		"0190a5c4-6b1e-7c3d-8e2f",
		"0190a5c4-6b1e-7c3d-8e2f-0a1b2c3d4e5f0",
		"0190a5c46b1e7c3d8e2f0a1b2c3d4e5f",
		"0190a5c4-6b1e-7c3d-8e2f-0a1b2c3d4e5g",
		"0190a5c4-6b1e-7c3d-8e2f-0a1b2c3d4e5 ",
		"0190a5c46-b1e-7c3d-8e2f-0a1b2c3d4e5f",
		"{0190a5c4-6b1e-7c3d-8e2f-0a1b2c3d4e5}",
		"0190a5c4_6b1e_7c3d_8e2f_0a1b2c3d4e5f",
		"0190a5c4-6b1e-7c3d-8e2f-0a1b2c3d4e5f'--",
	};

	cr_assert(cv_uuid_valid("0190a5c4-6b1e-7c3d-8e2f-0a1b2c3d4e5f"));
	cr_assert(cv_uuid_valid("00000000-0000-0000-0000-000000000000"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(cv_uuid_valid(bad[i]), "accepted \"%s\"", bad[i]);
}

Test(ids, secret_is_43_url_safe_characters_and_unique)
{
	char a[CV_SECRET_STR], b[CV_SECRET_STR];

	cv_secret_new(a);
	cv_secret_new(b);
	cr_assert_eq(strlen(a), 43);
	cr_assert_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
		     43, "%s", a);
	cr_assert_str_neq(a, b);
}

Test(ids, secret_hash_is_sha256_hex)
{
	char out[CV_SHA256_HEX];

	cv_secret_hash("abc", out);
	cr_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cv_secret_hash("", out);
	cr_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(ids, sha256_hex_covers_every_byte_including_nul)
{
	char with_nul[CV_SHA256_HEX], without[CV_SHA256_HEX];

	cv_sha256_hex("a\0b", 3, with_nul);
	cv_sha256_hex("a", 1, without);
	cr_assert_eq(strlen(with_nul), 64);
	cr_assert_str_neq(with_nul, without);
	cr_assert_str_eq(without,
			 "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
}
