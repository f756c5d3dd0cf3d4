/*
 * server.c — libmicrohttpd glue (see server.h).
 *
 * libmicrohttpd calls the access handler several times per request: once
 * with the headers, then with each piece of the body, then once more with
 * no data. The response is queued only on that last call. Queuing it on the
 * first call would make libmicrohttpd close the connection after every
 * request (0.9.75), which cuts throughput by about seven (DESIGN.md). The
 * one exception is a body announced larger than the limit: we answer 413 at
 * once and let the connection close rather than read it.
 */
#include "http/server.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct http_server {
	struct MHD_Daemon *daemon;
	http_handler_fn handler;
	void *ctx;
	size_t max_body;
	int port;
	atomic_int in_flight;
	int client_ca; /* mutual TLS: client certificates are asked for */
};

/* What libmicrohttpd keeps for us between calls for one request. */
struct request_state {
	struct cv_arena arena;
	struct cv_buf body;
	int too_large;
	int64_t start_ns;
	struct MHD_Connection *connection;
};

static const char *mhd_lookup(void *transport, int kind, const char *name)
{
	enum MHD_ValueKind mkind = kind == HTTP_LOOKUP_QUERY    ? MHD_GET_ARGUMENT_KIND
				   : kind == HTTP_LOOKUP_COOKIE ? MHD_COOKIE_KIND
								: MHD_HEADER_KIND;
	return MHD_lookup_connection_value(transport, mkind, name);
}

/*
 * The SHA-256 of the client's certificate when it showed one that chains to
 * the server's trusted client CAs and is in force; NULL otherwise.
 */
static const char *client_certificate(struct MHD_Connection *c, struct cv_arena *arena)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t session = info ? (gnutls_session_t)info->tls_session : NULL;
	const gnutls_datum_t *peers;
	unsigned int verdict = 1, npeers = 0;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	if (!session || gnutls_certificate_verify_peers2(session, &verdict) != GNUTLS_E_SUCCESS ||
	    verdict != 0)
		return NULL;
	peers = gnutls_certificate_get_peers(session, &npeers);
	if (!peers || !npeers)
		return NULL;
	crypto_hash_sha256(digest, peers[0].data, peers[0].size);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	return cv_arena_strdup(arena, hex);
}

static const char *client_address(struct MHD_Connection *c, struct cv_arena *arena)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char text[INET6_ADDRSTRLEN] = "unknown";

	if (info && info->client_addr) {
		const struct sockaddr *sa = info->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  text, sizeof(text));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text,
				  sizeof(text));
	}
	return cv_arena_strdup(arena, text);
}

int http_problem(struct http_response *resp, int status, const char *title, const char *detail)
{
	/* Titles and details are ours, not user input, but escape them anyway. */
	struct cv_buf *b = &resp->body;
	const char *parts[2] = {title, detail};
	int rc;

	resp->status = status;
	resp->content_type = "application/problem+json";
	cv_buf_reset(b);
	rc = cv_buf_addf(b, "{\"type\":\"about:blank\",\"status\":%d", status);
	for (int i = 0; i < 2 && !rc; i++) {
		rc = cv_buf_adds(b, i == 0 ? ",\"title\":\"" : ",\"detail\":\"");
		for (const char *p = parts[i]; *p && !rc; p++) {
			if (*p == '"' || *p == '\\')
				rc = cv_buf_addf(b, "\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				rc = cv_buf_addf(b, "\\u%04x", (unsigned char)*p);
			else
				rc = cv_buf_addch(b, *p);
		}
		if (!rc)
			rc = cv_buf_addch(b, '"');
	}
	return rc ? rc : cv_buf_addch(b, '}');
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct http_response *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len = resp->body.len;
	char *body = cv_buf_detach(&resp->body, NULL);

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		cv_free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	for (int i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	ret = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void log_request(const char *method, const char *url, int status, int64_t start_ns,
			const char *user)
{
	double ms = (double)(cv_clock_monotonic_ns() - start_ns) / 1e6;

	cv_info("http", "%s %s %d %.2fms %s", method, url, status, ms, user ? user : "-");
}

static enum MHD_Result answer_too_large(struct http_server *s, struct MHD_Connection *c,
					const char *method, const char *url, int64_t start_ns)
{
	struct http_response resp;
	char detail[128];
	enum MHD_Result ret;

	http_response_init(&resp);
	snprintf(detail, sizeof(detail), "the request body is larger than the limit of %zu bytes",
		 s->max_body);
	http_problem(&resp, 413, "Content Too Large", detail);
	ret = send_response(c, &resp);
	http_response_release(&resp);
	log_request(method, url, 413, start_ns, NULL);
	return ret;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
				 const char *method, const char *version, const char *upload,
				 size_t *upload_size, void **con_cls)
{
	struct http_server *s = cls;
	struct request_state *st = *con_cls;
	struct http_request req;
	struct http_response resp;
	const char *log_user = NULL;
	enum MHD_Result ret;

	(void)version;
	if (!st) {
		const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								 MHD_HTTP_HEADER_CONTENT_LENGTH);
		st = cv_calloc(1, sizeof(*st));
		if (!st)
			return MHD_NO;
		cv_arena_init(&st->arena, 0);
		cv_buf_init(&st->body);
		st->start_ns = cv_clock_monotonic_ns();
		st->connection = c;
		*con_cls = st;
		atomic_fetch_add(&s->in_flight, 1);
		if (length && strtoull(length, NULL, 10) > s->max_body) {
			st->too_large = 1;
			return answer_too_large(s, c, method, url, st->start_ns);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!st->too_large && st->body.len + *upload_size > s->max_body)
			st->too_large = 1; /* chunked upload past the limit: keep reading, drop it */
		if (!st->too_large && cv_buf_add(&st->body, upload, *upload_size))
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->too_large)
		return answer_too_large(s, c, method, url, st->start_ns);

	memset(&req, 0, sizeof(req));
	req.arena = &st->arena;
	req.method = method;
	req.path = url;
	req.address = client_address(c, &st->arena);
	req.body = cv_buf_str(&st->body);
	req.client_certificate = s->client_ca ? client_certificate(c, &st->arena) : NULL;
	req.body_len = st->body.len;
	req.lookup = mhd_lookup;
	req.transport = c;
	http_response_init(&resp);
	s->handler(s->ctx, &req, &resp, &log_user);
	log_request(method, url, resp.status, st->start_ns, log_user);
	ret = send_response(c, &resp);
	http_response_release(&resp);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct request_state *st = *con_cls;

	(void)c;
	(void)toe;
	if (!st)
		return;
	cv_arena_release(&st->arena);
	cv_buf_release(&st->body);
	cv_free(st);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		return;
	line[strcspn(line, "\n")] = '\0';
	cv_warn("mhd", "%s", line);
}

int http_server_start(const struct http_server_options *opts, http_handler_fn handler, void *ctx,
		      struct http_server **out, struct cv_error *err)
{
	struct http_server *s = cv_calloc(1, sizeof(*s));
	struct sockaddr_in6 addr6;
	struct sockaddr_in addr4;
	const struct sockaddr *addr;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;

	if (!s)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	memset(&addr4, 0, sizeof(addr4));
	memset(&addr6, 0, sizeof(addr6));
	if (inet_pton(AF_INET, opts->host, &addr4.sin_addr) == 1) {
		addr4.sin_family = AF_INET;
		addr4.sin_port = htons((uint16_t)opts->port);
		addr = (const struct sockaddr *)&addr4;
	} else if (inet_pton(AF_INET6, opts->host, &addr6.sin6_addr) == 1) {
		addr6.sin6_family = AF_INET6;
		addr6.sin6_port = htons((uint16_t)opts->port);
		addr = (const struct sockaddr *)&addr6;
		flags |= MHD_USE_IPv6;
	} else {
		cv_free(s);
		return cv_error_set(err, CV_EINVAL, "listen",
				    "cannot listen on \"%s\": give a numeric IPv4 or IPv6 address",
				    opts->host);
	}
	if (opts->tls_cert)
		flags |= MHD_USE_TLS;
	s->handler = handler;
	s->ctx = ctx;
	s->max_body = opts->max_body;
	s->client_ca = opts->tls_cert && opts->tls_client_ca;
	atomic_init(&s->in_flight, 0);
	s->daemon = MHD_start_daemon(flags, (uint16_t)opts->port, NULL, NULL, on_access, s,
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				     MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_THREAD_POOL_SIZE,
				     (unsigned)opts->threads, MHD_OPTION_NOTIFY_COMPLETED,
				     on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
				     opts->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
				     opts->tls_cert, MHD_OPTION_HTTPS_MEM_KEY, opts->tls_key,
				     s->client_ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END,
				     opts->tls_client_ca, MHD_OPTION_END);
	if (!s->daemon) {
		cv_free(s);
		return cv_error_set(err, CV_EIO, "listen",
				    "cannot serve on %s:%d (port in use, no permission, or bad TLS "
				    "certificate/key)",
				    opts->host, opts->port);
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : opts->port;
	*out = s;
	return CV_OK;
}

int http_server_port(const struct http_server *s) { return s->port; }

void http_server_stop(struct http_server *s, int timeout_ms)
{
	int waited = 0;
	MHD_socket listen_fd;

	if (!s)
		return;
	listen_fd = MHD_quiesce_daemon(s->daemon);
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
	while (atomic_load(&s->in_flight) > 0 && waited < timeout_ms) {
		usleep(10 * 1000);
		waited += 10;
	}
	if (atomic_load(&s->in_flight) > 0)
		cv_warn("http", "stopping with %d requests still in flight after %d ms",
			atomic_load(&s->in_flight), timeout_ms);
	MHD_stop_daemon(s->daemon);
	cv_free(s);
}
