/*
 * fuzz_model.c — risk_model_load on arbitrary bytes.
 *
 * Models come back from the database as BLOBs, which an operator or a bad
 * migration can damage, so the loader must refuse anything broken with
 * CV_EINVAL and never read outside the blob or crash when scoring what it
 * accepted. A checksum guards the format, which random bytes would almost
 * never pass: when the first input byte is odd, the harness writes the
 * correct checksum over the rest, so the fuzzer explores the parser behind
 * it. Whatever loads is saved again, scored and explained.
 */
#include "risk/model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HASH_LEN 8

static uint64_t fnv1a(const unsigned char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct risk_model *m = NULL;
	struct risk_model_contribution top[4];
	struct risk_model_row row;
	struct cv_error err;
	struct cv_buf again;
	unsigned char *blob;
	int rc;

	if (size == 0)
		return 0;
	blob = malloc(size);
	if (!blob)
		abort();
	memcpy(blob, data + 1, size - 1);
	size--;
	if ((data[0] & 1) && size >= HASH_LEN) {
		uint64_t h = fnv1a(blob, size - HASH_LEN);

		for (int i = 0; i < HASH_LEN; i++)
			blob[size - HASH_LEN + (size_t)i] = (unsigned char)(h >> (8 * i));
	}
	cv_error_clear(&err);
	rc = risk_model_load(blob, size, &m, &err);
	if (rc) {
		if (m || err.code != rc || err.message[0] == '\0')
			abort();
	} else {
		double score;

		for (int f = 0; f < RISK_MODEL_TEXT_FIELDS; f++)
			row.text[f] = (data[0] & 2) ? "" : "851713";
		for (int f = 0; f < RISK_MODEL_NUMBER_FIELDS; f++)
			row.number[f] = (data[0] & 4) ? NAN : 1.0;
		row.fraud = 0;
		score = risk_model_score(m, &row);
		if (!(score >= 0 && score <= 100) && !isnan(score))
			abort();
		risk_model_explain(m, &row, top, 4);
		cv_buf_init(&again);
		if (risk_model_save(m, &again))
			abort();
		cv_buf_release(&again);
		json_decref(risk_model_summary_json(m));
		risk_model_free(m);
	}
	free(blob);
	return 0;
}
