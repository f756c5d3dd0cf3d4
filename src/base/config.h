/*
 * config.h — node configuration.
 *
 * A node reads its configuration from, in increasing precedence: built-in
 * defaults, a file of KEY=VALUE lines (--config FILE), CARAVAN_* environment
 * variables (CARAVAN_LISTEN, CARAVAN_DB, ...) and command-line flags. Every
 * key is described once in the table in config.c, which also produces the
 * help text, so the README, `--help` and the parser cannot drift apart.
 *
 * Policy that differs between countries (day counts, rates) is data in the
 * database, not here: this file holds what an operator of the server sets.
 *
 * The struct is filled at start-up and then read-only: safe to share between
 * threads after that.
 */
#ifndef CV_BASE_CONFIG_H
#define CV_BASE_CONFIG_H

#include "base/err.h"

#include <stddef.h>
#include <stdio.h>

#define CV_CONFIG_STR 512

struct cv_config {
	char listen[CV_CONFIG_STR];    /* HOST:PORT to serve on */
	char db[CV_CONFIG_STR];        /* database URL: sqlite:PATH or postgresql://... */
	char node_country[3];          /* ISO 3166 alpha-2 of the administration */
	char node_currency[4];         /* ISO 4217: duties are assessed and paid in it */
	int webhook_poll_ms;           /* delivery rounds of webhooks */
	int webhook_backoff_max;       /* seconds between attempts, at most */
	int exchange_poll_ms;          /* delivery rounds of documents for partners */
	int exchange_backoff_max;      /* seconds between attempts, at most */
	int exchange_fail_after;       /* seconds after which an undelivered document is failed */
	int exchange_status_refresh;   /* seconds before a partner's status list is fetched again */
	char node_name[CV_CONFIG_STR]; /* the administration's name */
	char log_level[16];            /* debug, info, warn, error, off */
	size_t max_body;               /* largest request body accepted, bytes */
	int threads;                   /* HTTP worker threads */
	char tls_cert[CV_CONFIG_STR];  /* PEM certificate; empty: plain HTTP */
	char tls_key[CV_CONFIG_STR];   /* PEM private key for tls_cert */
	char tls_client_ca[CV_CONFIG_STR];     /* PEM CAs of client certificates (mutual TLS) */
	char exchange_tls_cert[CV_CONFIG_STR]; /* PEM certificate shown to partner nodes */
	char exchange_tls_key[CV_CONFIG_STR];  /* PEM private key for exchange_tls_cert */
	char exchange_tls_ca[CV_CONFIG_STR]; /* PEM CAs of partner nodes' servers; "": the system's */
	char data_dir[CV_CONFIG_STR];        /* reference data loaded by init */
	int session_hours;                   /* browser session lifetime */
	int login_max_failures;              /* failed logins before slowing down */
	int login_window_minutes;            /* window in which failures count */
	int public_rate_per_minute;          /* requests a minute per address to public lookups */
	char public_url[CV_CONFIG_STR]; /* how the public reaches this node: verification links, QR codes */
	char attachments_dir[CV_CONFIG_STR]; /* content-addressed store of uploaded documents */
	char node_key[CV_CONFIG_STR];        /* the node's key file; "": beside the database */
	char node_did[CV_CONFIG_STR];        /* the node's DID; "": did:web of public_url */
};

/* Built-in defaults: listen 127.0.0.1:8080, db sqlite:var/caravan.db, KZ... */
void cv_config_defaults(struct cv_config *config);

/*
 * Set one key ("listen", "db", "node_country", ...; case-insensitive, '-' and
 * '_' equivalent) from its text value, validating it. CV_EINVAL with err
 * naming the key when the key is unknown or the value bad.
 */
int cv_config_set(struct cv_config *config, const char *key, const char *value,
		  struct cv_error *err);

/* Read KEY=VALUE lines; '#' starts a comment. Errors name the line. */
int cv_config_load_file(struct cv_config *config, const char *path, struct cv_error *err);

/* Apply every CARAVAN_<KEY> environment variable that is set. */
int cv_config_load_env(struct cv_config *config, struct cv_error *err);

/* Split config->listen into host and port; CV_EINVAL if malformed. */
int cv_config_listen_split(const char *listen, char *host, size_t host_size, int *port);

/* Print every key with its environment variable, default and meaning. */
void cv_config_print_help(FILE *out);

#endif
