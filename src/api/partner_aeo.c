/*
 * partner_aeo.c — mutual recognition in the API: GET /api/v1/partner-aeo,
 * the AEOs of MRA partner administrations as their signed status
 * credentials said (the register the selectivity engine reads for aeo =
 * partner; docs/EXCHANGE.md), and the announcement of this node's own
 * authorization changes to its partners.
 */
#include "api/api.h"

#include "base/clock.h"
#include "exchange/mra.h"
#include "exchange/partner_aeo.h"

#include <string.h>

int api_partner_aeo_list(struct api_call *call, struct http_response *resp)
{
	const char *country = http_query(call->req, "country"), *id = http_query(call->req, "id");
	json_t *errors = json_array(), *out;
	int rc;

	if (country && (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' ||
			country[1] < 'A' || country[1] > 'Z'))
		api_add_error(errors, "country", "must be an ISO 3166 alpha-2 code such as UZ");
	if (id && (!*id || strlen(id) > 64))
		api_add_error(errors, "id",
			      "must be an identification number of 1 to 64 characters");
	if (api_refuse_fields(resp, errors, "the query is not valid"))
		return 0;
	rc = partner_aeo_list(call->conn, country, id, &out);
	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200,
			     json_pack("{s:o, s:I}", "items", out, "count",
				       (json_int_t)json_array_size(out)));
}

int api_mra_announce(struct api_call *call, const char *authorization_id, struct cv_error *err)
{
	struct exchange_mra_context ctx = {call->app->node, call->app->config->public_url,
					   cv_clock_now_ms()};

	return exchange_mra_announce(call->conn, &ctx, authorization_id, NULL, NULL, err);
}
