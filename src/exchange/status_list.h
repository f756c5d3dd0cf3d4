/*
 * status_list.h — W3C Bitstring Status List v1.0: how a node publishes that
 * a credential it issued is revoked or suspended, and how a verifier reads
 * it (https://www.w3.org/TR/vc-bitstring-status-list/).
 *
 * A status list is a bitstring of at least 131,072 bits (16 KB); bit i is
 * the status of the credential whose credentialStatus entry says
 * "statusListIndex": "i" (1: revoked, or suspended, by the list's purpose).
 * Bit 0 is the left-most (most significant) bit of the first byte. It is
 * published as the credentialSubject of a BitstringStatusListCredential, in
 * "encodedList": "u" (multibase base64url, no padding) + base64url of the
 * GZIP-compressed bitstring. A list where few credentials are revoked
 * compresses to a few dozen bytes: the spec's all-zero 16 KB list is 51.
 *
 * struct exchange_status_list is caller-owned (init / release). Only
 * statusSize 1 is read (the spec lets a processor support only that);
 * purposes revocation and suspension are checked, refresh and message are
 * refused as unsupported. Thread-safe: no shared state.
 */
#ifndef CV_EXCHANGE_STATUS_LIST_H
#define CV_EXCHANGE_STATUS_LIST_H

#include "base/buf.h"
#include "base/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The smallest list the spec allows (minimumNumberOfEntries): 16 KB of bits. */
#define EXCHANGE_STATUS_LIST_MIN_BITS 131072
/* The largest list decoded, in bytes: a bound on what a hostile GZIP stream may inflate to. */
#define EXCHANGE_STATUS_LIST_MAX_BYTES (16 * 1024 * 1024)

#define EXCHANGE_STATUS_LIST_CREDENTIAL "BitstringStatusListCredential"
#define EXCHANGE_STATUS_LIST_SUBJECT "BitstringStatusList"
#define EXCHANGE_STATUS_LIST_ENTRY "BitstringStatusListEntry"
#define EXCHANGE_VC_CONTEXT "https://www.w3.org/ns/credentials/v2"
#define EXCHANGE_STATUS_REVOCATION "revocation"
#define EXCHANGE_STATUS_SUSPENSION "suspension"

struct exchange_status_list {
	unsigned char *bits; /* nbits / 8 bytes; bit i is bits[i / 8] & (0x80 >> i % 8) */
	uint64_t nbits;
};

/*
 * Make list an all-zero list of nbits bits (a multiple of 8, at least
 * EXCHANGE_STATUS_LIST_MIN_BITS, at most EXCHANGE_STATUS_LIST_MAX_BYTES * 8).
 * CV_EINVAL for another size, CV_ENOMEM.
 */
int exchange_status_list_init(struct exchange_status_list *list, uint64_t nbits);

/* Free the bits; the list is empty (nbits 0). A released or zeroed list may be released again. */
void exchange_status_list_release(struct exchange_status_list *list);

/* *value receives bit index (0 or 1). CV_EINVAL (a range error) when index >= nbits. */
int exchange_status_list_get(const struct exchange_status_list *list, uint64_t index, int *value,
			     struct cv_error *err);

/* Set bit index to value (0 or 1). CV_EINVAL when index >= nbits. */
int exchange_status_list_set(struct exchange_status_list *list, uint64_t index, int value,
			     struct cv_error *err);

/*
 * Append the encodedList of list to out: "u" + base64url (no padding) of
 * the GZIP (RFC 1952) compression of the bits, at zlib's default level, so
 * that an all-zero 16 KB list gives exactly the spec's example.
 */
int exchange_status_list_encode(const struct exchange_status_list *list, struct cv_buf *out,
				struct cv_error *err);

/*
 * Decode an encodedList into list (released first if it held bits; release
 * it after). CV_EINVAL with err->field "encodedList" and a sentence for:
 * no "u" prefix, text that is not base64url without padding, data that is
 * not one GZIP member (or has bytes after it), a list that inflates past
 * EXCHANGE_STATUS_LIST_MAX_BYTES, and one shorter than
 * EXCHANGE_STATUS_LIST_MIN_BITS (the spec's STATUS_LIST_LENGTH_ERROR).
 */
int exchange_status_list_decode(const char *encoded, struct exchange_status_list *list,
				struct cv_error *err);

/* What a status list credential says (the unsigned document it is built from). */
struct exchange_status_list_options {
	const char *id;          /* URL the list is served at (statusListCredential) */
	const char *issuer;      /* DID of the node */
	const char *purpose;     /* revocation or suspension */
	const char *valid_from;  /* RFC 3339 */
	const char *valid_until; /* RFC 3339, or NULL for none */
	int64_t ttl_ms;          /* credentialSubject.ttl: refresh after (0: not given) */
};

/*
 * Build the unsigned BitstringStatusListCredential (VC 2.0) for list into
 * *credential (the caller json_decref()s it): @context, id, type
 * [VerifiableCredential, BitstringStatusListCredential], issuer,
 * validFrom, validUntil, and credentialSubject {id: id + "#list", type
 * BitstringStatusList, statusPurpose, encodedList, ttl}. Ready for
 * exchange_credential_sign(). CV_EINVAL naming a missing or bad option.
 */
int exchange_status_list_credential_new(const struct exchange_status_list_options *options,
					const struct exchange_status_list *list,
					json_t **credential, struct cv_error *err);

/* How far the clocks of two nodes may differ: a list published a second ago is not "in the future". */
#define EXCHANGE_STATUS_CLOCK_SKEW_MS (5 * 60 * 1000)

/*
 * Is the status list credential in force at now_ms: validFrom (when given)
 * not after it, validUntil (when given) not before it, each give or take
 * EXCHANGE_STATUS_CLOCK_SKEW_MS? A stale list must not say a credential is
 * fine. CV_EINVAL naming validFrom or validUntil (malformed, or out of
 * force).
 */
int exchange_status_list_current(const json_t *list_credential, int64_t now_ms,
				 struct cv_error *err);

/* The answer of a status check. */
struct exchange_status_result {
	char purpose[16]; /* revocation or suspension */
	uint64_t index;   /* statusListIndex */
	int set;          /* 1: the credential is revoked (suspended) */
};

/*
 * The spec's validate algorithm for one credentialStatus entry (a
 * BitstringStatusListEntry: statusPurpose revocation or suspension,
 * statusListIndex a base-10 string, statusListCredential a URL) against a
 * status list credential whose proof the caller has verified. CV_OK with
 * *result filled, set or not; otherwise err names the member:
 *  - CV_EINVAL: the entry or the list credential malformed (a member
 *    missing or of the wrong type, an index that is not digits, an
 *    encodedList that does not decode or is too short), the list's purpose
 *    is not the entry's (STATUS_VERIFICATION_ERROR), the index is past the
 *    end of the list (RANGE_ERROR);
 *  - CV_EUNSUPPORTED: another purpose than revocation or suspension, a
 *    statusSize other than 1.
 */
int exchange_status_check(const json_t *entry, const json_t *list_credential,
			  struct exchange_status_result *result, struct cv_error *err);

/*
 * Check every entry of document's credentialStatus (one object or an
 * array) that names list_credential (statusListCredential equal to the
 * list's id) against it. *result is the first entry whose bit is set, else
 * the last one checked; *checked counts the entries checked, *others those
 * that name another list. CV_ENOTFOUND (with a message) when no entry
 * names this list; other failures as exchange_status_check. The caller
 * verifies both proofs first.
 */
int exchange_status_check_document(const json_t *document, const json_t *list_credential,
				   struct exchange_status_result *result, size_t *checked,
				   size_t *others, struct cv_error *err);

#endif
