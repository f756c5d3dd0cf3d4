/*
 * config.c — see config.h.
 *
 * The key table is the single description of the configuration: parsing the
 * file, the environment and the flags, and printing help, all walk it.
 */
#include "base/config.h"

#include "base/log.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum key_type {
	KEY_STR,
	KEY_COUNTRY,
	KEY_CURRENCY,
	KEY_LOG_LEVEL,
	KEY_SIZE,
	KEY_INT,
	KEY_LISTEN,
	KEY_DB
};

struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;   /* for strings: buffer size */
	long min, max; /* for integers */
	const char *help;
};

/* One key a line, read as a table. */
// clang-format off
#define STR_KEY(n, t, f, h) {n, t, offsetof(struct cv_config, f), sizeof(((struct cv_config *)0)->f), 0, 0, h}
#define INT_KEY(n, f, lo, hi, h) {n, KEY_INT, offsetof(struct cv_config, f), sizeof(int), lo, hi, h}

static const struct key keys[] = {
	STR_KEY("listen", KEY_LISTEN, listen, "HOST:PORT to serve HTTP on (port 0 picks a free one)"),
	STR_KEY("db", KEY_DB, db, "database URL: sqlite:PATH, or postgresql://... (not built yet)"),
	STR_KEY("node_country", KEY_COUNTRY, node_country, "ISO 3166 alpha-2 code of this administration"),
	STR_KEY("node_currency", KEY_CURRENCY, node_currency,
		"ISO 4217 code of the currency duties are assessed and paid in"),
	STR_KEY("node_name", KEY_STR, node_name, "name of this administration, shown to users and partners"),
	STR_KEY("log_level", KEY_LOG_LEVEL, log_level, "debug, info, warn, error or off"),
	{"max_body", KEY_SIZE, offsetof(struct cv_config, max_body), sizeof(size_t), 1, 1L << 30,
	 "largest request body accepted, bytes (suffix K or M allowed)"},
	INT_KEY("threads", threads, 1, 256, "HTTP worker threads"),
	STR_KEY("tls_cert", KEY_STR, tls_cert, "PEM certificate file; with tls_key serves HTTPS"),
	STR_KEY("tls_key", KEY_STR, tls_key, "PEM private key file for tls_cert"),
	STR_KEY("tls_client_ca", KEY_STR, tls_client_ca,
		"PEM file of the CAs whose client certificates HTTPS accepts (mutual TLS with "
		"partner nodes)"),
	STR_KEY("exchange_tls_cert", KEY_STR, exchange_tls_cert,
		"PEM client certificate file this node shows partner nodes (mutual TLS)"),
	STR_KEY("exchange_tls_key", KEY_STR, exchange_tls_key,
		"PEM private key file for exchange_tls_cert"),
	STR_KEY("exchange_tls_ca", KEY_STR, exchange_tls_ca,
		"PEM file of the CAs that sign partner nodes' server certificates (default: the "
		"system's)"),
	STR_KEY("data_dir", KEY_STR, data_dir, "folder of reference data that init loads"),
	INT_KEY("webhook_poll_ms", webhook_poll_ms, 50, 60000,
		"how often due webhook deliveries are sent, milliseconds"),
	INT_KEY("webhook_backoff_max", webhook_backoff_max, 1, 86400,
		"longest wait between two attempts of a webhook delivery, seconds"),
	INT_KEY("exchange_poll_ms", exchange_poll_ms, 50, 60000,
		"how often documents due for partner nodes are sent, milliseconds"),
	INT_KEY("exchange_backoff_max", exchange_backoff_max, 1, 86400,
		"longest wait between two attempts to deliver a document to a partner, seconds"),
	INT_KEY("exchange_fail_after", exchange_fail_after, 1, 90 * 86400,
		"seconds after which a document a partner has not taken is failed"),
	INT_KEY("exchange_status_refresh", exchange_status_refresh, 1, 86400,
		"how often partners' status lists (of certificates of origin received) are "
		"fetched again, seconds"),
	INT_KEY("session_hours", session_hours, 1, 24 * 30, "lifetime of a browser session, hours"),
	INT_KEY("login_max_failures", login_max_failures, 1, 1000,
		"failed logins per account or address before each further try is delayed"),
	INT_KEY("login_window_minutes", login_window_minutes, 1, 24 * 60,
		"minutes within which failed logins are counted"),
	STR_KEY("attachments_dir", KEY_STR, attachments_dir,
		"folder of uploaded documents, stored by their SHA-256"),
	STR_KEY("public_url", KEY_STR, public_url,
		"base URL by which the public reaches this node (verification links and QR codes)"),
	STR_KEY("node_key", KEY_STR, node_key,
		"the node's signing key file (caravan init makes it); empty: beside the SQLite database, "
		"with .key for .db"),
	STR_KEY("node_did", KEY_STR, node_did,
		"the node's DID (did:web:HOST); empty: derived from public_url"),
	INT_KEY("public_rate_per_minute", public_rate_per_minute, 1, 1000000000,
		"requests a minute one address may make to public lookups (AEO verification)"),
};
// clang-format on

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void cv_config_defaults(struct cv_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
	snprintf(c->db, sizeof(c->db), "sqlite:var/caravan.db");
	snprintf(c->node_country, sizeof(c->node_country), "KZ");
	snprintf(c->node_currency, sizeof(c->node_currency), "KZT");
	c->webhook_poll_ms = 1000;
	c->webhook_backoff_max = 3600;
	c->exchange_poll_ms = 1000;
	c->exchange_backoff_max = 3600;
	c->exchange_fail_after = 3 * 86400;
	c->exchange_status_refresh = 300;
	snprintf(c->node_name, sizeof(c->node_name), "State Revenue Committee of Kazakhstan (demo)");
	snprintf(c->log_level, sizeof(c->log_level), "info");
	c->max_body = 16 * 1024 * 1024; /* documents attached to applications */
	c->threads = 8; /* they wait for group commits (store.c): more than the cores */
	snprintf(c->data_dir, sizeof(c->data_dir), "data");
	c->session_hours = 12;
	c->login_max_failures = 5;
	c->login_window_minutes = 15;
	c->public_rate_per_minute = 120;
	snprintf(c->public_url, sizeof(c->public_url), "http://127.0.0.1:8080");
	snprintf(c->attachments_dir, sizeof(c->attachments_dir), "var/attachments");
}

/* "node-country" and "NODE_COUNTRY" both name node_country. */
static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const char *a = keys[i].name, *b = name;
		while (*a && *b) {
			char cb = (char)tolower((unsigned char)*b);
			if (cb == '-')
				cb = '_';
			if (*a != cb)
				break;
			a++;
			b++;
		}
		if (!*a && !*b)
			return &keys[i];
	}
	return NULL;
}

int cv_config_listen_split(const char *listen, char *host, size_t host_size, int *port)
{
	const char *colon = strrchr(listen, ':');
	char *end;
	long p;

	if (!colon || colon == listen || (size_t)(colon - listen) >= host_size)
		return CV_EINVAL;
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 0 || p > 65535)
		return CV_EINVAL;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	*port = (int)p;
	return CV_OK;
}

static int parse_long(const char *value, long *out, int allow_suffix)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value)
		return CV_EINVAL;
	if (allow_suffix && (*end == 'K' || *end == 'k')) {
		if (v > LONG_MAX / 1024 || v < 0)
			return CV_EINVAL;
		v *= 1024;
		end++;
	} else if (allow_suffix && (*end == 'M' || *end == 'm')) {
		if (v > LONG_MAX / (1024 * 1024) || v < 0)
			return CV_EINVAL;
		v *= 1024 * 1024;
		end++;
	}
	if (*end)
		return CV_EINVAL;
	*out = v;
	return CV_OK;
}

static int set_string(const struct key *k, char *dst, const char *value, struct cv_error *err)
{
	if (strlen(value) >= k->size)
		return cv_error_set(err, CV_EINVAL, k->name, "%s is longer than %zu characters",
				    k->name, k->size - 1);
	snprintf(dst, k->size, "%s", value);
	return CV_OK;
}

static int validate_text(const struct key *k, const char *value, struct cv_error *err)
{
	char host[256];
	int port;
	enum cv_log_level level;

	switch (k->type) {
	case KEY_COUNTRY:
		if (strlen(value) != 2 || !isupper((unsigned char)value[0]) ||
		    !isupper((unsigned char)value[1]))
			return cv_error_set(err, CV_EINVAL, k->name,
					    "%s must be two upper-case letters (ISO 3166 alpha-2), got \"%s\"",
					    k->name, value);
		return CV_OK;
	case KEY_CURRENCY:
		if (strlen(value) != 3 || !isupper((unsigned char)value[0]) ||
		    !isupper((unsigned char)value[1]) || !isupper((unsigned char)value[2]))
			return cv_error_set(err, CV_EINVAL, k->name,
					    "%s must be three upper-case letters (ISO 4217), got \"%s\"",
					    k->name, value);
		return CV_OK;
	case KEY_LOG_LEVEL:
		if (cv_log_parse_level(value, &level))
			return cv_error_set(err, CV_EINVAL, k->name,
					    "%s must be debug, info, warn, error or off, got \"%s\"",
					    k->name, value);
		return CV_OK;
	case KEY_LISTEN:
		if (cv_config_listen_split(value, host, sizeof(host), &port))
			return cv_error_set(err, CV_EINVAL, k->name,
					    "%s must be HOST:PORT (for example 127.0.0.1:8080), got \"%s\"",
					    k->name, value);
		return CV_OK;
	case KEY_DB:
		if (strncmp(value, "sqlite:", 7) != 0 && strncmp(value, "postgresql://", 13) != 0 &&
		    strncmp(value, "postgres://", 11) != 0)
			return cv_error_set(err, CV_EINVAL, k->name,
					    "%s must start with sqlite: or postgresql://, got \"%s\"",
					    k->name, value);
		return CV_OK;
	default: return CV_OK;
	}
}

int cv_config_set(struct cv_config *c, const char *name, const char *value, struct cv_error *err)
{
	const struct key *k = find_key(name);
	char *field;
	long v;
	int rc;

	if (!k)
		return cv_error_set(err, CV_EINVAL, name, "unknown configuration key \"%s\"", name);
	field = (char *)c + k->offset;
	switch (k->type) {
	case KEY_INT:
	case KEY_SIZE:
		if (parse_long(value, &v, k->type == KEY_SIZE) || v < k->min || v > k->max)
			return cv_error_set(err, CV_EINVAL, k->name,
					    "%s must be a whole number from %ld to %ld, got \"%s\"",
					    k->name, k->min, k->max, value);
		if (k->type == KEY_SIZE)
			*(size_t *)field = (size_t)v;
		else
			*(int *)field = (int)v;
		return CV_OK;
	default:
		rc = validate_text(k, value, err);
		return rc ? rc : set_string(k, field, value, err);
	}
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int cv_config_load_file(struct cv_config *c, const char *path, struct cv_error *err)
{
	FILE *f = fopen(path, "r");
	char line[2 * CV_CONFIG_STR];
	int lineno = 0;
	int rc = CV_OK;

	if (!f)
		return cv_error_set(err, CV_EIO, "config", "cannot read configuration file %s: %s",
				    path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *value;
		size_t vlen;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = cv_error_set(err, CV_EINVAL, "config",
					  "%s:%d: line longer than %zu characters", path, lineno,
					  sizeof(line) - 2);
			break;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			rc = cv_error_set(err, CV_EINVAL, "config", "%s:%d: expected KEY=VALUE",
					  path, lineno);
			break;
		}
		*eq = '\0';
		key = trim(s);
		value = trim(eq + 1);
		vlen = strlen(value);
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value[vlen - 1] = '\0';
			value++;
		}
		rc = cv_config_set(c, key, value, err);
		if (rc) {
			if (err) {
				char msg[CV_ERROR_MESSAGE_MAX], field[CV_ERROR_FIELD_MAX];
				snprintf(msg, sizeof(msg), "%s", err->message);
				snprintf(field, sizeof(field), "%s", err->field);
				cv_error_set(err, rc, field, "%s:%d: %s", path, lineno, msg);
			}
			break;
		}
	}
	fclose(f);
	return rc;
}

int cv_config_load_env(struct cv_config *c, struct cv_error *err)
{
	for (size_t i = 0; i < NKEYS; i++) {
		char var[64] = "CARAVAN_";
		const char *value;
		size_t n = strlen(var);

		for (const char *p = keys[i].name; *p && n < sizeof(var) - 1; p++)
			var[n++] = (char)toupper((unsigned char)*p);
		var[n] = '\0';
		value = getenv(var);
		if (value) {
			int rc = cv_config_set(c, keys[i].name, value, err);
			if (rc)
				return rc;
		}
	}
	return CV_OK;
}

void cv_config_print_help(FILE *out)
{
	struct cv_config d;

	cv_config_defaults(&d);
	fprintf(out, "Configuration keys (file KEY=VALUE, environment CARAVAN_KEY, flag --key):\n");
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		const char *field = (const char *)&d + k->offset;
		char upper[64];
		size_t n = 0;

		for (const char *p = k->name; *p && n < sizeof(upper) - 1; p++)
			upper[n++] = (char)toupper((unsigned char)*p);
		upper[n] = '\0';
		fprintf(out, "  %-22s CARAVAN_%-22s ", k->name, upper);
		if (k->type == KEY_INT)
			fprintf(out, "[%d] ", *(const int *)field);
		else if (k->type == KEY_SIZE)
			fprintf(out, "[%zu] ", *(const size_t *)field);
		else if (*field)
			fprintf(out, "[%s] ", field);
		fprintf(out, "%s\n", k->help);
	}
}
