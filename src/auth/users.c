/* users.c — see users.h. */
#include "auth/users.h"

#include "base/log.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define USER_COLUMNS                                                                               \
	"id, username, role, COALESCE(operator_id, ''), COALESCE(agency_code, ''), disabled, created_at"

int auth_password_validate(const char *password, struct cv_error *err)
{
	size_t len = password ? strlen(password) : 0;

	if (len < AUTH_PASSWORD_MIN || len > AUTH_PASSWORD_MAX)
		return cv_error_set(err, CV_EINVAL, "password",
				    "password must be %d to %d characters long", AUTH_PASSWORD_MIN,
				    AUTH_PASSWORD_MAX);
	return CV_OK;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], struct cv_error *err)
{
	int rc = auth_password_validate(password, err);

	if (rc)
		return rc;
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return cv_error_set(err, CV_ENOMEM, "password",
				    "not enough memory to hash the password");
	return CV_OK;
}

int auth_password_matches(const char *hash, const char *password)
{
	if (!hash || !password || strlen(hash) >= crypto_pwhash_STRBYTES)
		return 0;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static int username_valid(const char *name)
{
	size_t len = strlen(name);

	if (len < AUTH_USERNAME_MIN || len > AUTH_USERNAME_MAX)
		return 0;
	for (const char *p = name; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && !strchr("._-", *p))
			return 0;
	return 1;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void read_user(struct store_stmt *stmt, struct auth_user *u)
{
	copy(u->id, sizeof(u->id), store_col_text(stmt, 0));
	copy(u->username, sizeof(u->username), store_col_text(stmt, 1));
	if (auth_role_parse(store_col_text(stmt, 2), &u->role))
		u->role = ROLE_AUDITOR; /* unreachable: the CHECK constraint lists the roles */
	copy(u->operator_id, sizeof(u->operator_id), store_col_text(stmt, 3));
	copy(u->agency_code, sizeof(u->agency_code), store_col_text(stmt, 4));
	u->disabled = (int)store_col_int64(stmt, 5);
	copy(u->created_at, sizeof(u->created_at), store_col_text(stmt, 6));
}

static int exists(struct store_conn *conn, const char *sql, const char *value, int *found)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn, sql, &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", value);
	if (!rc) {
		rc = store_step(stmt);
		*found = rc == STORE_ROW;
		rc = rc < 0 ? rc : CV_OK;
	}
	store_finish(stmt);
	return rc;
}

static int validate_links(struct store_conn *conn, const struct auth_user_new *u,
			  struct cv_error *err)
{
	int is_trader = u->role == ROLE_TRADER, is_pga = u->role == ROLE_PGA_OFFICER;
	int has_op = u->operator_id && *u->operator_id,
	    has_agency = u->agency_code && *u->agency_code;
	int found = 0, rc;

	if (is_trader && !has_op)
		return cv_error_set(err, CV_EINVAL, "operator_id",
				    "a trader user needs the operator it belongs to");
	if (!is_trader && has_op)
		return cv_error_set(err, CV_EINVAL, "operator_id",
				    "only trader users belong to an operator");
	if (is_pga && !has_agency)
		return cv_error_set(err, CV_EINVAL, "agency_code",
				    "a PGA officer needs the agency it works for");
	if (!is_pga && has_agency)
		return cv_error_set(err, CV_EINVAL, "agency_code",
				    "only PGA officers belong to an agency");
	if (has_op) {
		rc = exists(conn, "SELECT 1 FROM operators WHERE id = $1 OR tin = $1",
			    u->operator_id, &found);
		if (rc)
			return cv_error_set(err, rc, "operator_id", "%s", store_errmsg(conn));
		if (!found)
			return cv_error_set(err, CV_EINVAL, "operator_id",
					    "no operator with id or TIN \"%s\"", u->operator_id);
	}
	if (has_agency) {
		rc = exists(conn, "SELECT 1 FROM agencies WHERE code = $1", u->agency_code, &found);
		if (rc)
			return cv_error_set(err, rc, "agency_code", "%s", store_errmsg(conn));
		if (!found)
			return cv_error_set(err, CV_EINVAL, "agency_code",
					    "no agency with code \"%s\"", u->agency_code);
	}
	return CV_OK;
}

int auth_user_create(struct store_conn *conn, const struct auth_user_new *u, const char *hash,
		     struct auth_user *out, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	int rc;

	if (!u->username || !username_valid(u->username))
		return cv_error_set(err, CV_EINVAL, "username",
				    "username must be %d to %d characters: lower-case letters, digits, '.', '_' or '-'",
				    AUTH_USERNAME_MIN, AUTH_USERNAME_MAX);
	if ((unsigned)u->role >= ROLE_COUNT)
		return cv_error_set(err, CV_EINVAL, "role", "role must be one of: %s",
				    auth_role_names());
	rc = validate_links(conn, u, err);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	cv_uuid7(out->id);
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	/* A trader's operator may be named by TIN: store its id. */
	rc = store_execf(conn, NULL,
			 "INSERT INTO users (id, username, password_hash, role, operator_id,"
			 " agency_code, created_at, updated_at)"
			 " VALUES ($1, $2, $3, $4, (SELECT id FROM operators WHERE id = $5 OR tin = $5),"
			 " $6, $7, $7)",
			 "ttttttt", out->id, u->username, hash, auth_role_name(u->role),
			 (u->operator_id && *u->operator_id) ? u->operator_id : NULL,
			 (u->agency_code && *u->agency_code) ? u->agency_code : NULL, now);
	if (rc == CV_ECONFLICT)
		return cv_error_set(err, rc, "username", "username \"%s\" is taken", u->username);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot create the user: %s", store_errmsg(conn));
	return auth_user_find(conn, out->id, out);
}

int auth_user_find(struct store_conn *conn, const char *key, struct auth_user *out)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT " USER_COLUMNS " FROM users WHERE username = $1 OR id = $1",
				 "t", key);

	if (rc)
		return rc;
	read_user(stmt, out);
	store_finish(stmt);
	return CV_OK;
}

int auth_user_password_hash(struct store_conn *conn, const char *username, struct auth_user *out,
			    char hash[AUTH_HASH_MAX])
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT " USER_COLUMNS ", password_hash FROM users"
				 " WHERE username = $1 AND disabled = 0",
				 "t", username);

	if (rc)
		return rc;
	read_user(stmt, out);
	copy(hash, AUTH_HASH_MAX, store_col_text(stmt, 7));
	store_finish(stmt);
	return CV_OK;
}

int auth_user_set_password(struct store_conn *conn, const char *user_id, const char *hash,
			   struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	int64_t changed = 0;
	int rc;

	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, &changed,
			 "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
			 "ttt", hash, now, user_id);
	if (!rc && changed == 0)
		return cv_error_set(err, CV_ENOTFOUND, "username", "no such user");
	/* A new password ends every session opened with the old one. */
	if (!rc)
		rc = store_execf(conn, NULL, "DELETE FROM sessions WHERE user_id = $1", "t",
				 user_id);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot change the password: %s",
				    store_errmsg(conn));
	return CV_OK;
}

int auth_user_list(struct store_conn *conn, const char *after, int limit, struct auth_user *users,
		   int *count)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT " USER_COLUMNS " FROM users WHERE username > $1"
			       " ORDER BY username LIMIT $2",
			       &stmt);

	*count = 0;
	if (rc)
		return rc;
	rc = store_bindf(stmt, "ti", after ? after : "", (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		read_user(stmt, &users[(*count)++]);
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}
