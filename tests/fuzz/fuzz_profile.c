/*
 * fuzz_profile.c — the selectivity profile compiler on arbitrary text: it
 * must answer every input with a compiled set or a positioned error, never
 * crash; a compiled set must evaluate an item the same way through its
 * index and through the plain walk.
 */
#include "risk/profile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct risk_profile_set *set;
	struct risk_compile_error err;
	struct risk_item item;
	size_t a[64], b[64], na, nb;

	if (risk_compile((const char *)data, size, &set, &err) != 0) {
		if (set || err.line < 0 || err.column < 0 || !err.message[0])
			abort(); /* an error must say where and what */
		return 0;
	}
	memset(&item, 0, sizeof(item));
	for (int f = 0; f < RISK_TEXT_FIELDS; f++)
		item.text[f] = "";
	item.text[RISK_HS] = "29034500";
	item.text[RISK_ORIGIN] = "CN";
	item.text[RISK_DIRECTION] = "import";
	item.date = "2025-06-01";
	na = risk_eval(set, &item, NULL, NULL, a, 64);
	nb = risk_eval_naive(set, &item, NULL, NULL, b, 64);
	if (na != nb || memcmp(a, b, (na < 64 ? na : 64) * sizeof(size_t)))
		abort();
	risk_profile_set_free(set);
	return 0;
}
