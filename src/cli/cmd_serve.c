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
#include "exchange/certificates.h"
#include "exchange/node.h"
#include "exchange/outbox.h"
#include "exchange/tls_client.h"
#include "http/server.h"
#include "store/migrate.h"
#include "trade/webhooks.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#define SHUTDOWN_GRACE_MS 10000
#define PEM_MAX (1024 * 1024)
/* One attempt to deliver a document to a partner node, connection included. */
#define EXCHANGE_TIMEOUT_MS 10000

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

/*
 * A deliverer: a thread with its own connection that runs delivery rounds
 * every poll_ms until the server stops — webhooks to traders, documents to
 * partner nodes. What is to be delivered is in the database (an outbox),
 * so a restart loses none. A round that found more due than it could take
 * is followed by the next at once.
 */
struct deliverer {
	const char *name;
	struct store *store;
	const struct cv_config *config;
	int poll_ms;
	/* One round; *again: more is due now. */
	int (*round)(struct deliverer *d, struct store_conn *conn, int *again);
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	pthread_t thread;
	int running;
	struct exchange_delivery_memory exchange_memory; /* the exchange deliverer's */
};

static int stopping(void *ctx)
{
	struct deliverer *d = ctx;
	int stop;

	pthread_mutex_lock(&d->lock);
	stop = d->stop;
	pthread_mutex_unlock(&d->lock);
	return stop;
}

static int webhooks_round(struct deliverer *d, struct store_conn *conn, int *again)
{
	size_t sent = 0;

	*again = 0;
	return trade_webhooks_deliver(conn, d->config->webhook_backoff_max, &sent);
}

static int exchange_round(struct deliverer *d, struct store_conn *conn, int *again)
{
	struct exchange_tls_client tls;
	struct exchange_delivery_policy policy = {d->config->exchange_backoff_max,
						  d->config->exchange_fail_after,
						  EXCHANGE_TIMEOUT_MS,
						  stopping,
						  d,
						  EXCHANGE_BATCH_MAX,
						  &d->exchange_memory,
						  &tls};
	struct exchange_delivery_counts counts;
	int rc;

	exchange_tls_client_from_config(d->config, &tls);
	rc = exchange_outbox_deliver(conn, &policy, &counts);

	/*
	 * Look again at once while rounds deliver: more may have been queued
	 * meanwhile (sync-aeo commits its parts as it goes). A round that sent
	 * nothing, or failed an attempt, waits for the next poll.
	 */
	*again = !rc && (counts.full || (counts.attempted && !counts.retrying));
	return rc;
}

/* The partners' status lists the certificates of origin received here name. */
static int status_lists_round(struct deliverer *d, struct store_conn *conn, int *again)
{
	struct exchange_tls_client tls;
	size_t fetched = 0;

	*again = 0;
	exchange_tls_client_from_config(d->config, &tls);
	return exchange_status_lists_refresh(conn, d->config->exchange_status_refresh,
					     EXCHANGE_TIMEOUT_MS, &tls, stopping, d, &fetched);
}

static void *deliver(void *arg)
{
	struct deliverer *d = arg;
	struct store_conn *conn;
	struct cv_error err;

	if (store_conn(d->store, &conn, &err)) {
		cv_warn(d->name, "no database connection: %s", err.message);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		struct timespec until;
		int again = 0;

		pthread_mutex_unlock(&d->lock);
		if (d->round(d, conn, &again))
			cv_warn(d->name, "a delivery round failed: %s", store_errmsg(conn));
		pthread_mutex_lock(&d->lock);
		if (again)
			continue;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += d->poll_ms / 1000;
		until.tv_nsec += (long)(d->poll_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (!d->stop)
			pthread_cond_timedwait(&d->wake, &d->lock, &until);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static void deliverer_start(struct deliverer *d)
{
	d->running = pthread_create(&d->thread, NULL, deliver, d) == 0;
}

static void deliverer_stop(struct deliverer *d)
{
	if (!d->running)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = 1;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
}

/*
 * The node's identity in the exchange. Without a key file the node serves
 * everything else (a database made before keys existed): it says so and
 * what to run. A key file that is there but wrong stops it.
 */
static int open_node(const struct cv_config *config, struct exchange_node **node)
{
	struct cv_error err;
	int rc;

	cv_error_clear(&err);
	rc = exchange_node_open(config, node, &err);
	if (rc == CV_ENOTFOUND) {
		cv_warn("serve", "%s; until then the node signs nothing and serves no DID document",
			err.message);
		return CLI_OK;
	}
	if (rc) {
		fprintf(stderr, "caravan serve: %s\n", err.message);
		return CLI_FAILED;
	}
	return CLI_OK;
}

static int serve(const struct cv_config *config, struct store *store)
{
	struct deliverer webhooks = {"webhooks",
				     store,
				     config,
				     config->webhook_poll_ms,
				     webhooks_round,
				     PTHREAD_MUTEX_INITIALIZER,
				     PTHREAD_COND_INITIALIZER};
	struct deliverer exchange = {"exchange",
				     store,
				     config,
				     config->exchange_poll_ms,
				     exchange_round,
				     PTHREAD_MUTEX_INITIALIZER,
				     PTHREAD_COND_INITIALIZER};
	/* Polled every second: a list is fetched again exchange_status_refresh seconds after. */
	struct deliverer status_lists = {"status-lists",
					 store,
					 config,
					 1000,
					 status_lists_round,
					 PTHREAD_MUTEX_INITIALIZER,
					 PTHREAD_COND_INITIALIZER};
	struct exchange_node *node = NULL;
	struct api_app app = {config, store, NULL};
	struct http_server_options opts = {0};
	struct http_server *server = NULL;
	char host[256], *cert = NULL, *key = NULL, *client_ca = NULL;
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
	if (config->tls_client_ca[0]) {
		if (!cert) {
			fprintf(stderr, "caravan serve: tls_client_ca (mutual TLS) needs HTTPS: set "
					"tls_cert and tls_key\n");
			rc = CLI_USAGE;
			goto out;
		}
		client_ca = read_file(config->tls_client_ca, "client CA");
		if (!client_ca)
			goto out;
		opts.tls_client_ca = client_ca;
	}
	if (open_node(config, &node))
		goto out;
	app.node = node;
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
	/* Before any thread uses libcurl (webhooks, partner nodes). */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	deliverer_start(&webhooks);
	deliverer_start(&exchange);
	deliverer_start(&status_lists);
	printf("caravan: serving %s (%s) on %s://%s:%d/\n", config->node_name, config->node_country,
	       cert ? "https" : "http", host, http_server_port(server));
	fflush(stdout);
	while (sigwait(&signals, &sig) != 0)
		;
	cv_info("serve", "received %s: stopping, letting requests in flight finish",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_server_stop(server, SHUTDOWN_GRACE_MS);
	deliverer_stop(&webhooks);
	deliverer_stop(&exchange);
	deliverer_stop(&status_lists);
	cv_info("serve", "stopped");
	rc = CLI_OK;
out:
	exchange_node_free(node);
	cv_free(cert);
	cv_free(client_ca);
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
