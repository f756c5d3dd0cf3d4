/*
 * cmd_user.c — `caravan user add|passwd|list|token`.
 *
 * Passwords are read from standard input, never from the command line
 * (where ps and shell history would show them). Every change is written
 * with its audit row in one transaction; the actor is "cli:USER" after the
 * Unix account that ran the command.
 */
#include "cli/cli.h"

#include "audit/audit.h"
#include "auth/sessions.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: caravan user add USERNAME --role ROLE [--operator ID|TIN] [--agency CODE]\n"
	"       caravan user passwd USERNAME\n"
	"       caravan user list\n"
	"       caravan user token USERNAME [--label TEXT]\n"
	"  (each also takes --db URL and --config FILE)\n\n"
	"add and passwd read the password from standard input (at least 10 characters).\n"
	"token prints a new bearer token once: store it, it cannot be shown again.\n"
	"Roles: trader (needs --operator), aeo_officer, risk_analyst, border_officer,\n"
	"pga_officer (needs --agency), partner, admin, auditor.\n";

/* Commit the change with its audit row, or roll back. */
static int finish(struct store_conn *conn, int rc, const char *action, const char *entity_type,
		  const char *entity_id, const char *detail)
{
	char actor[80];
	struct audit_event ev = {cli_actor(actor, sizeof(actor)), action, entity_type, entity_id,
				 detail};

	if (!rc)
		rc = audit_append(conn, &ev, NULL, NULL);
	if (!rc)
		rc = store_commit(conn);
	else
		store_rollback(conn);
	return rc;
}

static int read_new_password(char hash[AUTH_HASH_MAX])
{
	char password[AUTH_PASSWORD_MAX + 2];
	struct cv_error err;
	int rc;

	if (cli_read_password("New password: ", password, sizeof(password))) {
		fprintf(stderr, "caravan user: the password is longer than %d characters\n",
			AUTH_PASSWORD_MAX);
		return CLI_FAILED;
	}
	rc = auth_password_hash(password, hash, &err);
	sodium_memzero(password, sizeof(password));
	if (rc) {
		fprintf(stderr, "caravan user: %s (send it on standard input)\n", err.message);
		return CLI_FAILED;
	}
	return CLI_OK;
}

static int user_add(struct store_conn *conn, const char *username, const char *role,
		    const char *operator_id, const char *agency)
{
	struct auth_user_new nu = {username, NULL, ROLE_ADMIN, operator_id, agency};
	char hash[AUTH_HASH_MAX], detail[160];
	struct auth_user user = {0};
	struct cv_error err;
	int rc;

	if (!role || auth_role_parse(role, &nu.role)) {
		fprintf(stderr, "caravan user add: --role must be one of: %s\n", auth_role_names());
		return CLI_USAGE;
	}
	if (read_new_password(hash))
		return CLI_FAILED;
	cv_error_clear(&err);
	rc = store_begin(conn);
	if (!rc)
		rc = auth_user_create(conn, &nu, hash, &user, &err);
	snprintf(detail, sizeof(detail), "{\"role\":\"%s\",\"username\":\"%s\"}", role, username);
	rc = finish(conn, rc, "user.create", "user", user.id, detail);
	if (rc) {
		fprintf(stderr, "caravan user add: %s\n",
			err.message[0] ? err.message : store_errmsg(conn));
		return CLI_FAILED;
	}
	printf("user %s added (%s), id %s\n", user.username, role, user.id);
	return CLI_OK;
}

static int user_passwd(struct store_conn *conn, const char *username)
{
	char hash[AUTH_HASH_MAX];
	struct auth_user user = {0};
	struct cv_error err;
	int rc;

	if (auth_user_find(conn, username, &user)) {
		fprintf(stderr, "caravan user passwd: no user \"%s\" (see caravan user list)\n",
			username);
		return CLI_FAILED;
	}
	if (read_new_password(hash))
		return CLI_FAILED;
	cv_error_clear(&err);
	rc = store_begin(conn);
	if (!rc)
		rc = auth_user_set_password(conn, user.id, hash, &err);
	rc = finish(conn, rc, "user.password_change", "user", user.id, NULL);
	if (rc) {
		fprintf(stderr, "caravan user passwd: %s\n",
			err.message[0] ? err.message : store_errmsg(conn));
		return CLI_FAILED;
	}
	printf("password of %s changed; the user's sessions were closed\n", user.username);
	return CLI_OK;
}

static int user_list(struct store_conn *conn)
{
	struct auth_user page[100];
	char after[AUTH_USERNAME_MAX + 1] = "";
	int count;

	printf("%-24s %-15s %-38s %s\n", "USERNAME", "ROLE", "OPERATOR / AGENCY", "ID");
	do {
		if (auth_user_list(conn, after, 100, page, &count)) {
			fprintf(stderr, "caravan user list: %s\n", store_errmsg(conn));
			return CLI_FAILED;
		}
		for (int i = 0; i < count; i++)
			printf("%-24s %-15s %-38s %s%s\n", page[i].username,
			       auth_role_name(page[i].role),
			       page[i].operator_id[0] ? page[i].operator_id : page[i].agency_code,
			       page[i].id, page[i].disabled ? " (disabled)" : "");
		if (count)
			snprintf(after, sizeof(after), "%s", page[count - 1].username);
	} while (count == 100);
	return CLI_OK;
}

static int user_token(struct store_conn *conn, const char *username, const char *label)
{
	char token[AUTH_TOKEN_STR], id[CV_UUID_STR];
	struct auth_user user = {0};
	struct cv_error err;
	int rc;

	if (auth_user_find(conn, username, &user)) {
		fprintf(stderr, "caravan user token: no user \"%s\" (see caravan user list)\n",
			username);
		return CLI_FAILED;
	}
	cv_error_clear(&err);
	rc = store_begin(conn);
	if (!rc)
		rc = auth_token_create(conn, user.id, label ? label : "cli", token, id, &err);
	rc = finish(conn, rc, "user.token_create", "api_token", id, NULL);
	if (rc) {
		fprintf(stderr, "caravan user token: %s\n",
			err.message[0] ? err.message : store_errmsg(conn));
		return CLI_FAILED;
	}
	printf("%s\n", token);
	fprintf(stderr,
		"token %s for %s: send it as 'Authorization: Bearer TOKEN'; it is shown only once\n",
		id, user.username);
	return CLI_OK;
}

int cmd_user(int argc, char **argv)
{
	const char *role = NULL, *operator_id = NULL, *agency = NULL, *label = NULL, *sub;
	struct cli_flag flags[] = {{"role", &role, NULL},
				   {"operator", &operator_id, NULL},
				   {"agency", &agency, NULL},
				   {"label", &label, NULL},
				   {NULL, NULL, NULL}};
	struct cli_args args;
	struct store *store = NULL;
	struct store_conn *conn;
	int exit_now, rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);
	int want_name;

	if (rc || exit_now)
		return rc;
	sub = args.npositional ? args.positional[0] : "";
	want_name = strcmp(sub, "list") != 0;
	if ((strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "list") &&
	     strcmp(sub, "token")) ||
	    args.npositional != (want_name ? 2 : 1)) {
		fprintf(stderr,
			"caravan user: expected add, passwd, list or token with its arguments\n%s",
			usage);
		return CLI_USAGE;
	}
	if (cli_open_store(&args.config, &store, &conn))
		return CLI_FAILED;
	if (strcmp(sub, "add") == 0)
		rc = user_add(conn, args.positional[1], role, operator_id, agency);
	else if (strcmp(sub, "passwd") == 0)
		rc = user_passwd(conn, args.positional[1]);
	else if (strcmp(sub, "list") == 0)
		rc = user_list(conn);
	else
		rc = user_token(conn, args.positional[1], label);
	store_close(store);
	return rc;
}
