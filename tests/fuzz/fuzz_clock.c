/*
 * fuzz_clock.c — cv_clock_parse_rfc3339() on arbitrary text.
 *
 * Timestamps arrive from partners and users. Whatever parses must format
 * back to a timestamp that parses to the same instant (to the millisecond),
 * so a value stored and read again does not move.
 */
#include "base/clock.h"
#include "base/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char formatted[CV_RFC3339_MAX];
	int64_t ms, again;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cv_clock_parse_rfc3339(text, &ms) == CV_OK) {
		if (cv_clock_format_rfc3339_ms(ms, formatted, sizeof(formatted)) != CV_OK)
			abort();
		if (cv_clock_parse_rfc3339(formatted, &again) != CV_OK || again != ms)
			abort();
	}
	free(text);
	return 0;
}
