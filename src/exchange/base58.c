/*
 * base58.c — base58btc (see base58.h).
 *
 * The conversion is the schoolbook one: the number is kept as base-58
 * digits (encode) or base-256 bytes (decode), little end first, and each
 * input digit multiplies it by the base and adds. Leading zero bytes and
 * leading '1's map to each other one for one, as Bitcoin defines.
 */
#include "exchange/base58.h"

#include "base/err.h"

#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

#define BASE58 58
/* Base-58 digits needed for EXCHANGE_BASE58_MAX bytes: log(256) / log(58) ~ 1.37 each. */
#define DIGITS_MAX (EXCHANGE_BASE58_MAX * 138 / 100 + 1)

int exchange_base58_encode(const unsigned char *data, size_t len, struct cv_buf *out)
{
	unsigned char digits[DIGITS_MAX]; /* little end first */
	size_t ndigits = 0, zeros = 0;
	int rc = CV_OK;

	if (len > EXCHANGE_BASE58_MAX)
		return CV_EINVAL;
	while (zeros < len && data[zeros] == 0)
		zeros++;
	for (size_t i = zeros; i < len; i++) {
		unsigned carry = data[i];

		for (size_t j = 0; j < ndigits; j++) {
			carry += (unsigned)digits[j] << 8;
			digits[j] = (unsigned char)(carry % BASE58);
			carry /= BASE58;
		}
		while (carry) {
			digits[ndigits++] = (unsigned char)(carry % BASE58);
			carry /= BASE58;
		}
	}
	for (size_t i = 0; rc == CV_OK && i < zeros; i++)
		rc = cv_buf_addch(out, '1');
	for (size_t i = ndigits; rc == CV_OK && i > 0; i--)
		rc = cv_buf_addch(out, alphabet[digits[i - 1]]);
	return rc;
}

int exchange_base58_decode(const char *text, unsigned char *out, size_t size, size_t *len)
{
	unsigned char bytes[EXCHANGE_BASE58_MAX]; /* little end first */
	size_t nbytes = 0, zeros = 0, n = strlen(text);

	*len = 0;
	if (n == 0 || n > EXCHANGE_BASE58_MAX)
		return CV_EINVAL;
	while (zeros < n && text[zeros] == '1')
		zeros++;
	for (size_t i = zeros; i < n; i++) {
		const char *at = text[i] ? strchr(alphabet, text[i]) : NULL;
		unsigned carry;

		if (!at)
			return CV_EINVAL;
		carry = (unsigned)(at - alphabet);
		for (size_t j = 0; j < nbytes; j++) {
			carry += (unsigned)bytes[j] * BASE58;
			bytes[j] = (unsigned char)(carry & 0xFF);
			carry >>= 8;
		}
		while (carry) {
			if (nbytes == sizeof(bytes))
				return CV_EINVAL;
			bytes[nbytes++] = (unsigned char)(carry & 0xFF);
			carry >>= 8;
		}
	}
	if (zeros + nbytes > size)
		return CV_EINVAL;
	memset(out, 0, zeros);
	for (size_t i = 0; i < nbytes; i++)
		out[zeros + i] = bytes[nbytes - 1 - i];
	*len = zeros + nbytes;
	return CV_OK;
}
