/*
 * server.h — the HTTP transport: libmicrohttpd with its own thread pool.
 *
 * The server collects each request (headers, then the whole body up to the
 * configured limit), hands it to one handler function, sends the response
 * and writes one log line per request: method, path, status, milliseconds,
 * user. It knows nothing of routes, JSON or users: that is the handler's
 * (api/dispatch.c).
 *
 * Threads: libmicrohttpd runs `threads` worker threads with epoll; the
 * handler is called on them concurrently and must be thread-safe. Shutdown
 * is graceful: http_server_stop() stops accepting, lets requests in flight
 * finish (up to a timeout), then closes the remaining idle connections.
 */
#ifndef CV_HTTP_SERVER_H
#define CV_HTTP_SERVER_H

#include "base/err.h"
#include "http/request.h"

#include <stddef.h>

struct http_server;

/* Called once per complete request. Sets *log_user to a name for the log line. */
typedef void (*http_handler_fn)(void *ctx, struct http_request *req, struct http_response *resp,
				const char **log_user);

struct http_server_options {
	const char *host;     /* address to bind: "127.0.0.1", "0.0.0.0", "::" */
	int port;             /* 0: any free port (see http_server_port) */
	int threads;          /* worker threads */
	size_t max_body;      /* larger bodies get 413 */
	const char *tls_cert; /* PEM text, or NULL for plain HTTP */
	const char *tls_key;  /* PEM text for tls_cert */
	/*
	 * PEM text of the certificate authorities whose client certificates the
	 * server accepts (mutual TLS), or NULL. Clients are asked for a
	 * certificate, not required to show one: a request says what was shown
	 * (http_request.client_certificate) and the route decides.
	 */
	const char *tls_client_ca;
};

int http_server_start(const struct http_server_options *opts, http_handler_fn handler, void *ctx,
		      struct http_server **out, struct cv_error *err);
/* The port actually bound. */
int http_server_port(const struct http_server *server);
/* Stop accepting, wait up to timeout_ms for requests in flight, stop and free. */
void http_server_stop(struct http_server *server, int timeout_ms);

/* Fill resp with an RFC 9457 problem document (no field errors). */
int http_problem(struct http_response *resp, int status, const char *title, const char *detail);

#endif
