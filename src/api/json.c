/* json.c — JSON and problem-document helpers shared by the handlers (see api.h). */
#include "api/api.h"

#include "aeo/applications.h"
#include "base/buf.h"
#include "trade/lodging.h"

#include <stdlib.h>
#include <string.h>

const char *api_status_title(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

static int send(struct http_response *resp, int status, const char *type, json_t *value)
{
	char *text;
	int rc;

	if (!value)
		return CV_ENOMEM;
	/* 15 significant digits: 44.4 prints as 44.4, not 44.399999999999999. */
	text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(value);
	if (!text)
		return CV_ENOMEM;
	rc = http_response_set(resp, status, type, text, strlen(text));
	free(text);
	return rc;
}

int api_json(struct http_response *resp, int status, json_t *value)
{
	return send(resp, status, "application/json", value);
}

static json_t *problem(int status, const char *detail)
{
	json_t *p = json_pack("{s:s, s:s, s:i}", "type", "about:blank", "title",
			      api_status_title(status), "status", status);

	if (p && detail)
		json_object_set_new(p, "detail", json_string(detail));
	return p;
}

int api_problem(struct http_response *resp, int status, const char *detail)
{
	return send(resp, status, "application/problem+json", problem(status, detail));
}

int api_problem_fields(struct http_response *resp, const char *detail, json_t *errors)
{
	json_t *p = problem(422, detail);

	if (p)
		json_object_set_new(p, "errors", errors);
	else
		json_decref(errors);
	return send(resp, 422, "application/problem+json", p);
}

int api_refuse_fields(struct http_response *resp, json_t *errors, const char *detail)
{
	if (json_array_size(errors)) {
		api_problem_fields(resp, detail, errors);
		return 1;
	}
	json_decref(errors);
	return 0;
}

int api_error(struct http_response *resp, int code, const struct cv_error *err)
{
	const char *message = err && err->message[0] ? err->message : cv_strerror(code);

	switch (code) {
	case CV_EINVAL:
		return api_problem_fields(resp, message,
					  json_pack("[{s:s, s:s}]", "field",
						    err && err->field[0] ? err->field : "",
						    "message", message));
	case CV_ENOTFOUND: return api_problem(resp, 404, message);
	case CV_ECONFLICT: return api_problem(resp, 409, message);
	case CV_EPERM: return api_problem(resp, 403, message);
	case CV_EAUTH: return api_problem(resp, 401, message);
	case CV_EBUSY: return api_problem(resp, 503, "the database is busy; try again shortly");
	case CV_EUNSUPPORTED: return api_problem(resp, 415, message);
	default:
		/* Internal details go to the log, not to the client. */
		return api_problem(resp, 500, "the server failed; the error has been logged");
	}
}

void api_add_error(json_t *errors, const char *field, const char *message)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

const char *api_body_string(struct api_call *call, const char *field, int required, size_t max,
			    json_t *errors)
{
	json_t *v = call->body ? json_object_get(call->body, field) : NULL;
	char message[160];

	if (!v || json_is_null(v)) {
		if (required)
			api_add_error(errors, field, "is required");
		return NULL;
	}
	if (!json_is_string(v)) {
		api_add_error(errors, field, "must be a string");
		return NULL;
	}
	if (json_string_length(v) > max) {
		snprintf(message, sizeof(message), "must be at most %zu characters", max);
		api_add_error(errors, field, message);
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		api_add_error(errors, field, "must not contain NUL characters");
		return NULL;
	}
	return json_string_value(v);
}

int api_paging(struct api_call *call, int def, int max, const char **after, json_t *errors)
{
	const char *limit = http_query(call->req, "limit");
	char *end;
	long n = def;

	*after = http_query(call->req, "after");
	if (!*after)
		*after = "";
	if (limit) {
		n = strtol(limit, &end, 10);
		if (*end || end == limit || n < 1 || n > max) {
			char message[96];
			snprintf(message, sizeof(message), "must be a whole number from 1 to %d",
				 max);
			api_add_error(errors, "limit", message);
			return def;
		}
	}
	return (int)n;
}

int api_body_bool(struct api_call *call, const char *field, int def, json_t *errors)
{
	json_t *v = call->body ? json_object_get(call->body, field) : NULL;

	if (!v || json_is_null(v))
		return def;
	if (!json_is_boolean(v)) {
		api_add_error(errors, field, "must be true or false");
		return def;
	}
	return json_is_true(v);
}

long api_body_int(struct api_call *call, const char *field, int required, long min, long max,
		  long def, json_t *errors)
{
	json_t *v = call->body ? json_object_get(call->body, field) : NULL;
	char message[96];

	if (!v || json_is_null(v)) {
		if (required)
			api_add_error(errors, field, "is required");
		return def;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(message, sizeof(message), "must be a whole number from %ld to %ld", min,
			 max);
		api_add_error(errors, field, message);
		return def;
	}
	return (long)json_integer_value(v);
}

void api_trade_context(const struct api_call *call, struct trade_context *ctx)
{
	ctx->node_country = call->app->config->node_country;
	ctx->node_currency = call->app->config->node_currency;
	ctx->now_ms = cv_clock_now_ms();
}

void api_aeo_context(const struct api_call *call, struct aeo_context *ctx)
{
	ctx->node_country = call->app->config->node_country;
	ctx->now_ms = cv_clock_now_ms();
}

int api_write_answer(struct api_call *call, struct http_response *resp, int rc, json_t *errors,
		     const struct cv_error *err, const char *refused, const char *entity_type,
		     const char *const *audited, json_t *out, int status)
{
	if (rc == CV_EINVAL && json_array_size(errors)) {
		json_decref(out);
		return api_refuse_fields(resp, errors, refused);
	}
	json_decref(errors);
	if (rc) {
		json_decref(out);
		return api_error(resp, rc, err);
	}
	call->entity_type = entity_type;
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(out, "id")));
	call->audit_detail = json_object();
	for (; audited && *audited; audited++)
		json_object_set(call->audit_detail, *audited, json_object_get(out, *audited));
	return api_json(resp, status, out);
}

const char *api_status_filter(struct api_call *call, const char *const *allowed, json_t *errors)
{
	const char *status = http_query(call->req, "status");
	struct cv_buf names;

	for (const char *const *s = allowed; status && *s; s++)
		if (!strcmp(*s, status))
			return status;
	if (!status)
		return NULL;
	cv_buf_init(&names);
	cv_buf_adds(&names, "must be one of:");
	for (const char *const *s = allowed; *s; s++)
		cv_buf_addf(&names, " %s", *s);
	api_add_error(errors, "status", cv_buf_str(&names));
	cv_buf_release(&names);
	return NULL;
}

int api_page(struct http_response *resp, json_t *items, int limit)
{
	/* A full page may have a next one: the last item's id is the cursor to ask from. */
	json_t *last = json_array_size(items) == (size_t)limit
			       ? json_array_get(items, json_array_size(items) - 1)
			       : NULL;

	return api_json(resp, 200,
			json_pack("{s:o, s:s?}", "items", items, "next_after",
				  last ? json_string_value(json_object_get(last, "id")) : NULL));
}
