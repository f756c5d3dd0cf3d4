/*
 * operators.c — the economic operator registry: GET/POST /api/v1/operators,
 * GET/PATCH /api/v1/operators/{id}.
 *
 * A trader sees and edits only its own operator; any other id answers 404,
 * exactly as an id that does not exist, so a trader cannot probe the
 * registry.
 */
#include "api/api.h"

#include "aeo/operators.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

#define OPERATORS_PAGE_DEFAULT 50
#define OPERATORS_PAGE_MAX 200

static json_t *operator_json(const struct aeo_operator *op)
{
	json_t *roles = json_array(), *contacts = json_loads(op->contacts, 0, NULL);

	for (unsigned bit = 1; bit && bit <= AEO_ROLE_EXPRESS_OPERATOR; bit <<= 1)
		if (op->roles & bit)
			json_array_append_new(roles, json_string(aeo_operator_role_name(bit)));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:o, s:s, s:s}", "id", op->id,
			 "tin", op->tin, "name", op->name, "address", op->address, "country",
			 op->country, "roles", roles, "sme", op->sme, "ecommerce", op->ecommerce,
			 "contacts", contacts ? contacts : json_array(), "created_at",
			 op->created_at, "updated_at", op->updated_at);
}

/* Read the editable fields present in the body into op; report bad ones in errors. */
static void read_fields(struct api_call *call, struct aeo_operator *op, int creating, json_t *errors)
{
	const char *name = api_body_string(call, "name", creating, AEO_NAME_MAX * 4, errors);
	const char *address = api_body_string(call, "address", 0, AEO_ADDRESS_MAX * 4, errors);
	json_t *roles = json_object_get(call->body, "roles");
	json_t *contacts = json_object_get(call->body, "contacts");

	if (name)
		snprintf(op->name, sizeof(op->name), "%s", name);
	if (address)
		snprintf(op->address, sizeof(op->address), "%s", address);
	/* The SME and e-commerce flags select adapted criteria: customs sets them. */
	if (call->principal->user.role == ROLE_TRADER &&
	    (json_object_get(call->body, "sme") || json_object_get(call->body, "ecommerce")))
		api_add_error(errors, json_object_get(call->body, "sme") ? "sme" : "ecommerce",
			      "is set by customs (it selects adapted AEO criteria)");
	op->sme = api_body_bool(call, "sme", op->sme, errors);
	op->ecommerce = api_body_bool(call, "ecommerce", op->ecommerce, errors);
	if (roles) {
		size_t i;
		json_t *r;
		op->roles = 0;
		if (!json_is_array(roles))
			api_add_error(errors, "roles", "must be a list of role names");
		json_array_foreach(roles, i, r) {
			unsigned bit = json_is_string(r)
					       ? aeo_operator_role_parse(json_string_value(r))
					       : 0;
			if (!bit) {
				api_add_error(errors, "roles",
					      "unknown role; use importer, exporter, manufacturer, customs_broker, "
					      "freight_forwarder, carrier, warehouse_operator, "
					      "ecommerce_platform, express_operator");
				break;
			}
			op->roles |= bit;
		}
	} else if (creating) {
		api_add_error(errors, "roles", "is required");
	}
	if (contacts && !json_is_array(contacts)) {
		api_add_error(errors, "contacts", "must be a list of {name, role, email, phone}");
	} else if (contacts) {
		char *text = json_dumps(contacts, JSON_COMPACT);
		if (!text || strlen(text) > AEO_CONTACTS_MAX)
			api_add_error(errors, "contacts", "too long");
		else
			snprintf(op->contacts, sizeof(op->contacts), "%s", text);
		free(text);
	}
}

int api_operators_list(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	const char *after, *q = http_query(call->req, "q");
	int limit = api_paging(call, OPERATORS_PAGE_DEFAULT, OPERATORS_PAGE_MAX, &after, errors);
	struct aeo_operator *ops;
	int count, rc;

	if (q && strlen(q) > 4 * AEO_NAME_MAX)
		api_add_error(errors, "q", "is too long");
	if (api_refuse_fields(resp, errors, "bad search parameters"))
		return 0;
	ops = cv_calloc((size_t)limit, sizeof(*ops));
	if (!ops)
		return api_error(resp, CV_ENOMEM, NULL);
	rc = aeo_operator_search(call->conn, call->principal, q ? q : "", after, limit, ops, &count);
	if (rc) {
		cv_free(ops);
		return api_error(resp, rc, NULL);
	}
	items = json_array();
	for (int i = 0; i < count; i++)
		json_array_append_new(items, operator_json(&ops[i]));
	rc = api_json(resp, 200,
		      json_pack("{s:o, s:s?}", "items", items, "next_after",
				count == limit ? ops[count - 1].id : NULL));
	cv_free(ops);
	return rc;
}

int api_operators_create(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array();
	struct aeo_operator *op = cv_calloc(1, sizeof(*op));
	const char *tin = api_body_string(call, "tin", 1, AEO_TIN_MAX, errors);
	const char *country = api_body_string(call, "country", 1, 2, errors);
	struct cv_error err;
	int rc;

	if (!op) {
		json_decref(errors);
		return api_error(resp, CV_ENOMEM, NULL);
	}
	if (call->principal->user.role == ROLE_TRADER)
		api_add_error(errors, "tin",
			      "a trader user already belongs to an operator; ask customs to register another");
	read_fields(call, op, 1, errors);
	if (json_array_size(errors)) {
		cv_free(op);
		return api_problem_fields(resp, "the operator cannot be registered as sent", errors);
	}
	json_decref(errors);
	snprintf(op->tin, sizeof(op->tin), "%s", tin);
	snprintf(op->country, sizeof(op->country), "%s", country);
	cv_error_clear(&err);
	rc = aeo_operator_create(call->conn, op, &err);
	if (rc) {
		cv_free(op);
		return api_error(resp, rc, &err);
	}
	call->entity_type = "operator";
	call->entity_id = cv_arena_strdup(call->req->arena, op->id);
	call->audit_detail = json_pack("{s:s, s:s}", "tin", op->tin, "name", op->name);
	http_response_header(resp, "Location",
			     cv_arena_printf(call->req->arena, "/api/v1/operators/%s", op->id));
	rc = api_json(resp, 201, operator_json(op));
	cv_free(op);
	return rc;
}

/* Load the operator named in the path if the caller may see it; else answer 404. */
static int load_visible(struct api_call *call, struct http_response *resp, struct aeo_operator *op)
{
	int rc = aeo_operator_get(call->conn, http_param(call->req, "id"), op);

	if (rc == CV_ENOTFOUND || (rc == CV_OK && !aeo_operator_visible(call->principal, op->id)))
		return api_problem(resp, 404, "no such operator"), 1;
	if (rc)
		return api_error(resp, rc, NULL), 1;
	return 0;
}

int api_operators_get(struct api_call *call, struct http_response *resp)
{
	struct aeo_operator *op = cv_calloc(1, sizeof(*op));
	int rc;

	if (!op)
		return api_error(resp, CV_ENOMEM, NULL);
	rc = load_visible(call, resp, op) ? 0 : api_json(resp, 200, operator_json(op));
	cv_free(op);
	return rc;
}

int api_operators_update(struct api_call *call, struct http_response *resp)
{
	struct aeo_operator *op = cv_calloc(1, sizeof(*op));
	json_t *errors;
	struct cv_error err;
	int rc;

	if (!op)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, op)) {
		cv_free(op);
		return 0;
	}
	errors = json_array();
	if (json_object_get(call->body, "tin"))
		api_add_error(errors, "tin",
			      "the identification number cannot change; register a new operator");
	if (json_object_get(call->body, "country"))
		api_add_error(errors, "country",
			      "the country cannot change; register a new operator");
	read_fields(call, op, 0, errors);
	if (json_array_size(errors)) {
		cv_free(op);
		return api_problem_fields(resp, "the operator cannot be changed as sent", errors);
	}
	json_decref(errors);
	cv_error_clear(&err);
	rc = aeo_operator_update(call->conn, op, &err);
	if (!rc) {
		call->entity_type = "operator";
		call->entity_id = cv_arena_strdup(call->req->arena, op->id);
		call->audit_detail = json_deep_copy(call->body);
		rc = api_json(resp, 200, operator_json(op));
	} else {
		rc = api_error(resp, rc, &err);
	}
	cv_free(op);
	return rc;
}
