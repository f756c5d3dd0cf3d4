/*
 * lpcos.c — licences, permits, certificates and other documents (LPCO):
 * a trader applies, an officer of the agency issues or refuses, everyone
 * concerned reads them (a trader its own, an agency its own, customs all).
 */
#include "api/api.h"

#include "base/arena.h"
#include "base/clock.h"
#include "trade/lpco.h"

#include <string.h>

#define LPCOS_PAGE_DEFAULT 50
#define LPCOS_PAGE_MAX 500

static int answer(struct api_call *call, struct http_response *resp, int rc, json_t *errors,
		  const struct cv_error *err, json_t *out, int status)
{
	static const char *const audited[] = {"type", "status", "number", NULL};

	return api_write_answer(call, resp, rc, errors, err, "nothing was stored", "lpco", audited,
				out, status);
}

int api_lpcos_apply(struct api_call *call, struct http_response *resp)
{
	struct trade_context ctx;
	json_t *errors = json_array(), *out = NULL;
	struct cv_error err;
	int rc;

	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = trade_lpco_apply(call->conn, &ctx, call->principal, call->body, errors, &out, &err);
	return answer(call, resp, rc, errors, &err, out, 201);
}

int api_lpcos_decide(struct api_call *call, struct http_response *resp)
{
	struct trade_context ctx;
	json_t *errors = json_array(), *out = NULL;
	struct cv_error err;
	int rc;

	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = trade_lpco_decide(call->conn, &ctx, call->principal, http_param(call->req, "id"),
			       call->body, errors, &out, &err);
	return answer(call, resp, rc, errors, &err, out, 200);
}

int api_lpcos_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = trade_lpco_get(call->conn, call->principal, http_param(call->req, "id"), &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no LPCO with this id or number");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}

int api_lpcos_list(struct api_call *call, struct http_response *resp)
{
	static const char *const statuses[] = {"applied", "issued", "refused", NULL};
	json_t *errors = json_array(), *items;
	const char *after, *status = api_status_filter(call, statuses, errors);
	int limit = api_paging(call, LPCOS_PAGE_DEFAULT, LPCOS_PAGE_MAX, &after, errors);
	int rc;

	if (api_refuse_fields(resp, errors, "bad list parameters"))
		return 0;
	rc = trade_lpcos_list(call->conn, call->principal, status, after, limit, &items);
	return rc ? api_error(resp, rc, NULL) : api_page(resp, items, limit);
}
