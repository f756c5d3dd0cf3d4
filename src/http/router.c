/* router.c — see router.h. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

/*
 * Walk pattern and path segment by segment. A {name} segment matches any
 * non-empty segment; when req is not NULL the capture is stored in it.
 */
static int match(const char *pattern, const char *path, struct http_request *req)
{
	const char *p = pattern, *s = path;

	if (req)
		req->nparams = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t len = strcspn(s, "/");
			if (!close || len == 0)
				return 0;
			if (req) {
				if (req->nparams >= HTTP_MAX_PARAMS)
					return 0;
				req->params[req->nparams].name =
					cv_arena_strndup(req->arena, p + 1, (size_t)(close - p - 1));
				req->params[req->nparams].value = cv_arena_strndup(req->arena, s,
										   len);
				if (!req->params[req->nparams].name ||
				    !req->params[req->nparams].value)
					return 0;
				req->nparams++;
			}
			p = close + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

int http_route_match(const char *pattern, const char *path, struct http_request *req)
{
	return match(pattern, path, req);
}
