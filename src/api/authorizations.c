/*
 * authorizations.c — granted AEO authorizations: GET /api/v1/authorizations,
 * /worklist, /{id}; POST /{id}/transitions (suspend, lift, revoke, expire)
 * and /{id}/measures; and the public verification GET /api/v1/public/aeo/{number}.
 *
 * The public lookup answers anyone, without credentials, with no private
 * data, within a per-address rate limit (configuration public_rate_per_minute).
 */
#include "api/api.h"

#include "aeo/audits.h"
#include "aeo/authorizations.h"
#include "aeo/operators.h"
#include "api/ratelimit.h"
#include "base/mem.h"
#include "report/certificate.h"

#include <stdio.h>
#include <string.h>

#define AUTHORIZATIONS_PAGE_DEFAULT 50
#define AUTHORIZATIONS_PAGE_MAX 200

/* The authorization named in the path, if the caller may see it; else 404 is answered. */
static int load_visible(struct api_call *call, struct http_response *resp,
			struct aeo_authorization *z)
{
	int rc = aeo_authorization_get(call->conn, http_param(call->req, "id"), z);

	if (rc == CV_ENOTFOUND ||
	    (rc == CV_OK && !aeo_operator_visible(call->principal, z->operator_id)))
		return api_problem(resp, 404, "no such authorization"), 1;
	if (rc)
		return api_error(resp, rc, NULL), 1;
	return 0;
}

int api_authorizations_list(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	const char *after, *status = http_query(call->req, "status"),
			   *op = http_query(call->req, "operator_id");
	int limit = api_paging(call, AUTHORIZATIONS_PAGE_DEFAULT, AUTHORIZATIONS_PAGE_MAX, &after,
			       errors);
	int rc;

	if (status && strcmp(status, "valid") && strcmp(status, "suspended") &&
	    strcmp(status, "revoked") && strcmp(status, "expired"))
		api_add_error(errors, "status", "must be valid, suspended, revoked or expired");
	if (api_refuse_fields(resp, errors, "bad list parameters"))
		return 0;
	if (call->principal->user.role == ROLE_TRADER)
		op = call->principal->user.operator_id;
	rc = aeo_authorization_list_json(call->conn, op ? op : "", status ? status : "", after,
					 limit, &items);
	if (rc)
		return api_error(resp, rc, NULL);
	return api_json(resp, 200,
			json_pack("{s:o, s:O}", "items", items, "next_after",
				  (int)json_array_size(items) == limit
					  ? json_object_get(json_array_get(items, (size_t)limit - 1),
							    "id")
					  : json_null()));
}

int api_authorizations_worklist(struct api_call *call, struct http_response *resp)
{
	char today[CV_DATE_MAX];
	json_t *items;
	int rc;

	cv_date_from_ms(cv_clock_now_ms(), today);
	rc = aeo_authorization_worklist_json(call->conn, today, &items);
	if (rc)
		return api_error(resp, rc, NULL);
	return api_json(resp, 200, json_pack("{s:s, s:o}", "as_of", today, "items", items));
}

int api_authorizations_get(struct api_call *call, struct http_response *resp)
{
	struct aeo_authorization z;
	json_t *body;
	int rc;

	if (load_visible(call, resp, &z))
		return 0;
	rc = aeo_authorization_json(call->conn, &z, &body);
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, body);
}

int api_authorizations_change(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *body;
	struct aeo_authorization_change c = {
		.action = api_body_string(call, "action", 1, 16, errors),
		.ground = api_body_string(call, "ground", 0, 64, errors),
		.reason = api_body_string(call, "reason", 0, 4 * AEO_REASON_MAX, errors),
		.remedy_days = (int)api_body_int(call, "remedy_days", 0, 1, 365, 0, errors),
		.effective_on = api_body_string(call, "effective_on", 0, 10, errors),
	};
	struct aeo_authorization z;
	struct aeo_context ctx;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "the change cannot be made as sent"))
		return 0;
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_authorization_change(call->conn, &ctx, call->principal,
				      http_param(call->req, "id"), &c, &z, &err);
	if (!rc) /* MRA partners hear of it in the same transaction */
		rc = api_mra_announce(call, z.id, &err);
	if (!rc)
		rc = aeo_authorization_json(call->conn, &z, &body);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "aeo_authorization";
	call->entity_id = cv_arena_strdup(call->req->arena, z.id);
	call->audit_detail = json_deep_copy(call->body);
	json_object_set_new(call->audit_detail, "number", json_string(z.number));
	return api_json(resp, 200, body);
}

int api_authorizations_measures(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *body;
	const char *measures = api_body_string(call, "measures", 1, 4 * AEO_REASON_MAX, errors);
	struct aeo_authorization z;
	struct aeo_context ctx;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "state the measures"))
		return 0;
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_authorization_measures(call->conn, &ctx, call->principal,
					http_param(call->req, "id"), measures, &err);
	if (!rc)
		rc = aeo_authorization_get(call->conn, http_param(call->req, "id"), &z);
	if (!rc)
		rc = aeo_authorization_json(call->conn, &z, &body);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "aeo_authorization";
	call->entity_id = cv_arena_strdup(call->req->arena, z.id);
	call->audit_detail = json_pack("{s:s, s:s}", "number", z.number, "measures", measures);
	return api_json(resp, 200, body);
}

int api_public_aeo(struct api_call *call, struct http_response *resp)
{
	int wait = api_ratelimit_hit(call->req->address, call->app->config->public_rate_per_minute);
	json_t *body;
	int rc;

	if (wait) {
		http_response_header(resp, "Retry-After",
				     cv_arena_printf(call->req->arena, "%d", wait));
		return api_problem(resp, 429,
				   cv_arena_printf(call->req->arena,
						   "too many lookups from your address; try again in %d seconds",
						   wait));
	}
	rc = aeo_authorization_public_json(call->conn, http_param(call->req, "number"), &body);
	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no AEO authorization has this number");
	if (rc)
		return api_error(resp, rc, NULL);
	/* Anyone may cache the answer briefly; the status changes rarely. */
	http_response_header(resp, "Cache-Control", "public, max-age=60");
	return api_json(resp, 200, body);
}

int api_authorizations_certificate(struct api_call *call, struct http_response *resp)
{
	const struct cv_config *config = call->app->config;
	struct aeo_operator *op = cv_malloc(sizeof(*op));
	const char *benefits[16] = {NULL};
	struct certificate_data d = {0};
	struct aeo_authorization z;
	struct cv_error err;
	struct cv_buf pdf;
	json_t *full = NULL, *b;
	size_t i;
	int rc;

	if (!op)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, &z)) {
		cv_free(op);
		return 0;
	}
	rc = aeo_operator_get(call->conn, z.operator_id, op);
	if (!rc)
		rc = aeo_authorization_json(call->conn, &z, &full);
	if (rc) {
		cv_free(op);
		return api_error(resp, rc, NULL);
	}
	json_array_foreach(json_object_get(full, "benefits"), i, b) {
		if (i < 15)
			benefits[i] = json_string_value(json_object_get(b, "name"));
	}
	d = (struct certificate_data){
		.administration = config->node_name,
		.country = config->node_country,
		.number = z.number,
		.type = z.type,
		.status = z.status,
		.operator_name = op->name,
		.operator_tin = op->tin,
		.operator_address = op->address,
		.valid_from = z.valid_from,
		.revalidation_due = z.revalidation_due,
		.verify_url = cv_arena_printf(call->req->arena, "%s/api/v1/public/aeo/%s",
					      config->public_url, z.number),
		.benefits = benefits,
	};
	cv_buf_init(&pdf);
	cv_error_clear(&err);
	rc = report_certificate_pdf(&d, &pdf, &err);
	if (!rc)
		rc = http_response_set(resp, 200, "application/pdf", pdf.data, pdf.len);
	if (!rc)
		http_response_header(resp, "Content-Disposition",
				     cv_arena_printf(call->req->arena,
						     "inline; filename=\"%s.pdf\"", z.number));
	cv_buf_release(&pdf);
	json_decref(full);
	cv_free(op);
	return rc ? api_error(resp, rc, &err) : 0;
}

int api_authorizations_audits(struct api_call *call, struct http_response *resp)
{
	struct aeo_authorization z;
	json_t *items;
	int rc;

	if (load_visible(call, resp, &z))
		return 0;
	rc = aeo_audits_json(call->conn, z.id, &items);
	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:s, s:o}", "number", z.number, "items", items));
}

int api_authorizations_audit_schedule(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	const char *kind = api_body_string(call, "kind", 1, 16, errors);
	const char *planned_on = api_body_string(call, "planned_on", 1, 10, errors);
	const char *reason = api_body_string(call, "reason", 1, 2000, errors);
	struct aeo_authorization z;
	struct aeo_context ctx;
	struct cv_error err;
	char id[CV_UUID_STR];
	int rc;

	if (api_refuse_fields(resp, errors, "the audit cannot be scheduled as sent"))
		return 0;
	if (load_visible(call, resp, &z))
		return 0;
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_audit_schedule(call->conn, &ctx, call->principal, z.id, kind, planned_on, reason,
				id, &err);
	if (!rc)
		rc = aeo_audits_json(call->conn, z.id, &items);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "aeo_audit";
	call->entity_id = cv_arena_strdup(call->req->arena, id);
	call->audit_detail = json_deep_copy(call->body);
	json_object_set_new(call->audit_detail, "number", json_string(z.number));
	return api_json(resp, 201,
			json_pack("{s:s, s:s, s:o}", "id", id, "number", z.number, "items", items));
}

int api_authorizations_audit_close(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *body;
	struct aeo_audit_close c = {
		.status = api_body_string(call, "status", 1, 16, errors),
		.findings = api_body_string(call, "findings", 0, 16000, errors),
		.outcome = api_body_string(call, "outcome", 0, 16, errors),
		.ground = api_body_string(call, "ground", 0, 64, errors),
		.reason = api_body_string(call, "reason", 0, 8000, errors),
	};
	struct aeo_authorization z;
	struct aeo_context ctx;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "the audit cannot be closed as sent"))
		return 0;
	if (load_visible(call, resp, &z))
		return 0;
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_audit_close(call->conn, &ctx, call->principal, z.id,
			     http_param(call->req, "audit"), &c, &err);
	if (!rc)
		rc = aeo_authorization_get(call->conn, z.id, &z);
	if (!rc)
		rc = aeo_authorization_json(call->conn, &z, &body);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "aeo_audit";
	call->entity_id = cv_arena_strdup(call->req->arena, http_param(call->req, "audit"));
	call->audit_detail = json_deep_copy(call->body);
	return api_json(resp, 200, body);
}

int api_aeo_monitoring(struct api_call *call, struct http_response *resp)
{
	char today[CV_DATE_MAX];
	json_t *items;
	int rc;

	cv_date_from_ms(cv_clock_now_ms(), today);
	rc = aeo_monitoring_json(call->conn, today, &items);
	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:s, s:o}", "as_of", today, "items", items));
}
