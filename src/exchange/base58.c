/*
 * base58.c — base58btc (see base58.h).
 *
 * Leading zero bytes and leading '1's map to each other one for one, as
 * Bitcoin defines; the rest is a change of base of one big number.
 *
 * Design. The schoolbook conversion moves one base-58 digit or one byte at
 * a time: for a 64-byte signature that is about 2,800 multiply-and-divide
 * steps, a tenth of the time of signing a credential. Here the number is
 * kept in wide limbs and the input is taken several digits at a time, so
 * the same signature takes about 150 steps:
 *
 *  - encode: limbs in base 58^5 (< 2^30), the input taken 32 bits at a
 *    time. One step computes limb * 2^32 + carry with limb < 58^5 and
 *    carry < 2^32, which is below 58^5 * 2^32 < 2^62: it fits a uint64_t,
 *    and the carry out, the quotient by 58^5, is again below 2^32.
 *  - decode: limbs in base 2^32, the text taken 5 characters (one value
 *    below 58^5) at a time. One step computes limb * 58^5 + carry with
 *    limb < 2^32 and carry < 2^30, below 2^62; the carry out (the top 32
 *    bits) is below 2^30.
 *
 * Each step divides by a constant, which the compiler turns into a
 * multiplication. The first group of input may be shorter than the others
 * (the input length need not be a multiple of 4 bytes or 5 characters); its
 * multiplier is then 2^8 or 58 to its length. Characters are mapped to
 * digits by a 256-entry table. The limbs and digits on the stack hold the
 * key material that passes through (a secret key's seed): they are wiped
 * before returning.
 */
#include "exchange/base58.h"

#include "base/err.h"

#include <assert.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Each character's digit plus one; 0 for a byte outside the alphabet. */
static const unsigned char digit_plus_one[256] = {
	['1'] = 1,  ['2'] = 2,  ['3'] = 3,  ['4'] = 4,  ['5'] = 5,  ['6'] = 6,  ['7'] = 7,
	['8'] = 8,  ['9'] = 9,  ['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14,
	['F'] = 15, ['G'] = 16, ['H'] = 17, ['J'] = 18, ['K'] = 19, ['L'] = 20, ['M'] = 21,
	['N'] = 22, ['P'] = 23, ['Q'] = 24, ['R'] = 25, ['S'] = 26, ['T'] = 27, ['U'] = 28,
	['V'] = 29, ['W'] = 30, ['X'] = 31, ['Y'] = 32, ['Z'] = 33, ['a'] = 34, ['b'] = 35,
	['c'] = 36, ['d'] = 37, ['e'] = 38, ['f'] = 39, ['g'] = 40, ['h'] = 41, ['i'] = 42,
	['j'] = 43, ['k'] = 44, ['m'] = 45, ['n'] = 46, ['o'] = 47, ['p'] = 48, ['q'] = 49,
	['r'] = 50, ['s'] = 51, ['t'] = 52, ['u'] = 53, ['v'] = 54, ['w'] = 55, ['x'] = 56,
	['y'] = 57, ['z'] = 58,
};

#define BASE58 58
/* Base-58 digits in an encode limb and in a decode step; 58^5, the base of encode limbs. */
#define LIMB_DIGITS 5
#define LIMB_BASE 656356768u
/* Encode: input bytes per step (32 bits: see the top of the file). */
#define STEP_BYTES 4
/* Limbs for EXCHANGE_BASE58_MAX bytes: each base-58^5 limb holds more than 29 bits. */
#define ENCODE_LIMBS_MAX ((EXCHANGE_BASE58_MAX * 8) / 29 + 1)
/* Base-58 digits for EXCHANGE_BASE58_MAX bytes: log(256) / log(58) ~ 1.37 each. */
#define DIGITS_MAX (EXCHANGE_BASE58_MAX * 138 / 100 + 1)
/* Decode: limbs of 32 bits for EXCHANGE_BASE58_MAX digits of less than 6 bits each. */
#define DECODE_LIMBS_MAX ((EXCHANGE_BASE58_MAX * 6) / 32 + 1)

/* Write the width last base-58 digits of value (leading zeros too) before end; return the first. */
static char *limb_digits(uint32_t value, int width, char *end)
{
	for (int i = 0; i < width; i++) {
		*--end = alphabet[value % BASE58];
		value /= BASE58;
	}
	return end;
}

int exchange_base58_encode(const unsigned char *data, size_t len, struct cv_buf *out)
{
	uint32_t limbs[ENCODE_LIMBS_MAX]; /* base 58^5, little end first */
	/* The text, written from the end: digits (the top limb's may be short), then '1's. */
	char text[EXCHANGE_BASE58_MAX + DIGITS_MAX + LIMB_DIGITS];
	char *start, *end = text + sizeof(text);
	size_t nlimbs = 0, zeros = 0, i, step;
	int rc;

	if (len > EXCHANGE_BASE58_MAX)
		return CV_EINVAL;
	while (zeros < len && data[zeros] == 0)
		zeros++;
	step = (len - zeros) % STEP_BYTES ? (len - zeros) % STEP_BYTES : STEP_BYTES;
	for (i = zeros; i < len; i += step, step = STEP_BYTES) {
		unsigned shift = 8 * (unsigned)step;
		uint64_t carry = 0;

		for (size_t k = 0; k < step; k++)
			carry = carry << 8 | data[i + k];
		for (size_t j = 0; j < nlimbs; j++) {
			uint64_t v = ((uint64_t)limbs[j] << shift) + carry;

			limbs[j] = (uint32_t)(v % LIMB_BASE);
			carry = v / LIMB_BASE;
		}
		while (carry) {
			assert(nlimbs < ENCODE_LIMBS_MAX);
			limbs[nlimbs++] = (uint32_t)(carry % LIMB_BASE);
			carry /= LIMB_BASE;
		}
	}
	/* Every limb but the top one has all its digits; the top one has no leading zeros. */
	for (i = 0; i + 1 < nlimbs; i++)
		end = limb_digits(limbs[i], LIMB_DIGITS, end);
	start = end;
	for (uint32_t top = nlimbs ? limbs[nlimbs - 1] : 0; top; top /= BASE58)
		*--start = alphabet[top % BASE58];
	start -= zeros;
	memset(start, '1', zeros);
	rc = cv_buf_add(out, start, (size_t)(text + sizeof(text) - start));
	sodium_memzero(limbs, sizeof(limbs[0]) * nlimbs);
	sodium_memzero(start, (size_t)(text + sizeof(text) - start));
	return rc;
}

/* Decode the n characters at text into limbs (base 2^32); *nlimbs is how many. */
static int decode_limbs(const char *text, size_t n, uint32_t *limbs, size_t *nlimbs)
{
	size_t step = n % LIMB_DIGITS ? n % LIMB_DIGITS : LIMB_DIGITS;

	*nlimbs = 0;
	for (size_t i = 0; i < n; i += step, step = LIMB_DIGITS) {
		uint64_t carry = 0, scale = 1;

		for (size_t k = 0; k < step; k++) {
			unsigned digit = digit_plus_one[(unsigned char)text[i + k]];

			if (!digit)
				return CV_EINVAL;
			carry = carry * BASE58 + (digit - 1);
			scale *= BASE58;
		}
		for (size_t j = 0; j < *nlimbs; j++) {
			uint64_t v = (uint64_t)limbs[j] * scale + carry;

			limbs[j] = (uint32_t)v;
			carry = v >> 32;
		}
		if (carry) {
			/* carry < 2^30: one limb; n <= EXCHANGE_BASE58_MAX bounds their count. */
			assert(*nlimbs < DECODE_LIMBS_MAX);
			limbs[(*nlimbs)++] = (uint32_t)carry;
		}
	}
	return CV_OK;
}

int exchange_base58_decode(const char *text, unsigned char *out, size_t size, size_t *len)
{
	uint32_t limbs[DECODE_LIMBS_MAX]; /* base 2^32, little end first */
	size_t nlimbs = 0, nbytes = 0, zeros = 0, n = strnlen(text, EXCHANGE_BASE58_MAX + 1);
	int rc;

	*len = 0;
	if (n == 0 || n > EXCHANGE_BASE58_MAX)
		return CV_EINVAL;
	while (zeros < n && text[zeros] == '1')
		zeros++;
	rc = decode_limbs(text + zeros, n - zeros, limbs, &nlimbs);
	if (rc == CV_OK) {
		/* The bytes of the number: 4 a limb, but none of the top limb's leading zeros. */
		nbytes = 4 * nlimbs;
		for (uint32_t top = nlimbs ? limbs[nlimbs - 1] : 0; nbytes && top < 1u << 24;
		     top <<= 8)
			nbytes--;
		if (zeros + nbytes > size)
			rc = CV_EINVAL;
	}
	if (rc == CV_OK) {
		memset(out, 0, zeros);
		for (size_t i = 0; i < nbytes; i++)
			out[zeros + nbytes - 1 - i] = (unsigned char)(limbs[i / 4] >> (8 * (i % 4)));
		*len = zeros + nbytes;
	}
	sodium_memzero(limbs, sizeof(limbs[0]) * nlimbs);
	return rc;
}
