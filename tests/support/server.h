/*
 * server.h — test support: a real `caravan serve` on an ephemeral port with
 * its own copy of the template database, and an HTTP client (libcurl).
 *
 * The Makefile prepares build/asan/template.db (init + demo) and
 * template.tokens (one bearer token per demo account) before the suite runs;
 * the environment names them: CARAVAN_BIN, CARAVAN_TEMPLATE_DB.
 */
#ifndef CV_TESTS_SERVER_H
#define CV_TESTS_SERVER_H

#include "base/ids.h"

#include <jansson.h>
#include <sys/types.h>

struct test_server {
	pid_t pid;
	int port;
	char dir[256]; /* temporary folder holding the database */
	char db_path[320];
	char db_url[340];
	char key_path[300];       /* the node's key file: dir/caravan.key */
	const char *const *extra; /* the arguments it was started with, for a restart */
	/* A node of a multi-node test (test_node_start). */
	char config_path[320]; /* dir/caravan.conf, for `caravan ... --config` too */
	char url[64];          /* http://127.0.0.1:PORT, its public_url */
	char did[96];          /* did:web:127.0.0.1%3APORT */
	char node_args[2][330];
	const char *node_extra[8];
	/* HTTPS (test_node_start_tls): the CA test_http trusts, and the client certificate it shows. */
	char ca_file[320];
	char client_cert[320], client_key[320]; /* "": none */
};

struct test_response {
	long status;
	char *body;
	json_t *json;  /* parsed body when it is JSON, else NULL */
	char *headers; /* raw response headers */
};

/* Start a server; extra is NULL or a NULL-terminated list of more arguments (kept: it must outlive s). */
void test_server_start(struct test_server *s, const char *const *extra);
/*
 * test_server_start in two steps, to change the folder in between: prepare
 * makes it with a copy of the template database and the template's node key
 * (key_path), spawn starts the server.
 */
void test_server_prepare(struct test_server *s);
void test_server_spawn(struct test_server *s, const char *const *extra);
/*
 * A node of its own for tests with several nodes: a copy of the template
 * database with a new key (its own identity), and a configuration file
 * (config_path) for country on a fixed loopback port, so that its did:web
 * and the endpoint its partners register stay the same across a restart.
 * Deliveries to partners every 100 ms, at most 1 s between attempts.
 */
void test_node_start(struct test_server *s, const char *country, const char *name);
/*
 * The same over HTTPS with mutual TLS: the PKI of test_pki_make in pki,
 * serving and connecting to partners as who (pki/who.pem), asking clients
 * for certificates of pki/ca.pem.
 */
void test_node_start_tls(struct test_server *s, const char *country, const char *name,
			 const char *pki, const char *who);
/*
 * A throwaway PKI in dir (made with openssl): ca.pem; kz, uz (for
 * 127.0.0.1, server and client use) signed by it; stranger, signed by
 * another CA. Each NAME.pem with NAME.key.
 */
void test_pki_make(const char *dir);
/*
 * at registers partner (started with test_node_start) as its partner of
 * country, from the DID document partner serves, with agreements (JSON:
 * {"mra": {"since": ..., "aeo_types": [...]}, "certificates_of_origin": ...}).
 */
void test_register_partner(const struct test_server *at, const struct test_server *partner,
			   const char *country, const char *agreements);
/* The two nodes of a cross-border test: Kazakhstan's and Uzbekistan's; and stopping them. */
void test_nodes_start(struct test_server *kz, struct test_server *uz);
void test_nodes_stop(struct test_server *kz, struct test_server *uz);
/*
 * For unit tests on a real store: a migrated SQLite database in a new
 * folder made from the template dir ("/tmp/caravan-x-XXXXXX", changed in
 * place), logging off and ids ready; with countries, KZ and UZ in the
 * country table (what partners and certificates refer to).
 */
struct store;
struct store_conn;
void test_store_make(char *dir, struct store **store, struct store_conn **conn, int countries);
/*
 * Register a partner in a test store (as the admin API would): country, did,
 * endpoint, one key (key-1, a Multikey) and agreements (JSON, "{}" for
 * none); its id into id.
 */
void test_store_partner(struct store_conn *conn, const char *country, const char *did,
			const char *endpoint, const char *multikey, const char *agreements,
			char id[CV_UUID_STR]);
/* Close store and remove its folder. */
void test_store_remove(struct store *store, const char *dir);
/* A loopback TCP port free at the time of asking. */
int test_free_port(void);

/* SIGTERM, wait, remove the folder; returns the exit status. */
int test_server_stop(struct test_server *s);
/* kill -9 the server, keeping its database (a crash). */
void test_server_kill(struct test_server *s);
/* Start the server again on the same database. */
void test_server_restart(struct test_server *s);

/* headers is NULL or NULL-terminated "Name: value" strings; body may be NULL. */
void test_http(const struct test_server *s, const char *method, const char *path,
	       const char *const *headers, const char *body, struct test_response *out);
void test_response_free(struct test_response *r);
/* A response header's value (malloc'd, caller frees), or NULL. */
char *test_header(const struct test_response *r, const char *name);

/* The demo bearer token of username, as "Authorization: Bearer ..." (static buffer per call slot). */
const char *test_bearer(const char *username);
/* The demo password of a demo account. */
const char *test_demo_password(const char *username);

struct test_session {
	char cookie[160]; /* "Cookie: caravan_session=..." */
	char csrf[120];   /* "X-CSRF-Token: ..." */
};
/* Log in (asserts 200). */
void test_login(const struct test_server *s, const char *username, struct test_session *out);

/* As the demo trader, answer every required SAQ question of a draft application (asserts). */
void test_fill_saq(const struct test_server *s, const char *application_id);

/* As the demo AEO officer, record "met" on every criterion of an application of type (asserts). */
void test_validate(const struct test_server *s, const char *application_id, const char *type);

/*
 * One JSON request as a demo user (bearer token; NULL: no credentials).
 * Returns the status; *out (may be NULL) keeps the response for the caller
 * to free.
 */
long test_call(const struct test_server *s, const char *user, const char *method, const char *path,
	       const char *body, struct test_response *out);

/*
 * Take the demo trader's new application of type all the way to
 * authorization (questionnaire, review, findings). Fills the authorization's
 * number and id (asserts every step).
 */
void test_grant(const struct test_server *s, const char *type, char number[64],
		char authorization_id[64]);

/*
 * The examination of declaration number in username's worklist (GET
 * /api/v1/examinations): its id into id and 1, or 0 when it is not there.
 * The demo node's worklists have work of their own in them.
 */
int test_examination_for(const struct test_server *s, const char *username, const char *number,
			 char id[64]);

/* Run the caravan binary with args (a shell fragment); returns the exit code, output in *out (malloc'd). */
int test_cli(const char *args, const char *stdin_text, char **out);

#endif
