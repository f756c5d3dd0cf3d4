/*
 * requirements.c — GET /api/v1/requirements?hs=&direction=&origin=: what
 * goods need before they move (the LPCO, who issues it, on what legal
 * basis), for anyone to read before trading.
 */
#include "api/api.h"

#include "trade/requirements.h"

#include <ctype.h>
#include <string.h>

int api_requirements(struct api_call *call, struct http_response *resp)
{
	const char *hs = http_query(call->req, "hs"),
		   *direction = http_query(call->req, "direction"),
		   *origin = http_query(call->req, "origin");
	json_t *errors = json_array(), *found;
	size_t n = hs ? strlen(hs) : 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)hs[i]))
			n = 0;
	if (n < 2 || n > 10)
		api_add_error(errors, "hs", "must be an HS code of 2 to 10 digits");
	if (!direction)
		direction = "import";
	if (strcmp(direction, "import") && strcmp(direction, "export") &&
	    strcmp(direction, "transit"))
		api_add_error(errors, "direction", "must be import, export or transit");
	if (origin && (strlen(origin) != 2 || !isupper((unsigned char)origin[0]) ||
		       !isupper((unsigned char)origin[1])))
		api_add_error(errors, "origin", "must be an ISO 3166 country code (\"CN\")");
	if (api_refuse_fields(resp, errors, "bad question"))
		return 0;
	rc = trade_requirements_for(call->conn, hs, direction, origin, &found);
	if (rc)
		return api_error(resp, rc, NULL);
	return api_json(resp, 200,
			json_pack("{s:s, s:s, s:s?, s:o}", "hs", hs, "direction", direction,
				  "origin", origin, "requirements", found));
}
