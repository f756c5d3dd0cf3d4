/*
 * request.h — an HTTP request and response as the rest of caravan sees them.
 *
 * The transport (server.c, libmicrohttpd) fills struct http_request and
 * sends struct http_response; nothing above src/http includes
 * libmicrohttpd. Everything a request allocates comes from its arena and is
 * freed when the response has been sent.
 *
 * One request, one thread: not thread-safe, and need not be.
 */
#ifndef CV_HTTP_REQUEST_H
#define CV_HTTP_REQUEST_H

#include "base/arena.h"
#include "base/buf.h"

#include <stddef.h>

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_RESPONSE_HEADERS 8

struct http_param {
	const char *name;
	const char *value;
};

struct http_request {
	struct cv_arena *arena;
	const char *method;  /* "GET" */
	const char *path;    /* "/api/v1/users/42", percent-decoded by the server */
	const char *address; /* client IP address */
	const char *body;    /* NUL-terminated; "" when none */
	/*
	 * Mutual TLS: the SHA-256 of the client certificate (DER, lowercase hex)
	 * when the client showed one that verifies against the server's
	 * tls_client_ca; NULL otherwise (none shown, not trusted, plain HTTP).
	 */
	const char *client_certificate;
	size_t body_len;
	/* Path parameters filled by the router from {name} segments. */
	struct http_param params[HTTP_MAX_PARAMS];
	int nparams;
	/* Transport hooks for headers, query and cookies. */
	const char *(*lookup)(void *transport, int kind, const char *name);
	void *transport;
};

struct http_response {
	int status;
	const char *content_type; /* static string */
	struct cv_buf body;
	struct http_param headers[HTTP_MAX_RESPONSE_HEADERS];
	int nheaders;
};

enum { HTTP_LOOKUP_HEADER, HTTP_LOOKUP_QUERY, HTTP_LOOKUP_COOKIE };

/* A request header (case-insensitive name), or NULL. */
const char *http_header(const struct http_request *req, const char *name);
/* A query-string argument, or NULL. */
const char *http_query(const struct http_request *req, const char *name);
/* A cookie's value, or NULL. */
const char *http_cookie(const struct http_request *req, const char *name);
/* A path parameter captured by the router, or NULL. */
const char *http_param(const struct http_request *req, const char *name);

void http_response_init(struct http_response *resp);
void http_response_release(struct http_response *resp);
/* Add a response header; both strings must outlive the response (use the arena). */
int http_response_header(struct http_response *resp, const char *name, const char *value);
/* Set status, content type and body (copied). */
int http_response_set(struct http_response *resp, int status, const char *content_type,
		      const void *body, size_t len);

#endif
