/*
 * cmd_serve.c — `caravan serve`: migrate, then serve the node until SIGINT
 * or SIGTERM, and stop gracefully.
 *
 * The signals are blocked before the server starts so that every thread
 * libmicrohttpd creates inherits the mask; the main thread alone receives
 * them through sigwait(), then stops accepting and lets requests in flight
 * finish.
 */
#include "cli/cli.h"

#include "api/api.h"
#include "base/log.h"
#include "base/mem.h"
#include "http/server.h"
#include "store/migrate.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define SHUTDOWN_GRACE_MS 10000
#define PEM_MAX (1024 * 1024)

static const char usage[] =
	"usage: caravan serve [--listen HOST:PORT] [--db URL] [--config FILE] [--KEY VALUE...]\n\n"
	"Serve the node's web pages and JSON API. Applies pending migrations first.\n"
	"Any configuration key can be given as a flag (run 'caravan --help' for the list).\n"
	"Stops gracefully on SIGINT (Ctrl-C) or SIGTERM.\n";

static char *read_file(const char *path, const char *what)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n;

	if (!f) {
		fprintf(stderr, "caravan serve: cannot read the TLS %s %s: %s\n", what, path,
			strerror(errno));
		return NULL;
	}
	data = cv_malloc(PEM_MAX + 1);
	n = data ? fread(data, 1, PEM_MAX, f) : 0;
	fclose(f);
	if (data)
		data[n] = '\0';
	return data;
}

static int serve(const struct cv_config *config, struct store *store)
{
	struct api_app app = {config, store};
	struct http_server_options opts = {0};
	struct http_server *server = NULL;
	char host[256], *cert = NULL, *key = NULL;
	struct cv_error err;
	sigset_t signals;
	int sig = 0, rc = CLI_FAILED;

	cv_config_listen_split(config->listen, host, sizeof(host), &opts.port);
	opts.host = host;
	opts.threads = config->threads;
	opts.max_body = config->max_body;
	if (config->tls_cert[0] || config->tls_key[0]) {
		if (!config->tls_cert[0] || !config->tls_key[0]) {
			fprintf(stderr, "caravan serve: TLS needs both tls_cert and tls_key\n");
			return CLI_USAGE;
		}
		cert = read_file(config->tls_cert, "certificate");
		key = read_file(config->tls_key, "key");
		if (!cert || !key)
			goto out;
		opts.tls_cert = cert;
		opts.tls_key = key;
	}
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	cv_error_clear(&err);
	if (http_server_start(&opts, api_dispatch, &app, &server, &err)) {
		fprintf(stderr, "caravan serve: %s\n", err.message);
		goto out;
	}
	printf("caravan: serving %s (%s) on %s://%s:%d/\n", config->node_name, config->node_country,
	       cert ? "https" : "http", host, http_server_port(server));
	fflush(stdout);
	while (sigwait(&signals, &sig) != 0)
		;
	cv_info("serve", "received %s: stopping, letting requests in flight finish",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_server_stop(server, SHUTDOWN_GRACE_MS);
	cv_info("serve", "stopped");
	rc = CLI_OK;
out:
	cv_free(cert);
	if (key)
		memset(key, 0, strlen(key));
	cv_free(key);
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	struct cli_args args;
	struct store *store = NULL;
	struct store_conn *conn;
	struct cv_error err;
	int exit_now, applied = 0, rc = cli_parse(argc, argv, NULL, usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (args.npositional) {
		fprintf(stderr, "caravan serve: unexpected argument \"%s\"\n%s", args.positional[0],
			usage);
		return CLI_USAGE;
	}
	if (cli_open_store(&args.config, &store, &conn))
		return CLI_FAILED;
	cv_error_clear(&err);
	if (store_migrate(conn, &applied, &err)) {
		fprintf(stderr, "caravan serve: migration failed: %s\n", err.message);
		store_close(store);
		return CLI_FAILED;
	}
	rc = serve(&args.config, store);
	store_close(store);
	return rc;
}
