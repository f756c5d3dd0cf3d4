/*
 * tls_client.h — how this node connects to partner nodes over HTTPS: the
 * certificate authorities it trusts for their servers, and the client
 * certificate it shows them for mutual TLS (configuration
 * exchange_tls_ca, exchange_tls_cert, exchange_tls_key; docs/EXCHANGE.md).
 * The signature on every document authenticates it whatever the
 * transport; mutual TLS is a second lock a pair of administrations may
 * agree on.
 */
#ifndef CV_EXCHANGE_TLS_CLIENT_H
#define CV_EXCHANGE_TLS_CLIENT_H

#include "base/config.h"

#include <curl/curl.h>

struct exchange_tls_client {
	const char *cert; /* PEM client certificate file; NULL or "": none shown */
	const char *key;  /* PEM private key file for cert */
	const char *ca;   /* PEM CA file for partners' servers; NULL or "": the system's */
};

/* The node's settings from its configuration (pointers into config). */
void exchange_tls_client_from_config(const struct cv_config *config,
				     struct exchange_tls_client *out);

/* Set curl's TLS options for a connection to a partner node (tls may be NULL: defaults). */
void exchange_tls_client_apply(CURL *curl, const struct exchange_tls_client *tls);

/*
 * A partner's answer as curl reads it: NUL-terminated data (cv_free it),
 * at most max bytes — a longer answer stops the transfer (a partner cannot
 * make the node hold more than it expects).
 */
struct exchange_http_body {
	char *data;
	size_t len, max;
};

/* CURLOPT_WRITEFUNCTION for a struct exchange_http_body (CURLOPT_WRITEDATA). */
size_t exchange_http_body_collect(char *p, size_t size, size_t n, void *body);

#endif
