/*
 * fuzz_route.c — http_route_match() on an arbitrary pattern and path.
 *
 * The path comes from the network; the pattern from the route table, but
 * the matcher must not depend on patterns being well formed either. The
 * input is "PATTERN\nPATH"; without a newline the whole input is the path
 * and the pattern a typical one. Captures must be strings of the request's
 * arena. Keeping captures never makes a match; it may unmake one when the
 * pattern has more than HTTP_MAX_PARAMS placeholders (no route has).
 */
#include "http/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char *pattern = "/api/v1/users/{id}/tokens", *path;
	struct cv_arena arena;
	struct http_request req = {.arena = &arena};
	char *newline;
	int matched;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	newline = memchr(text, '\n', size);
	if (newline) {
		*newline = '\0';
		pattern = text;
		path = newline + 1;
	} else {
		path = text;
	}
	cv_arena_init(&arena, 256);
	matched = http_route_match(pattern, path, &req);
	if (matched && !http_route_match(pattern, path, NULL))
		abort();
	if (req.nparams < 0 || req.nparams > HTTP_MAX_PARAMS)
		abort();
	for (int i = 0; matched && i < req.nparams; i++) {
		/* Read every capture whole (ASan checks) and look it up by name. */
		if (strlen(req.params[i].name) > strlen(pattern) ||
		    strlen(req.params[i].value) > strlen(path) ||
		    !http_param(&req, req.params[i].name))
			abort();
	}
	cv_arena_release(&arena);
	free(text);
	return 0;
}
