/* meta.c — what the node is and whether it is well: /healthz, /api/v1/meta, the API reference and the start page. */
#include "api/api.h"

#include "base/embedded.h"

#include <string.h>

int api_healthz(struct api_call *call, struct http_response *resp)
{
	struct store_stmt *stmt;
	int rc = store_prepare(call->conn, "SELECT 1", &stmt);

	if (!rc) {
		rc = store_step(stmt);
		store_finish(stmt);
	}
	if (rc != STORE_ROW)
		return api_json(resp, 503,
				json_pack("{s:s, s:s}", "status", "unavailable", "database",
					  "unreachable"));
	return api_json(resp, 200, json_pack("{s:s, s:s}", "status", "ok", "database", "ok"));
}

int api_meta(struct api_call *call, struct http_response *resp)
{
	const struct cv_config *c = call->app->config;

	return api_json(resp, 200,
			json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "name", "caravan", "version",
				  CARAVAN_VERSION, "api", "v1", "node", "country", c->node_country,
				  "name", c->node_name));
}

static int send_embedded(struct http_response *resp, const char *name, const char *type)
{
	const struct cv_embedded_file *f = cv_embedded_find(name);

	if (!f)
		return api_problem(resp, 404, "this file is not part of the build");
	return http_response_set(resp, 200, type, f->data, f->size);
}

int api_openapi(struct api_call *call, struct http_response *resp)
{
	(void)call;
	return send_embedded(resp, "docs/openapi.yaml", "application/yaml");
}

int api_index_page(struct api_call *call, struct http_response *resp)
{
	(void)call;
	return send_embedded(resp, "web/index.html", "text/html; charset=utf-8");
}
