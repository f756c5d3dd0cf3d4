/*
 * fuzz_documents.c — the readers of exchanged documents
 * (exchange/documents.h) on arbitrary bytes, as a partner's document
 * arrives at the inbox.
 *
 * Every reader must end in CV_OK or CV_EINVAL with a message naming the
 * member, never a crash, a leak or a read outside the input. And what a
 * reader accepts, the builder of that kind must build again from the
 * struct the reader filled: the two agree on what a valid document is.
 */
#include "exchange/documents.h"
#include "exchange/jcs.h"

#include <stdint.h>
#include <stdlib.h>

static void check_failure(int rc, const struct cv_error *err)
{
	if (rc != CV_EINVAL || err->code != CV_EINVAL || err->message[0] == '\0')
		abort();
}

static void check_rebuilt(int rc, json_t *rebuilt)
{
	if (rc != CV_OK || !rebuilt)
		abort();
	json_decref(rebuilt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exchange_certificate_of_origin certificate;
	struct exchange_advance_cargo cargo;
	struct exchange_aeo_status aeo;
	struct exchange_envelope env;
	struct cv_arena arena;
	struct cv_error err;
	json_t *doc, *rebuilt;
	int rc;

	cv_error_clear(&err);
	if (exchange_jcs_parse((const char *)data, size, "fuzz", &doc, &err))
		return 0;
	cv_arena_init(&arena, 0);
	rc = exchange_aeo_status_read(doc, &env, &aeo, &err);
	if (rc == CV_OK)
		check_rebuilt(exchange_aeo_status_build(&env, &aeo, &rebuilt, &err), rebuilt);
	else
		check_failure(rc, &err);
	rc = exchange_advance_cargo_read(doc, &arena, &env, &cargo, &err);
	if (rc == CV_OK)
		check_rebuilt(exchange_advance_cargo_build(&env, &cargo, &rebuilt, &err), rebuilt);
	else
		check_failure(rc, &err);
	rc = exchange_certificate_read(doc, &arena, &env, &certificate, &err);
	if (rc == CV_OK)
		check_rebuilt(exchange_certificate_build(&env, &certificate, &rebuilt, &err),
			      rebuilt);
	else
		check_failure(rc, &err);
	(void)exchange_document_kind(doc);
	cv_arena_release(&arena);
	json_decref(doc);
	return 0;
}
