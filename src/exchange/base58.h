/*
 * base58.h — Base58 in the Bitcoin alphabet (base58btc), the encoding of
 * multibase values that start with "z": Ed25519 keys in did:key and
 * Multikey, and the proofValue of a Data Integrity proof.
 *
 * Inputs are short (a 34-byte key, a 64-byte signature) but are converted
 * on every signature made or checked, so the conversion works on wide limbs
 * (base58.c). The module owns nothing. Thread-safe.
 */
#ifndef CV_EXCHANGE_BASE58_H
#define CV_EXCHANGE_BASE58_H

#include "base/buf.h"

#include <stddef.h>

/* The longest input either function accepts, in bytes (encode) or characters (decode). */
#define EXCHANGE_BASE58_MAX 256

/* Append the base58btc text of the len bytes at data to out. CV_EINVAL past EXCHANGE_BASE58_MAX. */
int exchange_base58_encode(const unsigned char *data, size_t len, struct cv_buf *out);

/*
 * Decode the base58btc text (NUL-terminated, without the multibase "z") into
 * at most size bytes at out; *len is the number written. CV_EINVAL for a
 * character outside the alphabet, an empty or too long text, or a value
 * that does not fit in size bytes.
 */
int exchange_base58_decode(const char *text, unsigned char *out, size_t size, size_t *len);

#endif
