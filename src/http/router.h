/*
 * router.h — match request paths against route patterns.
 *
 * Patterns are paths whose segments may be {name} placeholders:
 * "/api/v1/users/{id}" matches "/api/v1/users/0192..." and captures id.
 * The route table itself (methods, permissions, handlers) is the API's
 * (api/routes.c); this file only matches one pattern against one path.
 *
 * Thread-safe: no state.
 */
#ifndef CV_HTTP_ROUTER_H
#define CV_HTTP_ROUTER_H

#include "http/request.h"

/*
 * Does path match pattern? When req is not NULL, the {name} captures are
 * stored in req->params (strings from req->arena). Returns 1 or 0.
 */
int http_route_match(const char *pattern, const char *path, struct http_request *req);

#endif
