/* sessions.c — see sessions.h. */
#include "auth/sessions.h"

#include <stdio.h>
#include <string.h>

#define PRINCIPAL_COLUMNS                                                                          \
	"u.id, u.username, u.role, COALESCE(u.operator_id, ''), COALESCE(u.agency_code, ''), u.disabled, u.created_at"

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void read_principal(struct store_stmt *stmt, struct auth_principal *p)
{
	struct auth_user *u = &p->user;

	memset(p, 0, sizeof(*p));
	copy(u->id, sizeof(u->id), store_col_text(stmt, 0));
	copy(u->username, sizeof(u->username), store_col_text(stmt, 1));
	if (auth_role_parse(store_col_text(stmt, 2), &u->role))
		u->role = ROLE_AUDITOR;
	copy(u->operator_id, sizeof(u->operator_id), store_col_text(stmt, 3));
	copy(u->agency_code, sizeof(u->agency_code), store_col_text(stmt, 4));
	u->disabled = (int)store_col_int64(stmt, 5);
	copy(u->created_at, sizeof(u->created_at), store_col_text(stmt, 6));
}

int auth_session_create(struct store_conn *conn, const char *user_id, int hours,
			char token[CV_SECRET_STR], char csrf[CV_SECRET_STR], struct cv_error *err)
{
	char hash[CV_SHA256_HEX], now[CV_RFC3339_MAX];
	int64_t now_ms = cv_clock_now_ms();
	int rc;

	cv_secret_new(token);
	cv_secret_new(csrf);
	cv_secret_hash(token, hash);
	cv_clock_format_rfc3339(now_ms, now, sizeof(now));
	/* Expired sessions of this user are swept here, so the table stays small. */
	rc = store_execf(conn, NULL, "DELETE FROM sessions WHERE user_id = $1 AND expires_ms < $2",
			 "ti", user_id, now_ms);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_ms)"
				 " VALUES ($1, $2, $3, $4, $5)",
				 "tttti", hash, user_id, csrf, now,
				 now_ms + (int64_t)hours * 3600 * 1000);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot open a session: %s", store_errmsg(conn));
	return CV_OK;
}

static int lookup(struct store_conn *conn, const char *sql, const char *token,
		  struct auth_principal *out, int via_session)
{
	char hash[CV_SHA256_HEX];
	struct store_stmt *stmt;
	int rc;

	cv_secret_hash(token, hash);
	rc = store_prepare(conn, sql, &stmt);
	if (rc)
		return rc;
	rc = via_session ? store_bindf(stmt, "ti", hash, cv_clock_now_ms())
			 : store_bindf(stmt, "t", hash);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		read_principal(stmt, out);
		out->via_session = via_session;
		if (via_session)
			copy(out->csrf_token, sizeof(out->csrf_token), store_col_text(stmt, 7));
		rc = out->user.disabled ? CV_EAUTH : CV_OK;
	} else if (rc == STORE_DONE) {
		rc = CV_EAUTH;
	}
	store_finish(stmt);
	return rc;
}

int auth_session_lookup(struct store_conn *conn, const char *token, struct auth_principal *out)
{
	return lookup(conn,
		      "SELECT " PRINCIPAL_COLUMNS ", s.csrf_token FROM sessions s"
		      " JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_ms > $2",
		      token, out, 1);
}

int auth_session_delete(struct store_conn *conn, const char *token)
{
	char hash[CV_SHA256_HEX];

	cv_secret_hash(token, hash);
	return store_execf(conn, NULL, "DELETE FROM sessions WHERE token_hash = $1", "t", hash);
}

int auth_token_create(struct store_conn *conn, const char *user_id, const char *label,
		      char token[AUTH_TOKEN_STR], char id[CV_UUID_STR], struct cv_error *err)
{
	char secret[CV_SECRET_STR], hash[CV_SHA256_HEX], now[CV_RFC3339_MAX];
	int rc;

	cv_secret_new(secret);
	snprintf(token, AUTH_TOKEN_STR, "%s%s", AUTH_TOKEN_PREFIX, secret);
	cv_secret_hash(token, hash);
	cv_uuid7(id);
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO api_tokens (id, token_hash, user_id, label, created_at)"
			 " VALUES ($1, $2, $3, $4, $5)",
			 "ttttt", id, hash, user_id, label, now);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot create the token: %s",
				    store_errmsg(conn));
	return CV_OK;
}

int auth_token_lookup(struct store_conn *conn, const char *token, struct auth_principal *out)
{
	if (strncmp(token, AUTH_TOKEN_PREFIX, strlen(AUTH_TOKEN_PREFIX)) != 0)
		return CV_EAUTH;
	return lookup(conn,
		      "SELECT " PRINCIPAL_COLUMNS " FROM api_tokens t"
		      " JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
		      token, out, 0);
}

static int64_t window_ms(const struct auth_throttle *policy)
{
	return (int64_t)policy->window_minutes * 60 * 1000;
}

int auth_throttle_check(struct store_conn *conn, const char *subject,
			const struct auth_throttle *policy, int *retry_after)
{
	struct store_stmt *stmt;
	int64_t now = cv_clock_now_ms();
	int rc = store_prepare(conn,
			       "SELECT failures, last_ms FROM login_failures WHERE subject = $1 AND first_ms > $2",
			       &stmt);

	*retry_after = 0;
	if (rc)
		return rc;
	rc = store_bindf(stmt, "ti", subject, now - window_ms(policy));
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		int64_t failures = store_col_int64(stmt, 0), last = store_col_int64(stmt, 1);
		int64_t excess = failures - policy->max_failures;
		rc = CV_OK;
		if (excess >= 0) {
			int64_t wait_s = excess >= 10 ? AUTH_THROTTLE_MAX_WAIT_S
						      : (int64_t)1 << excess;
			int64_t left_ms;
			if (wait_s > AUTH_THROTTLE_MAX_WAIT_S)
				wait_s = AUTH_THROTTLE_MAX_WAIT_S;
			left_ms = last + wait_s * 1000 - now;
			if (left_ms > 0) {
				*retry_after = (int)((left_ms + 999) / 1000);
				rc = CV_EBUSY;
			}
		}
	} else if (rc == STORE_DONE) {
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc;
}

int auth_throttle_fail(struct store_conn *conn, const char *subject,
		       const struct auth_throttle *policy)
{
	int64_t now = cv_clock_now_ms();

	/* A count older than the window starts again from one. */
	return store_execf(conn, NULL,
			   "INSERT INTO login_failures (subject, failures, first_ms, last_ms)"
			   " VALUES ($1, 1, $2, $2)"
			   " ON CONFLICT (subject) DO UPDATE SET"
			   "  failures = CASE WHEN login_failures.first_ms > $3"
			   "             THEN login_failures.failures + 1 ELSE 1 END,"
			   "  first_ms = CASE WHEN login_failures.first_ms > $3"
			   "             THEN login_failures.first_ms ELSE $2 END,"
			   "  last_ms = $2",
			   "tii", subject, now, now - window_ms(policy));
}

int auth_throttle_clear(struct store_conn *conn, const char *subject)
{
	return store_execf(conn, NULL, "DELETE FROM login_failures WHERE subject = $1", "t",
			   subject);
}
