/*
 * ids.h — identifiers and secrets.
 *
 * Every entity has a UUIDv7 text id (RFC 9562): time-ordered so that ids sort
 * by creation and index well (within a process, in the order made, even in
 * one millisecond), random enough to be unique across nodes.
 * Secrets (session ids, API tokens, CSRF tokens) are 32 random bytes from
 * libsodium, base64url without padding; the database stores only their
 * SHA-256 (cv_secret_hash), so a stolen database does not yield live tokens.
 *
 * Thread-safe. Call cv_ids_init() once before use (it initialises libsodium).
 */
#ifndef CV_BASE_IDS_H
#define CV_BASE_IDS_H

#include <stddef.h>

#define CV_UUID_STR 37   /* 36 characters + NUL */
#define CV_SECRET_STR 44 /* base64url of 32 bytes (43) + NUL */
#define CV_SHA256_HEX 65 /* 64 hex digits + NUL */

int cv_ids_init(void);
/* A new UUIDv7 in lower-case text form. */
void cv_uuid7(char out[CV_UUID_STR]);
/* True when s is a UUID in canonical text form. */
int cv_uuid_valid(const char *s);
/* A new random secret (base64url, 43 characters). */
void cv_secret_new(char out[CV_SECRET_STR]);
/* Lower-case hex SHA-256 of len bytes. */
void cv_sha256_hex(const void *data, size_t len, char out[CV_SHA256_HEX]);
/* SHA-256 hex of a NUL-terminated secret: what the database stores. */
void cv_secret_hash(const char *secret, char out[CV_SHA256_HEX]);

#endif
