/* request.c — see request.h. */
#include "http/request.h"

#include "base/err.h"

#include <string.h>

static const char *lookup(const struct http_request *req, int kind, const char *name)
{
	return req->lookup ? req->lookup(req->transport, kind, name) : NULL;
}

const char *http_header(const struct http_request *req, const char *name)
{
	return lookup(req, HTTP_LOOKUP_HEADER, name);
}

const char *http_query(const struct http_request *req, const char *name)
{
	return lookup(req, HTTP_LOOKUP_QUERY, name);
}

const char *http_cookie(const struct http_request *req, const char *name)
{
	return lookup(req, HTTP_LOOKUP_COOKIE, name);
}

const char *http_param(const struct http_request *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

void http_response_init(struct http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	resp->content_type = "application/json";
	cv_buf_init(&resp->body);
}

void http_response_release(struct http_response *resp) { cv_buf_release(&resp->body); }

int http_response_header(struct http_response *resp, const char *name, const char *value)
{
	if (resp->nheaders >= HTTP_MAX_RESPONSE_HEADERS)
		return CV_EINTERNAL;
	resp->headers[resp->nheaders].name = name;
	resp->headers[resp->nheaders].value = value;
	resp->nheaders++;
	return CV_OK;
}

int http_response_set(struct http_response *resp, int status, const char *content_type,
		      const void *body, size_t len)
{
	resp->status = status;
	resp->content_type = content_type;
	cv_buf_reset(&resp->body);
	return cv_buf_add(&resp->body, body, len);
}
