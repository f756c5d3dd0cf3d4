/* ids.c — see ids.h. */
#include "base/ids.h"

#include "base/clock.h"
#include "base/err.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define UUID_COUNTER_BITS 12

int cv_ids_init(void) { return sodium_init() < 0 ? CV_EINTERNAL : CV_OK; }

/*
 * The time and sequence of the process's last id: milliseconds << 12 | a
 * counter (RFC 9562, 6.2, method 1, in the 12 bits of rand_a). Ids made in
 * one millisecond — a batch of 500 inbox rows — then still sort in the
 * order they were made; the counter spills into the next millisecond after
 * 4,096, and a clock that steps back continues after the last id.
 */
static _Atomic uint64_t last_stamp;

static uint64_t next_stamp(uint64_t ms)
{
	uint64_t prev = atomic_load(&last_stamp), next;

	do
		next = ms << UUID_COUNTER_BITS > prev ? ms << UUID_COUNTER_BITS : prev + 1;
	while (!atomic_compare_exchange_weak(&last_stamp, &prev, next));
	return next;
}

void cv_uuid7(char out[CV_UUID_STR])
{
	uint8_t b[16];
	uint64_t stamp = next_stamp((uint64_t)cv_clock_wall_ms()), ms = stamp >> UUID_COUNTER_BITS;

	randombytes_buf(b, sizeof(b));
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(ms >> (40 - 8 * i));
	b[6] = (uint8_t)(0x70 | ((stamp >> 8) & 0x0f)); /* version 7, counter */
	b[7] = (uint8_t)stamp;
	b[8] = (uint8_t)(0x80 | (b[8] & 0x3f)); /* variant 10 */
	snprintf(out, CV_UUID_STR,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}

int cv_uuid_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return 0;
		}
	}
	return i == 36;
}

void cv_secret_new(char out[CV_SECRET_STR])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, CV_SECRET_STR, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void cv_sha256_hex(const void *data, size_t len, char out[CV_SHA256_HEX])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(out, CV_SHA256_HEX, digest, sizeof(digest));
}

void cv_secret_hash(const char *secret, char out[CV_SHA256_HEX])
{
	cv_sha256_hex(secret, strlen(secret), out);
}
