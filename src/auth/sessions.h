/*
 * sessions.h — signing in: browser sessions, bearer API tokens and the
 * slowing of failed logins.
 *
 * A session is a random 256-bit cookie value with its own CSRF token; a
 * bearer token is "cvt_" followed by 256 random bits. The database stores
 * only SHA-256 of either, so a copy of the database opens no doors. Tokens
 * are shown once, when made.
 *
 * Failed logins are counted per subject ("user:NAME" and "addr:IP") in the
 * database (two servers on one database count together). Past
 * max_failures within the window, each further attempt must wait
 * 2^(excess) seconds, capped at 15 minutes, after the previous failure.
 *
 * Thread-safe as far as the store is: use the calling thread's connection.
 */
#ifndef CV_AUTH_SESSIONS_H
#define CV_AUTH_SESSIONS_H

#include "auth/users.h"

#define AUTH_TOKEN_PREFIX "cvt_"
#define AUTH_TOKEN_STR (sizeof(AUTH_TOKEN_PREFIX) - 1 + CV_SECRET_STR)
#define AUTH_THROTTLE_MAX_WAIT_S 900

/* Who is making a request, and how they proved it. */
struct auth_principal {
	struct auth_user user;
	int via_session;                /* 1: cookie (CSRF applies); 0: bearer token */
	char csrf_token[CV_SECRET_STR]; /* the session's CSRF token */
};

/* Open a session; token and csrf receive new secrets. In a write transaction. */
int auth_session_create(struct store_conn *conn, const char *user_id, int hours,
			char token[CV_SECRET_STR], char csrf[CV_SECRET_STR], struct cv_error *err);
/* The principal of a live session of an enabled user; CV_EAUTH otherwise. */
int auth_session_lookup(struct store_conn *conn, const char *token, struct auth_principal *out);
/* End a session. In a write transaction. */
int auth_session_delete(struct store_conn *conn, const char *token);

/* Make a bearer token for a user; token receives it (shown once). In a transaction. */
int auth_token_create(struct store_conn *conn, const char *user_id, const char *label,
		      char token[AUTH_TOKEN_STR], char id[CV_UUID_STR], struct cv_error *err);
/* The principal of a valid, unrevoked token of an enabled user; CV_EAUTH otherwise. */
int auth_token_lookup(struct store_conn *conn, const char *token, struct auth_principal *out);

struct auth_throttle {
	int max_failures;
	int window_minutes;
};

/*
 * CV_EBUSY with *retry_after seconds when subject must wait before trying
 * again; CV_OK when it may try now.
 */
int auth_throttle_check(struct store_conn *conn, const char *subject,
			const struct auth_throttle *policy, int *retry_after);
/* Count one failure for subject. In a write transaction. */
int auth_throttle_fail(struct store_conn *conn, const char *subject,
		       const struct auth_throttle *policy);
/* Forget subject's failures (after a successful login). In a write transaction. */
int auth_throttle_clear(struct store_conn *conn, const char *subject);

#endif
