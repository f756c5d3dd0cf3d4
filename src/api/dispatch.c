/*
 * dispatch.c — from a parsed HTTP request to a handler, with every
 * cross-cutting rule in one place, in this order:
 *
 *   1. route: 404 for an unknown path, 405 with Allow for a wrong method;
 *   2. authenticate: a bearer token, else the session cookie;
 *   3. authorize: the route's permission (401 without credentials, 403
 *      without the permission);
 *   4. CSRF: a write with a session cookie must echo the session's token
 *      in X-CSRF-Token (bearer-token callers are not exposed to CSRF);
 *   5. body: API_JSON routes need Content-Type application/json (415) and a
 *      JSON object (400 naming line and column); a route's check, when it
 *      has one, does its slow work that writes nothing (the inbox's
 *      signatures) here, before the writer is taken;
 *   6. API_WRITE routes run in one transaction with their audit row and,
 *      with an Idempotency-Key, the stored response: a retry with the same
 *      key gets the same response and changes nothing; any failure rolls
 *      everything back.
 */
#include "api/api.h"

#include "audit/audit.h"
#include "base/log.h"
#include "http/router.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESSION_COOKIE "caravan_session"
#define IDEMPOTENCY_KEY_MAX 255

static int is_safe_method(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
	       strcmp(method, "OPTIONS") == 0;
}

static const struct api_route *find_route(struct http_request *req, struct http_response *resp)
{
	char allow[96] = "";
	size_t used = 0;

	for (size_t i = 0; i < api_route_count; i++) {
		const struct api_route *r = &api_routes[i];
		if (!http_route_match(r->pattern, req->path, NULL))
			continue;
		/* HEAD is GET without the body (libmicrohttpd drops it): monitors use it. */
		if (strcmp(r->method, req->method) == 0 ||
		    (strcmp(req->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
			http_route_match(r->pattern, req->path, req); /* capture {params} */
			return r;
		}
		if (!strstr(allow, r->method)) {
			int n = snprintf(allow + used, sizeof(allow) - used, "%s%s",
					 used ? ", " : "", r->method);
			if (n > 0 && (size_t)n < sizeof(allow) - used)
				used += (size_t)n;
		}
	}
	if (used) {
		http_response_header(resp, "Allow", cv_arena_strdup(req->arena, allow));
		api_problem(resp, 405,
			    "this method is not allowed on this path; see the Allow header");
	} else {
		api_problem(resp, 404, "no such path; the API reference is at /api/v1/openapi.yaml");
	}
	return NULL;
}

/*
 * Find who is calling. Returns 0 and sets *principal (NULL when anonymous),
 * or an HTTP status to answer with.
 */
static int authenticate(struct api_call *call, struct auth_principal *storage)
{
	const char *authz = http_header(call->req, "Authorization");
	const char *cookie = http_cookie(call->req, SESSION_COOKIE);

	call->principal = NULL;
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7) != 0 ||
		    auth_token_lookup(call->conn, authz + 7, storage) != CV_OK)
			return 401;
		call->principal = storage;
		return 0;
	}
	/* An expired or unknown cookie is simply no session. */
	if (cookie && auth_session_lookup(call->conn, cookie, storage) == CV_OK)
		call->principal = storage;
	return 0;
}

static int csrf_ok(const struct api_call *call)
{
	const char *sent = http_header(call->req, "X-CSRF-Token");
	const char *want = call->principal->csrf_token;

	return sent && strlen(sent) == strlen(want) && sodium_memcmp(sent, want, strlen(want)) == 0;
}

static int content_type_is_json(const char *type)
{
	size_t n = strlen("application/json");

	return type && strncasecmp(type, "application/json", n) == 0 &&
	       (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* Parse the JSON body; on failure fill resp and return non-zero. */
static int parse_body(struct api_call *call, struct http_response *resp)
{
	json_error_t jerr;
	char detail[256];

	if (!content_type_is_json(http_header(call->req, "Content-Type")))
		return api_problem(resp, 415,
				   "send the body as JSON with Content-Type: application/json"),
		       1;
	call->body = json_loadb(call->req->body, call->req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!call->body) {
		snprintf(detail, sizeof(detail), "malformed JSON at line %d, column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		return api_problem(resp, 400, detail), 1;
	}
	if (!json_is_object(call->body))
		return api_problem(resp, 400, "the body must be a JSON object"), 1;
	return 0;
}

static const char *principal_key(const struct api_call *call)
{
	return call->principal
		       ? call->principal->user.id
		       : cv_arena_printf(call->req->arena, "anonymous:%s", call->req->address);
}

/*
 * Look up a stored response for this Idempotency-Key. Returns 1 when resp
 * has been filled (a replay or a misuse), 0 to go on, negative on error.
 */
static int idempotent_replay(struct api_call *call, const char *key, const char *request_hash,
			     struct http_response *resp)
{
	struct store_stmt *stmt;
	int rc = store_prepare(call->conn,
			       "SELECT method, path, request_hash, status, content_type, body, location"
			       " FROM idempotency_keys WHERE principal = $1 AND key = $2",
			       &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "tt", principal_key(call), key);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		const char *body = store_col_text(stmt, 5);
		if (strcmp(store_col_text(stmt, 0), call->req->method) != 0 ||
		    strcmp(store_col_text(stmt, 1), call->req->path) != 0 ||
		    strcmp(store_col_text(stmt, 2), request_hash) != 0) {
			api_problem(resp, 422,
				    "this Idempotency-Key was already used for a different request; "
				    "use a new key for a new request");
		} else {
			/* content_type must be a static string: map back to ours. */
			const char *type = strcmp(store_col_text(stmt, 4),
						  "application/problem+json") == 0
						   ? "application/problem+json"
						   : "application/json";
			http_response_set(resp, (int)store_col_int64(stmt, 3), type, body,
					  strlen(body));
			http_response_header(resp, "Idempotent-Replayed", "true");
			if (store_col_text(stmt, 6))
				http_response_header(resp, "Location",
						     cv_arena_strdup(call->req->arena,
								     store_col_text(stmt, 6)));
		}
		rc = 1;
	} else if (rc == STORE_DONE) {
		rc = 0;
	}
	store_finish(stmt);
	return rc;
}

static int write_audit(struct api_call *call, const struct api_route *route)
{
	struct audit_event ev = {
		.actor = call->principal ? call->principal->user.username : "anonymous",
		.action = route->action,
		.entity_type = call->entity_type,
		.entity_id = call->entity_id,
	};
	char *detail = call->audit_detail
			       ? json_dumps(call->audit_detail, JSON_COMPACT | JSON_SORT_KEYS)
			       : NULL;
	int rc;

	ev.detail = detail;
	rc = audit_append(call->conn, &ev, NULL, NULL);
	free(detail);
	return rc;
}

/* Keep the response for retries with the same key (see API_SECRET for the exception). */
static int store_idempotent_response(struct api_call *call, const struct api_route *route,
				     const char *key, const char *request_hash,
				     const struct http_response *resp)
{
	static const char secret_body[] =
		"{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":"
		"\"this request was already carried out; its response held a secret that is shown "
		"only once\"}";
	int secret = (route->flags & API_SECRET) != 0;
	const char *location = NULL;
	char now[CV_RFC3339_MAX];

	for (int i = 0; i < resp->nheaders; i++)
		if (strcmp(resp->headers[i].name, "Location") == 0)
			location = resp->headers[i].value;
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	return store_execf(call->conn, NULL,
			   "INSERT INTO idempotency_keys (principal, key, method, path, request_hash,"
			   " status, content_type, body, location, created_at)"
			   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			   "tttttittt"
			   "t",
			   principal_key(call), key, call->req->method, call->req->path,
			   request_hash, (int64_t)(secret ? 409 : resp->status),
			   secret ? "application/problem+json" : resp->content_type,
			   secret ? secret_body : cv_buf_str(&resp->body), secret ? NULL : location,
			   now);
}

/*
 * The write itself runs on the connection store_write_begin() gives (with
 * SQLite, shared with concurrent writes: group commit), and its response
 * goes out only once store_write_end() says it is durable.
 */
static void run_write(struct api_call *call, const struct api_route *route,
		      struct http_response *resp)
{
	const char *key = http_header(call->req, "Idempotency-Key");
	char request_hash[CV_SHA256_HEX];
	struct cv_error err;
	int rc, keep;

	if (key && (strlen(key) == 0 || strlen(key) > IDEMPOTENCY_KEY_MAX)) {
		api_problem(resp, 400, "Idempotency-Key must be 1 to 255 characters");
		return;
	}
	cv_sha256_hex(call->req->body, call->req->body_len, request_hash);
	rc = store_write_begin(call->app->store, &call->conn, &err);
	if (rc) {
		cv_logerr("api", "%s %s: cannot start a write: %s", call->req->method,
			  call->req->path, err.message);
		api_error(resp, rc, NULL);
		return;
	}
	rc = key ? idempotent_replay(call, key, request_hash, resp) : 0;
	if (rc == 0) {
		route->handler(call, resp);
		keep = resp->status < 400 || call->commit_on_error;
		if (keep)
			rc = write_audit(call, route);
		if (keep && !rc && key && resp->status < 500)
			rc = store_idempotent_response(call, route, key, request_hash, resp);
	} else {
		keep = 0; /* a replay (1) or an error reading the key (< 0) */
		if (rc < 0)
			api_error(resp, rc, NULL);
		rc = 0;
	}
	if (rc) {
		cv_logerr("api", "%s %s: cannot record the write: %s", call->req->method,
			  call->req->path, store_errmsg(call->conn));
		keep = 0;
	}
	if (store_write_end(call->conn, keep) == CV_OK && !rc)
		return;
	http_response_release(resp); /* drop the body and headers the handler set */
	http_response_init(resp);
	if (rc) {
		api_error(resp, rc, NULL);
		return;
	}
	cv_logerr("api", "%s %s: the write could not be made durable", call->req->method,
		  call->req->path);
	api_problem(resp, 503,
		    "the change could not be stored and nothing of it was kept; try again "
		    "(with the same Idempotency-Key if you sent one)");
}

void api_dispatch(void *ctx, struct http_request *req, struct http_response *resp,
		  const char **log_user)
{
	struct api_app *app = ctx;
	struct auth_principal principal;
	struct api_call call = {.app = app, .req = req};
	const struct api_route *route = find_route(req, resp);
	struct cv_error err;
	int status;

	if (!route)
		return;
	if (store_conn(app->store, &call.conn, &err) != CV_OK) {
		cv_logerr("api", "database unavailable: %s", err.message);
		api_problem(resp, 503, "the database is unavailable");
		return;
	}
	status = authenticate(&call, &principal);
	if (route->permission == PERM_PUBLIC)
		status = 0; /* a stale token must not lock anyone out of /healthz or login */
	if (call.principal)
		*log_user = call.principal->user.username;
	if (status || (route->permission != PERM_PUBLIC && !call.principal)) {
		http_response_header(resp, "WWW-Authenticate", "Bearer realm=\"caravan\"");
		api_problem(resp, 401,
			    status ? "the bearer token is not valid"
				   : "sign in (POST /api/v1/auth/login) or send a bearer token");
		return;
	}
	if (call.principal && !auth_role_can(call.principal->user.role, route->permission)) {
		api_problem(resp, 403,
			    cv_arena_printf(req->arena,
					    "your role (%s) does not hold the permission %s",
					    auth_role_name(call.principal->user.role),
					    auth_permission_name(route->permission)));
		return;
	}
	if (route->permission != PERM_PUBLIC && call.principal && call.principal->via_session &&
	    !is_safe_method(req->method) && !csrf_ok(&call)) {
		api_problem(resp, 403,
			    "missing or wrong X-CSRF-Token header: send the csrf_token "
			    "that the login response gave");
		return;
	}
	if ((route->flags & API_JSON) && parse_body(&call, resp))
		goto out;
	if (route->check && route->check(&call, resp))
		goto out;
	if (route->flags & API_WRITE)
		run_write(&call, route, resp);
	else
		route->handler(&call, resp);
out:
	if (call.prepared_free)
		call.prepared_free(call.prepared);
	json_decref(call.body);
	json_decref(call.audit_detail);
}
