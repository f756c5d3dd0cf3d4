/*
 * applications.c — AEO applications: GET/POST /api/v1/applications,
 * GET /api/v1/applications/{id} (with its timeline and the actions allowed
 * now), POST /api/v1/applications/{id}/transitions and /extension.
 *
 * The lifecycle rules live in aeo/applications.c; this file parses,
 * scopes (a trader sees only its operator's applications: others are 404)
 * and renders.
 */
#include "api/api.h"

#include "aeo/applications.h"
#include "aeo/attachments.h"
#include "aeo/saq.h"
#include "aeo/validation.h"
#include "base/mem.h"

#include <string.h>

#define APPLICATIONS_PAGE_DEFAULT 50
#define APPLICATIONS_PAGE_MAX 200

static void set_opt(json_t *o, const char *key, const char *value)
{
	json_object_set_new(o, key, value && *value ? json_string(value) : json_null());
}

static json_t *application_json(const struct aeo_application *a, const struct auth_principal *who)
{
	char allowed[256], *p;
	json_t *actions = json_array();
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:{s:s, s:s, s:s}}", "id", a->id,
			      "operator_id", a->operator_id, "type", a->type, "state", a->state,
			      "consent_mra", a->consent_mra, "created_at", a->created_at,
			      "updated_at", a->updated_at, "saq", "template", a->saq_template,
			      "version", a->saq_version, "variant", a->saq_variant);

	if (!o)
		return NULL;
	set_opt(o, "submitted_at", a->submitted_at);
	set_opt(o, "accept_due", a->accept_due);
	set_opt(o, "accepted_at", a->accepted_at);
	set_opt(o, "decision_due", a->decision_due);
	set_opt(o, "decided_at", a->decided_at);
	json_object_set_new(o, "extension",
			    a->extension_days ? json_pack("{s:i, s:s}", "days", a->extension_days,
							  "reason", a->extension_reason)
					      : json_null());
	/* The actions this caller may take now: what a client shows as buttons. */
	aeo_application_allowed(a->state, who, allowed, sizeof(allowed));
	for (p = allowed; strncmp(allowed, "none", 4) != 0 && *p;) {
		size_t len = strcspn(p, ",");
		json_array_append_new(actions, json_stringn(p, len));
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	json_object_set_new(o, "allowed_actions", actions);
	return o;
}

static json_t *authorization_json(const struct aeo_authorization *z)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id", z->id, "number",
			 z->number, "type", z->type, "status", z->status, "operator_id",
			 z->operator_id, "consent_mra", z->consent_mra, "valid_from", z->valid_from,
			 "revalidation_due", z->revalidation_due);
}

int api_applications_list(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	const char *overdue = http_query(call->req, "overdue"),
		   *soon = http_query(call->req, "due_soon");
	const char *state = http_query(call->req, "state"),
		   *op = http_query(call->req, "operator_id");
	struct aeo_application_query q = {0};
	struct aeo_application *apps;
	char today[CV_DATE_MAX];
	int count, rc;

	q.limit = api_paging(call, APPLICATIONS_PAGE_DEFAULT, APPLICATIONS_PAGE_MAX, &q.after,
			     errors);
	if (overdue && strcmp(overdue, "true") && strcmp(overdue, "false"))
		api_add_error(errors, "overdue", "must be true or false");
	if (soon && strcmp(soon, "true") && strcmp(soon, "false"))
		api_add_error(errors, "due_soon", "must be true or false");
	if (overdue && soon && !strcmp(overdue, "true") && !strcmp(soon, "true"))
		api_add_error(errors, "due_soon", "ask for overdue or due_soon, not both");
	if (state && strlen(state) > 24)
		api_add_error(errors, "state", "unknown state");
	if (api_refuse_fields(resp, errors, "bad list parameters"))
		return 0;
	cv_date_from_ms(cv_clock_now_ms(), today);
	q.today = today;
	q.state = state ? state : "";
	q.operator_id = op ? op : "";
	if (call->principal->user.role == ROLE_TRADER)
		q.operator_id = call->principal->user.operator_id;
	q.deadline = overdue && !strcmp(overdue, "true") ? AEO_OVERDUE
		     : soon && !strcmp(soon, "true")     ? AEO_DUE_SOON
							 : AEO_ALL;
	apps = cv_calloc((size_t)q.limit, sizeof(*apps));
	if (!apps)
		return api_error(resp, CV_ENOMEM, NULL);
	rc = aeo_application_list(call->conn, &q, apps, &count);
	if (rc) {
		cv_free(apps);
		return api_error(resp, rc, NULL);
	}
	items = json_array();
	for (int i = 0; i < count; i++)
		json_array_append_new(items, application_json(&apps[i], call->principal));
	rc = api_json(resp, 200,
		      json_pack("{s:o, s:s?}", "items", items, "next_after",
				count == q.limit && q.deadline == AEO_ALL ? apps[count - 1].id
									  : NULL));
	cv_free(apps);
	return rc;
}

int api_applications_create(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array();
	const char *type = api_body_string(call, "type", 1, 8, errors);
	const char *operator_id = api_body_string(call, "operator_id", 0, 64, errors);
	int consent = api_body_bool(call, "consent_mra", 0, errors);
	struct aeo_application *app;
	struct aeo_context ctx;
	struct cv_error err;
	int rc;

	if (call->principal->user.role == ROLE_TRADER && !operator_id)
		operator_id = call->principal->user.operator_id;
	if (!operator_id && !json_array_size(errors))
		api_add_error(errors, "operator_id",
			      "is required when customs opens an application");
	if (api_refuse_fields(resp, errors, "the application cannot be started as sent"))
		return 0;
	app = cv_calloc(1, sizeof(*app));
	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_application_create(call->conn, &ctx, call->principal, operator_id, type, consent,
				    app, &err);
	if (rc) {
		cv_free(app);
		return api_error(resp, rc, &err);
	}
	call->entity_type = "aeo_application";
	call->entity_id = cv_arena_strdup(call->req->arena, app->id);
	call->audit_detail = json_pack("{s:s, s:s, s:b}", "operator_id", app->operator_id, "type",
				       app->type, "consent_mra", app->consent_mra);
	http_response_header(resp, "Location",
			     cv_arena_printf(call->req->arena, "/api/v1/applications/%s", app->id));
	rc = api_json(resp, 201, application_json(app, call->principal));
	cv_free(app);
	return rc;
}

static int add_event(void *ctx, const char *action, const char *from, const char *to,
		     const char *actor, const char *reason, const char *at)
{
	json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s}", "action", action, "to_state", to,
			      "actor", actor, "reason", reason, "at", at);

	if (e)
		json_object_set_new(e, "from_state", *from ? json_string(from) : json_null());
	return json_array_append_new(ctx, e) ? CV_ENOMEM : CV_OK;
}

int api_applications_get(struct api_call *call, struct http_response *resp)
{
	struct aeo_application *app = cv_calloc(1, sizeof(*app));
	json_t *body, *timeline;
	int rc;

	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	rc = aeo_application_get(call->conn, http_param(call->req, "id"), app);
	if (rc == CV_ENOTFOUND ||
	    (rc == CV_OK && call->principal->user.role == ROLE_TRADER &&
	     strcmp(app->operator_id, call->principal->user.operator_id) != 0)) {
		cv_free(app);
		return api_problem(resp, 404, "no such application");
	}
	timeline = json_array();
	if (!rc)
		rc = aeo_application_timeline(call->conn, app->id, add_event, timeline);
	if (rc) {
		json_decref(timeline);
		cv_free(app);
		return api_error(resp, rc, NULL);
	}
	body = application_json(app, call->principal);
	json_object_set_new(body, "timeline", timeline);
	if (!strcmp(app->state, "authorized")) {
		struct aeo_authorization z;
		if (aeo_authorization_get(call->conn, app->id, &z) == CV_OK)
			json_object_set_new(body, "authorization", authorization_json(&z));
	}
	cv_free(app);
	return api_json(resp, 200, body);
}

int api_applications_transition(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *body;
	const char *action = api_body_string(call, "action", 1, 32, errors);
	const char *reason = api_body_string(call, "reason", 0, AEO_REASON_MAX * 4, errors);
	struct aeo_application *app;
	struct aeo_authorization z = {0};
	struct aeo_context ctx;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "an action is required"))
		return 0;
	app = cv_calloc(1, sizeof(*app));
	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_application_transition(call->conn, &ctx, call->principal,
					http_param(call->req, "id"), action, reason, app, &z, &err);
	if (!rc && z.number[0]) /* granted: MRA partners hear of it in the same transaction */
		rc = api_mra_announce(call, z.id, &err);
	if (rc) {
		cv_free(app);
		return api_error(resp, rc, &err);
	}
	call->entity_type = "aeo_application";
	call->entity_id = cv_arena_strdup(call->req->arena, app->id);
	call->audit_detail = json_pack("{s:s, s:s, s:s}", "action", action, "state", app->state,
				       "reason", reason ? reason : "");
	body = application_json(app, call->principal);
	if (z.number[0]) {
		json_object_set_new(body, "authorization", authorization_json(&z));
		json_object_set_new(call->audit_detail, "authorization_number",
				    json_string(z.number));
	}
	cv_free(app);
	return api_json(resp, 200, body);
}

int api_applications_extend(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array();
	long days = api_body_int(call, "days", 1, 1, 3650, 0, errors);
	const char *reason = api_body_string(call, "reason", 1, AEO_REASON_MAX * 4, errors);
	struct aeo_application *app;
	struct aeo_context ctx;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "an extension needs days and a reason"))
		return 0;
	app = cv_calloc(1, sizeof(*app));
	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_application_extend(call->conn, &ctx, call->principal, http_param(call->req, "id"),
				    (int)days, reason, app, &err);
	if (rc) {
		cv_free(app);
		return api_error(resp, rc, &err);
	}
	call->entity_type = "aeo_application";
	call->entity_id = cv_arena_strdup(call->req->arena, app->id);
	call->audit_detail = json_pack("{s:i, s:s}", "days", (int)days, "reason", reason);
	rc = api_json(resp, 200, application_json(app, call->principal));
	cv_free(app);
	return rc;
}

/* The application named in the path if the caller may see it; else 404 is answered. */
static int load_visible(struct api_call *call, struct http_response *resp,
			struct aeo_application *app)
{
	int rc = aeo_application_get(call->conn, http_param(call->req, "id"), app);

	if (rc == CV_ENOTFOUND || (rc == CV_OK && call->principal->user.role == ROLE_TRADER &&
				   strcmp(app->operator_id, call->principal->user.operator_id) != 0))
		return api_problem(resp, 404, "no such application"), 1;
	if (rc)
		return api_error(resp, rc, NULL), 1;
	return 0;
}

int api_applications_saq_get(struct api_call *call, struct http_response *resp)
{
	struct aeo_application *app = cv_calloc(1, sizeof(*app));
	const char *lang = aeo_saq_language(http_header(call->req, "Accept-Language"));
	json_t *view;
	int rc;

	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, app)) {
		cv_free(app);
		return 0;
	}
	/* Flags compare answers with the compliance record: for customs eyes only. */
	rc = aeo_saq_view(call->conn, app, lang, call->principal->user.role != ROLE_TRADER, &view);
	cv_free(app);
	if (rc)
		return api_error(resp, rc, NULL);
	http_response_header(resp, "Content-Language", lang);
	http_response_header(resp, "Vary", "Accept-Language");
	return api_json(resp, 200, view);
}

int api_applications_saq_answer(struct api_call *call, struct http_response *resp)
{
	struct aeo_application *app = cv_calloc(1, sizeof(*app));
	json_t *view;
	struct cv_error err;
	int rc;

	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, app)) {
		cv_free(app);
		return 0;
	}
	if (call->principal->user.role != ROLE_TRADER) {
		cv_free(app);
		return api_problem(resp, 403, "only the applicant answers its questionnaire");
	}
	cv_error_clear(&err);
	rc = aeo_saq_answer(call->conn, app, call->principal->user.username,
			    json_object_get(call->body, "answers"), &err);
	if (!rc)
		rc = aeo_saq_view(call->conn, app,
				  aeo_saq_language(http_header(call->req, "Accept-Language")), 0,
				  &view);
	if (rc) {
		cv_free(app);
		return api_error(resp, rc, &err);
	}
	call->entity_type = "aeo_application";
	call->entity_id = cv_arena_strdup(call->req->arena, app->id);
	call->audit_detail = json_pack("{s:O}", "answers", json_object_get(call->body, "answers"));
	cv_free(app);
	/* Headers must outlive the JSON value that api_json frees: copy into the arena. */
	http_response_header(resp, "Content-Language",
			     cv_arena_strdup(call->req->arena,
					     json_string_value(json_object_get(view, "language"))));
	http_response_header(resp, "Vary", "Accept-Language");
	return api_json(resp, 200, view);
}

int api_applications_validation(struct api_call *call, struct http_response *resp)
{
	struct aeo_application *app = cv_calloc(1, sizeof(*app));
	json_t *report;
	int rc;

	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, app)) {
		cv_free(app);
		return 0;
	}
	rc = aeo_validation_report(call->conn, app, &report);
	cv_free(app);
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, report);
}

/* Load the application of the path for a validation write, then answer with the report. */
static int validation_write(struct api_call *call, struct http_response *resp, int status,
			    int (*write)(struct api_call *call, const struct aeo_application *app,
					 const struct aeo_context *ctx, struct cv_error *err))
{
	struct aeo_application *app = cv_calloc(1, sizeof(*app));
	struct aeo_context ctx;
	struct cv_error err;
	json_t *report;
	int rc;

	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, app)) {
		cv_free(app);
		return 0;
	}
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = write(call, app, &ctx, &err);
	if (!rc)
		rc = aeo_validation_report(call->conn, app, &report);
	if (rc) {
		cv_free(app);
		return api_error(resp, rc, &err);
	}
	call->entity_type = "aeo_application";
	call->entity_id = cv_arena_strdup(call->req->arena, app->id);
	call->audit_detail = json_deep_copy(call->body);
	cv_free(app);
	return api_json(resp, status, report);
}

static int write_finding(struct api_call *call, const struct aeo_application *app,
			 const struct aeo_context *ctx, struct cv_error *err)
{
	json_t *errors = json_array();
	const char *result = api_body_string(call, "result", 1, 16, errors);
	const char *notes = api_body_string(call, "notes", 0, 8000, errors);
	const char *evidence = api_body_string(call, "evidence", 0, 8000, errors);
	int bad = json_array_size(errors) != 0;

	if (bad) {
		json_t *first = json_array_get(errors, 0);
		cv_error_set(err, CV_EINVAL, json_string_value(json_object_get(first, "field")),
			     "%s %s", json_string_value(json_object_get(first, "field")),
			     json_string_value(json_object_get(first, "message")));
	}
	json_decref(errors);
	if (bad)
		return CV_EINVAL;
	return aeo_finding_record(call->conn, ctx, call->principal, app,
				  http_param(call->req, "criterion"), result, notes, evidence, err);
}

int api_applications_finding(struct api_call *call, struct http_response *resp)
{
	return validation_write(call, resp, 200, write_finding);
}

static int write_visit(struct api_call *call, const struct aeo_application *app,
		       const struct aeo_context *ctx, struct cv_error *err)
{
	json_t *on = json_object_get(call->body, "planned_on");
	char id[CV_UUID_STR];

	return aeo_visit_plan(call->conn, ctx, call->principal, app, json_string_value(on),
			      json_object_get(call->body, "sites"),
			      json_object_get(call->body, "officers"), id, err);
}

int api_applications_visit_plan(struct api_call *call, struct http_response *resp)
{
	return validation_write(call, resp, 201, write_visit);
}

static int close_visit(struct api_call *call, const struct aeo_application *app,
		       const struct aeo_context *ctx, struct cv_error *err)
{
	return aeo_visit_close(call->conn, ctx, call->principal, app, http_param(call->req, "visit"),
			       json_string_value(json_object_get(call->body, "status")),
			       json_string_value(json_object_get(call->body, "report")), err);
}

int api_applications_visit_close(struct api_call *call, struct http_response *resp)
{
	return validation_write(call, resp, 200, close_visit);
}

int api_attachments_list(struct api_call *call, struct http_response *resp)
{
	struct aeo_application *app = cv_calloc(1, sizeof(*app));
	json_t *items;
	int rc;

	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, app)) {
		cv_free(app);
		return 0;
	}
	rc = aeo_attachments_json(call->conn, app->id, &items);
	cv_free(app);
	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_attachments_add(struct api_call *call, struct http_response *resp)
{
	struct aeo_application *app = cv_calloc(1, sizeof(*app));
	const char *filename = http_query(call->req, "filename");
	struct aeo_context ctx;
	struct cv_error err;
	json_t *meta = NULL;
	int rc;

	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, app)) {
		cv_free(app);
		return 0;
	}
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_attachment_add(call->conn, &ctx, call->principal, app,
				call->app->config->attachments_dir, filename,
				http_header(call->req, "Content-Type"), call->req->body,
				call->req->body_len, &meta, &err);
	if (rc) {
		cv_free(app);
		return api_error(resp, rc, &err);
	}
	call->entity_type = "aeo_attachment";
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(meta, "id")));
	call->audit_detail = json_pack("{s:s, s:O, s:O, s:O}", "application_id", app->id,
				       "filename", json_object_get(meta, "filename"), "sha256",
				       json_object_get(meta, "sha256"), "size",
				       json_object_get(meta, "size"));
	http_response_header(resp, "Location",
			     cv_arena_printf(call->req->arena,
					     "/api/v1/applications/%s/attachments/%s", app->id,
					     json_string_value(json_object_get(meta, "id"))));
	cv_free(app);
	return api_json(resp, 201, meta);
}

int api_attachments_get(struct api_call *call, struct http_response *resp)
{
	struct aeo_application *app = cv_calloc(1, sizeof(*app));
	json_t *meta = NULL;
	struct cv_error err;
	void *data = NULL;
	size_t len = 0;
	int rc;

	if (!app)
		return api_error(resp, CV_ENOMEM, NULL);
	if (load_visible(call, resp, app)) {
		cv_free(app);
		return 0;
	}
	cv_error_clear(&err);
	rc = aeo_attachment_read(call->conn, call->app->config->attachments_dir, app->id,
				 http_param(call->req, "attachment"), &meta, &data, &len, &err);
	cv_free(app);
	if (!rc) {
		/* The stored type is one of ours (attachments.c), never the uploader's text. */
		const char *type =
			cv_arena_strdup(call->req->arena,
					json_string_value(json_object_get(meta, "content_type")));
		rc = http_response_set(resp, 200, type, data, len);
		http_response_header(resp, "Content-Disposition",
				     cv_arena_printf(call->req->arena, "attachment; filename=\"%s\"",
						     json_string_value(
							     json_object_get(meta, "filename"))));
		http_response_header(resp, "ETag",
				     cv_arena_printf(call->req->arena, "\"%s\"",
						     json_string_value(
							     json_object_get(meta, "sha256"))));
	}
	cv_free(data);
	json_decref(meta);
	return rc ? api_error(resp, rc, &err) : 0;
}
