/*
 * users.h — user accounts and their passwords.
 *
 * A user has one role (roles.h). Trader users belong to one operator and PGA
 * officers to one agency; the database enforces both with CHECK constraints.
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str, the
 * "interactive" limits: ~64 MiB and a tenth of a second), and are never
 * stored, logged or returned.
 *
 * Thread-safe as far as the store is: use the calling thread's connection.
 */
#ifndef CV_AUTH_USERS_H
#define CV_AUTH_USERS_H

#include "auth/roles.h"
#include "base/clock.h"
#include "base/ids.h"
#include "store/db.h"

#define AUTH_USERNAME_MIN 3
#define AUTH_USERNAME_MAX 64
#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 1024
#define AUTH_AGENCY_MAX 32
#define AUTH_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

struct auth_user {
	char id[CV_UUID_STR];
	char username[AUTH_USERNAME_MAX + 1];
	enum auth_role role;
	char operator_id[CV_UUID_STR];         /* "" unless role is trader */
	char agency_code[AUTH_AGENCY_MAX + 1]; /* "" unless role is pga_officer */
	int disabled;
	char created_at[CV_RFC3339_MAX];
};

struct auth_user_new {
	const char *username;
	const char *password;
	enum auth_role role;
	const char *operator_id; /* required for traders, refused for others */
	const char *agency_code; /* required for PGA officers, refused for others */
};

/* Hash a password with argon2id. Slow on purpose: call it outside transactions. */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], struct cv_error *err);
/* 1 when password matches hash, 0 otherwise (also for a malformed hash). */
int auth_password_matches(const char *hash, const char *password);
/* Check length rules; CV_EINVAL with field "password" when broken. */
int auth_password_validate(const char *password, struct cv_error *err);

/*
 * Create a user from a password hash made by auth_password_hash. Validates
 * every field (err names the first bad one: CV_EINVAL), refuses a taken
 * username (CV_ECONFLICT), and checks that the operator or agency exists.
 * Call inside a write transaction.
 */
int auth_user_create(struct store_conn *conn, const struct auth_user_new *user,
		     const char *password_hash, struct auth_user *out, struct cv_error *err);

/* Find by username or by id; CV_ENOTFOUND when neither matches. */
int auth_user_find(struct store_conn *conn, const char *username_or_id, struct auth_user *out);
/* The stored password hash of an enabled user, for login. */
int auth_user_password_hash(struct store_conn *conn, const char *username, struct auth_user *out,
			    char hash[AUTH_HASH_MAX]);
/* Replace a user's password hash and end all of the user's sessions. In a transaction. */
int auth_user_set_password(struct store_conn *conn, const char *user_id, const char *password_hash,
			   struct cv_error *err);

/*
 * Page through users ordered by username: up to limit users whose username
 * sorts after `after` ("" for the first page). *count receives how many.
 */
int auth_user_list(struct store_conn *conn, const char *after, int limit, struct auth_user *users,
		   int *count);

#endif
