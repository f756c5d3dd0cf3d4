/* tls_client.c — see tls_client.h. */
#include "exchange/tls_client.h"

#include "base/mem.h"

#include <string.h>

void exchange_tls_client_from_config(const struct cv_config *config, struct exchange_tls_client *out)
{
	out->cert = config->exchange_tls_cert;
	out->key = config->exchange_tls_key;
	out->ca = config->exchange_tls_ca;
}

void exchange_tls_client_apply(CURL *curl, const struct exchange_tls_client *tls)
{
	/* A partner's server is always verified: a node never talks to a host it cannot check. */
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (!tls)
		return;
	if (tls->ca && *tls->ca)
		curl_easy_setopt(curl, CURLOPT_CAINFO, tls->ca);
	if (tls->cert && *tls->cert) {
		curl_easy_setopt(curl, CURLOPT_SSLCERT, tls->cert);
		curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
		if (tls->key && *tls->key)
			curl_easy_setopt(curl, CURLOPT_SSLKEY, tls->key);
	}
}

size_t exchange_http_body_collect(char *p, size_t size, size_t n, void *body)
{
	struct exchange_http_body *b = body;
	size_t bytes = size * n;
	char *grown;

	if (b->len + bytes > b->max)
		return 0;
	grown = cv_realloc(b->data, b->len + bytes + 1);
	if (!grown)
		return 0;
	memcpy(grown + b->len, p, bytes);
	b->data = grown;
	b->len += bytes;
	b->data[b->len] = '\0';
	return bytes;
}
