/*
 * test_base58.c — base58btc (exchange/base58.h): Bitcoin Core's test
 * vectors (src/test/data/base58_encode_decode.json, MIT), and the wide-limb
 * conversion against the schoolbook one kept here as the reference (one
 * digit or one byte at a time, as base58.c did before), on random inputs of
 * every length up to EXCHANGE_BASE58_MAX, with leading zeros, and on
 * damaged texts.
 */
#include "exchange/base58.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* The reference encoder: the base-58 digits kept little end first, one input byte a step. */
static size_t reference_encode(const unsigned char *data, size_t len, char *text)
{
	unsigned char digits[EXCHANGE_BASE58_MAX * 2];
	size_t ndigits = 0, zeros = 0, n = 0;

	while (zeros < len && data[zeros] == 0)
		zeros++;
	for (size_t i = zeros; i < len; i++) {
		unsigned carry = data[i];

		for (size_t j = 0; j < ndigits; j++) {
			carry += (unsigned)digits[j] << 8;
			digits[j] = (unsigned char)(carry % 58);
			carry /= 58;
		}
		for (; carry; carry /= 58)
			digits[ndigits++] = (unsigned char)(carry % 58);
	}
	for (size_t i = 0; i < zeros; i++)
		text[n++] = '1';
	for (size_t i = ndigits; i > 0; i--)
		text[n++] = alphabet[digits[i - 1]];
	text[n] = '\0';
	return n;
}

/* The reference decoder: the bytes kept little end first, one character a step. */
static int reference_decode(const char *text, unsigned char *out, size_t size, size_t *len)
{
	unsigned char bytes[EXCHANGE_BASE58_MAX];
	size_t nbytes = 0, zeros = 0, n = strlen(text);

	*len = 0;
	if (n == 0 || n > EXCHANGE_BASE58_MAX)
		return CV_EINVAL;
	while (zeros < n && text[zeros] == '1')
		zeros++;
	for (size_t i = zeros; i < n; i++) {
		const char *at = strchr(alphabet, text[i]);
		unsigned carry;

		if (!at)
			return CV_EINVAL;
		carry = (unsigned)(at - alphabet);
		for (size_t j = 0; j < nbytes; j++) {
			carry += (unsigned)bytes[j] * 58;
			bytes[j] = (unsigned char)(carry & 0xFF);
			carry >>= 8;
		}
		for (; carry; carry >>= 8)
			bytes[nbytes++] = (unsigned char)(carry & 0xFF);
	}
	if (zeros + nbytes > size)
		return CV_EINVAL;
	memset(out, 0, zeros);
	for (size_t i = 0; i < nbytes; i++)
		out[zeros + i] = bytes[nbytes - 1 - i];
	*len = zeros + nbytes;
	return CV_OK;
}

/* A small deterministic generator (xorshift64*), so that a failure can be replayed. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/*
 * Random bytes with runs of 0x00 and 0xFF (the carries' edge cases), leading
 * zeros often; half the time short enough for decode to take their text.
 */
static size_t random_input(uint64_t *state, unsigned char *data)
{
	size_t len = next_random(state) % (next_random(state) % 2 ? 188 : EXCHANGE_BASE58_MAX + 1);
	size_t zeros = next_random(state) % 3 == 0 ? next_random(state) % (len + 1) : 0;

	for (size_t i = 0; i < len; i++) {
		uint64_t r = next_random(state);

		data[i] = i < zeros    ? 0
			  : r % 4 == 0 ? (r >> 8) % 2 * 0xFF
				       : (unsigned char)(r >> 16);
	}
	return len;
}

static void hex_to_bytes(const char *hex, unsigned char *out, size_t *len)
{
	*len = strlen(hex) / 2;
	for (size_t i = 0; i < *len; i++)
		cr_assert_eq(sscanf(hex + 2 * i, "%2hhx", &out[i]), 1);
}

TestSuite(base58);

Test(base58, bitcoin_vectors_encode_and_decode)
{
	static const char *const vectors[][2] = {
		{"", ""},
		{"61", "2g"},
		{"626262", "a3gV"},
		{"636363", "aPEr"},
		{"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
		{"00eb15231dfceb60925886b67d065299925915aeb172c06647",
		 "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
		{"516b6fcd0f", "ABnLTmg"},
		{"bf4f89001e670274dd", "3SEo3LWLoPntC"},
		{"572e4794", "3EFU7m"},
		{"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
		{"10c8511e", "Rt5zm"},
		{"00000000000000000000", "1111111111"},
		{"000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a64115"
		 "5a5",
		 "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"},
	};

	for (size_t k = 0; k < sizeof(vectors) / sizeof(vectors[0]); k++) {
		unsigned char data[EXCHANGE_BASE58_MAX], back[EXCHANGE_BASE58_MAX];
		struct cv_buf out;
		size_t len, back_len;

		hex_to_bytes(vectors[k][0], data, &len);
		cv_buf_init(&out);
		cr_assert_eq(exchange_base58_encode(data, len, &out), CV_OK);
		cr_assert_str_eq(cv_buf_str(&out), vectors[k][1]);
		if (len > 0) {
			cr_assert_eq(exchange_base58_decode(vectors[k][1], back, sizeof(back),
							    &back_len),
				     CV_OK);
			cr_assert_eq(back_len, len);
			cr_assert(memcmp(back, data, len) == 0, "%s", vectors[k][1]);
		}
		cv_buf_release(&out);
	}
}

Test(base58, all_256_byte_values_at_the_longest_input)
{
	unsigned char data[EXCHANGE_BASE58_MAX], back[EXCHANGE_BASE58_MAX];
	struct cv_buf out;
	size_t len;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	cv_buf_init(&out);
	cr_assert_eq(exchange_base58_encode(data, sizeof(data), &out), CV_OK);
	/* Bitcoin Core's vector of the bytes 00 01 ... ff. */
	cr_assert_str_eq(cv_buf_str(&out),
			 "1cWB5HCBdLjAuqGGReWE3R3CguuwSjw6RHn39s2yuDRTS5NsBgNiFpWgAnEx6VQi8csexkgYw3mdYrMHr8x9"
			 "i7aEwP8kZ7vccXWqKDvGv3u1GxFKPuAkn8JCPPGDMf3vMMnbzm6Nh9zh1gcNsMvH3ZNLmP5fSG6DGbbi2tuw"
			 "MWPthr4boWwCxf7ewSgNQeacyozhKDDQQ1qL5fQFUW52QKUZDZ5fw3KXNQJMcNTcaB723LchjeKun7MuGW5q"
			 "yCBZYzA1KjofN1gYBV3NqyhQJ3Ns746GNuf9N2pQPmHz4xpnSrrfCvy6TVVz5d4PdrjeshsWQwpZsZGzvbdA"
			 "dN8MKV5QsBDY");
	/* Its 350 characters are beyond what decode takes; the first 187 bytes' are not. */
	cr_assert_eq(exchange_base58_decode(cv_buf_str(&out), back, sizeof(back), &len), CV_EINVAL);
	cv_buf_reset(&out);
	cr_assert_eq(exchange_base58_encode(data, 187, &out), CV_OK);
	cr_assert_leq(out.len, EXCHANGE_BASE58_MAX);
	cr_assert_eq(exchange_base58_decode(cv_buf_str(&out), back, sizeof(back), &len), CV_OK);
	cr_assert_eq(len, 187);
	cr_assert(memcmp(back, data, len) == 0);
	cv_buf_release(&out);
}

Test(base58, random_inputs_encode_as_the_schoolbook_conversion_and_decode_back)
{
	uint64_t state = 0x5eed0fca7a1a11ULL;

	for (int round = 0; round < 3000; round++) {
		unsigned char data[EXCHANGE_BASE58_MAX], back[EXCHANGE_BASE58_MAX];
		char expected[2 * EXCHANGE_BASE58_MAX + 1];
		size_t len = random_input(&state, data), back_len;
		struct cv_buf out;

		reference_encode(data, len, expected);
		cv_buf_init(&out);
		cr_assert_eq(exchange_base58_encode(data, len, &out), CV_OK);
		/* Assert only what fails: a loop of passing asserts floods the runner. */
		if (strcmp(cv_buf_str(&out), expected) != 0)
			cr_assert_fail("round %d, %zu bytes: %s, expected %s", round, len,
				       cv_buf_str(&out), expected);
		/* Decode takes up to EXCHANGE_BASE58_MAX characters: 187 bytes or fewer. */
		if (len == 0 || strlen(expected) > EXCHANGE_BASE58_MAX) {
			if (exchange_base58_decode(expected, back, len, &back_len) != CV_EINVAL)
				cr_assert_fail("round %d: \"%s\" decoded", round, expected);
		} else if (exchange_base58_decode(expected, back, len, &back_len) != CV_OK ||
			   back_len != len || memcmp(back, data, len) != 0) {
			cr_assert_fail("round %d: %s does not decode back to its %zu bytes", round,
				       expected, len);
		} else if (exchange_base58_decode(expected, back, len - 1, &back_len) != CV_EINVAL) {
			cr_assert_fail("round %d: %zu bytes fit in %zu", round, len, len - 1);
		}
		cv_buf_release(&out);
	}
}

Test(base58, random_texts_decode_as_the_schoolbook_conversion)
{
	uint64_t state = 0xba5e58ULL;

	for (int round = 0; round < 3000; round++) {
		char text[EXCHANGE_BASE58_MAX + 8];
		unsigned char got[EXCHANGE_BASE58_MAX], expected[EXCHANGE_BASE58_MAX];
		size_t n = next_random(&state) % (sizeof(text) - 1), ones = 0, got_len,
		       expected_len, size = next_random(&state) % (EXCHANGE_BASE58_MAX + 1);
		int got_rc, expected_rc;

		if (next_random(&state) % 3 == 0)
			ones = next_random(&state) % (n + 1);
		for (size_t i = 0; i < n; i++)
			text[i] = i < ones ? '1' : alphabet[next_random(&state) % 58];
		/* Now and then a byte outside the alphabet (never NUL, which ends the text). */
		if (n > 0 && next_random(&state) % 8 == 0)
			text[next_random(&state) % n] = (char)(1 + next_random(&state) % 255);
		text[n] = '\0';
		expected_rc = reference_decode(text, expected, size, &expected_len);
		got_rc = exchange_base58_decode(text, got, size, &got_len);
		if (got_rc != expected_rc || got_len != expected_len ||
		    (got_rc == CV_OK && memcmp(got, expected, got_len) != 0))
			cr_assert_fail("round %d: \"%s\" into %zu bytes: %d (%zu bytes), expected %d "
				       "(%zu bytes)",
				       round, text, size, got_rc, got_len, expected_rc,
				       expected_len);
	}
}

Test(base58, every_byte_outside_the_alphabet_is_refused)
{
	for (int c = 1; c < 256; c++) {
		/* The byte last, after enough digits to take the wide-limb path. */
		char text[] = "2NEpo7TZRRrLZSi2U_";
		const char *at = strchr(alphabet, c);
		unsigned char out[EXCHANGE_BASE58_MAX];
		size_t len;

		text[sizeof(text) - 2] = (char)c;
		if (at && exchange_base58_decode(text, out, sizeof(out), &len) != CV_OK)
			cr_assert_fail("'%c' is in the alphabet", c);
		if (!at && exchange_base58_decode(text, out, sizeof(out), &len) != CV_EINVAL)
			cr_assert_fail("byte %d is not in the alphabet", c);
		text[0] = (char)c;
		text[1] = '\0';
		if (at && (exchange_base58_decode(text, out, sizeof(out), &len) != CV_OK ||
			   len != 1 || out[0] != at - alphabet))
			cr_assert_fail("'%c' is the digit %d", c, (int)(at - alphabet));
	}
}

Test(base58, lengths_beyond_the_limit_and_empty_texts_are_refused)
{
	unsigned char data[EXCHANGE_BASE58_MAX + 1] = {0}, out[EXCHANGE_BASE58_MAX];
	char text[EXCHANGE_BASE58_MAX + 2];
	struct cv_buf buf;
	size_t len;

	cv_buf_init(&buf);
	cr_assert_eq(exchange_base58_encode(data, sizeof(data), &buf), CV_EINVAL);
	cr_assert_eq(buf.len, 0, "nothing appended");
	cr_assert_eq(exchange_base58_decode("", out, sizeof(out), &len), CV_EINVAL);
	memset(text, '1', EXCHANGE_BASE58_MAX);
	text[EXCHANGE_BASE58_MAX] = '\0';
	cr_assert_eq(exchange_base58_decode(text, out, sizeof(out), &len), CV_OK);
	cr_assert_eq(len, EXCHANGE_BASE58_MAX, "one zero byte a '1'");
	memset(text, 'z', EXCHANGE_BASE58_MAX);
	cr_assert_eq(exchange_base58_decode(text, out, sizeof(out), &len), CV_OK,
		     "58^256 - 1 fits in 256 bytes");
	cr_assert_eq(len, 188);
	text[EXCHANGE_BASE58_MAX] = 'z';
	text[EXCHANGE_BASE58_MAX + 1] = '\0';
	cr_assert_eq(exchange_base58_decode(text, out, sizeof(out), &len), CV_EINVAL);
	cr_assert_eq(len, 0);
	cv_buf_release(&buf);
}
