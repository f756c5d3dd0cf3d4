/*
 * certificates.c — electronic certificates of origin in the API
 * (exchange/certificates.h): an issuing authority issues and revokes them;
 * the authority, customs, auditors and the traders they name read them,
 * issued here or received from partners.
 */
#include "api/api.h"

#include "base/clock.h"
#include "exchange/certificates.h"

#include <string.h>

#define CERTIFICATES_PAGE_DEFAULT 50
#define CERTIFICATES_PAGE_MAX 500

static void context(const struct api_call *call, struct exchange_origin_context *ctx)
{
	ctx->node = call->app->node;
	ctx->public_url = call->app->config->public_url;
	ctx->node_country = call->app->config->node_country;
	ctx->now_ms = cv_clock_now_ms();
}

static int answer(struct api_call *call, struct http_response *resp, int rc, json_t *errors,
		  const struct cv_error *err, json_t *out, int status)
{
	static const char *const audited[] = {"number", "importing_country", "status", "revoked",
					      NULL};

	return api_write_answer(call, resp, rc, errors, err, "no certificate was issued",
				"origin_certificate", audited, out, status);
}

int api_certificates_issue(struct api_call *call, struct http_response *resp)
{
	struct exchange_origin_context ctx;
	json_t *errors = json_array(), *out = NULL;
	struct cv_error err;
	int rc;

	context(call, &ctx);
	cv_error_clear(&err);
	rc = exchange_certificate_issue(call->conn, &ctx, call->principal, call->body, errors, &out,
					&err);
	return answer(call, resp, rc, errors, &err, out, 201);
}

int api_certificates_revoke(struct api_call *call, struct http_response *resp)
{
	struct exchange_origin_context ctx;
	json_t *errors = json_array(), *out = NULL;
	const char *reason = api_body_string(call, "reason", 1, 500, errors);
	struct cv_error err;
	int rc = CV_EINVAL;

	context(call, &ctx);
	cv_error_clear(&err);
	if (!json_array_size(errors))
		rc = exchange_certificate_revoke(call->conn, &ctx, call->principal,
						 http_param(call->req, "id"), reason, &out, &err);
	return answer(call, resp, rc, errors, &err, out, 200);
}

int api_certificates_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = exchange_certificate_get(call->conn, call->principal, http_param(call->req, "id"),
					  &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no certificate of origin with this id or number");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}

int api_certificates_list(struct api_call *call, struct http_response *resp)
{
	static const char *const directions[] = {"issued", "received", NULL};
	const char *direction = http_query(call->req, "direction"),
		   *number = http_query(call->req, "number"), *after;
	json_t *errors = json_array(), *items;
	int limit = api_paging(call, CERTIFICATES_PAGE_DEFAULT, CERTIFICATES_PAGE_MAX, &after,
			       errors);
	int rc, known = 0;

	for (size_t i = 0; direction && directions[i]; i++)
		known |= !strcmp(direction, directions[i]);
	if (direction && !known)
		api_add_error(errors, "direction", "must be issued or received");
	if (number && (!*number || strlen(number) > 64))
		api_add_error(errors, "number",
			      "must be a certificate number of 1 to 64 characters");
	if (api_refuse_fields(resp, errors, "bad list parameters"))
		return 0;
	rc = exchange_certificates_list(call->conn, call->principal, direction, number, after,
					limit, &items);
	return rc ? api_error(resp, rc, NULL) : api_page(resp, items, limit);
}
