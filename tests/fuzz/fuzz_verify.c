/*
 * fuzz_verify.c — the document verifier (exchange/credential.h) on
 * arbitrary bytes, read as `caravan doc verify` reads them.
 *
 * Signed documents come from partner nodes, traders and anyone who hands
 * one to an auditor, so every byte is hostile: parsing (exchange_jcs_parse),
 * canonicalization, base58 and did:key decoding and the signature check
 * must end in CV_OK or an error with a message, never a crash, a leak or a
 * read outside the input. A document that parses is also canonicalized,
 * and its canonical form must parse back to the same canonical form.
 */
#include "exchange/credential.h"
#include "exchange/jcs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Canonicalize value; the canonical form read back must give the same bytes. */
static void check_canonical_is_stable(const json_t *value)
{
	struct cv_buf first, second;
	struct cv_error err;
	json_t *again = NULL;

	cv_buf_init(&first);
	cv_buf_init(&second);
	if (exchange_jcs_serialize(value, &first, &err) == CV_OK) {
		if (exchange_jcs_parse(cv_buf_str(&first), first.len, "canonical", &again, &err) ||
		    exchange_jcs_serialize(again, &second, &err) || first.len != second.len ||
		    memcmp(first.data, second.data, first.len) != 0)
			abort();
	}
	json_decref(again);
	cv_buf_release(&first);
	cv_buf_release(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cv_error err;
	json_t *document;
	int rc;

	cv_error_clear(&err);
	if (exchange_jcs_parse((const char *)data, size, "fuzz", &document, &err)) {
		if (err.code != CV_EINVAL || err.message[0] == '\0')
			abort();
		return 0;
	}
	check_canonical_is_stable(document);
	cv_error_clear(&err);
	rc = exchange_credential_verify(document, &err);
	if (rc != CV_OK && (err.code != rc || err.message[0] == '\0'))
		abort();
	json_decref(document);
	return 0;
}
