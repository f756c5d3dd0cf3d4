/*
 * test_webhooks.c — status notifications pushed to a trader's system: with
 * the receiver down nothing is lost, once it is up every event arrives once,
 * in order, signed with the trader's secret.
 */
#include "support/server.h"
#include "trade/webhooks.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct test_server srv;

/* Deliveries every 100 ms; at most a second between attempts. */
static void start(void)
{
	static const char *const extra[] = {"--webhook-poll-ms", "100", "--webhook-backoff-max",
					    "1", NULL};
	test_server_start(&srv, extra);
}
static void stop(void) { test_server_stop(&srv); }

TestSuite(webhooks, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)

/* What the receiver got. */
struct received {
	pthread_mutex_t lock;
	int count;
	long long ids[32];
	char *bodies[32], *signatures[32], *timestamps[32];
};

struct upload {
	char *body;
	size_t len;
};

static enum MHD_Result receive(void *ctx, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **state)
{
	struct received *got = ctx;
	struct upload *u = *state;
	struct MHD_Response *r;
	enum MHD_Result ok;

	(void)url;
	(void)method;
	(void)version;
	if (!u) {
		*state = calloc(1, sizeof(*u));
		return MHD_YES;
	}
	if (*size) {
		u->body = realloc(u->body, u->len + *size + 1);
		memcpy(u->body + u->len, data, *size);
		u->len += *size;
		u->body[u->len] = 0;
		*size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&got->lock);
	if (got->count < 32) {
		const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     "X-Caravan-Event-Id");
		got->ids[got->count] = id ? atoll(id) : -1;
		got->bodies[got->count] = u->body ? strdup(u->body) : strdup("");
		got->signatures[got->count] = strdup(
			MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Caravan-Signature"));
		got->timestamps[got->count] = strdup(
			MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Caravan-Timestamp"));
		got->count++;
	}
	pthread_mutex_unlock(&got->lock);
	free(u->body);
	free(u);
	*state = NULL;
	r = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	ok = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ok;
}

static const char phones[] =
	"{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
	" \"importer\": \"KZ123456789012\", \"transport\": {\"mode\": \"3\"},"
	" \"items\": [{\"hs\": \"85171300\", \"description\": \"Smartphones\", \"origin\": \"CN\","
	" \"quantity\": 200, \"unit\": \"H87\", \"net_mass\": 52.5,"
	" \"value\": {\"amount\": 4000000, \"currency\": \"USD\"}}]}";

Test(webhooks, events_wait_while_the_receiver_is_down_then_arrive_once_in_order_signed)
{
	struct received got = {PTHREAD_MUTEX_INITIALIZER};
	struct test_response r;
	struct MHD_Daemon *receiver;
	char body[128], secret[128];
	int port = test_free_port(), waited;

	snprintf(body, sizeof(body), "{\"url\": \"http://127.0.0.1:%d/caravan-events\"}", port);
	cr_assert_eq(call("trader", "PUT", "/api/v1/webhook", body, &r), 200, "%s", r.body);
	snprintf(secret, sizeof(secret), "%s", json_string_value(json_object_get(r.json, "secret")));
	cr_assert_eq(strlen(secret), 64, "a 32-byte secret, shown once");
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", phones, NULL), 201);

	/* The receiver is down: the events wait, with the reason. */
	usleep(600 * 1000);
	cr_assert_eq(call("trader", "GET", "/api/v1/webhook", NULL, &r), 200);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "pending")), 3,
		     "accepted, lane assigned, payment required: %s", r.body);
	cr_assert(json_is_string(json_object_get(r.json, "last_error")), "%s", r.body);
	cr_assert(!json_object_get(r.json, "secret"), "the secret is not shown again");
	test_response_free(&r);

	receiver = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL,
				    receive, &got, MHD_OPTION_END);
	cr_assert_not_null(receiver);
	for (waited = 0; waited < 100; waited++) {
		int n;
		pthread_mutex_lock(&got.lock);
		n = got.count;
		pthread_mutex_unlock(&got.lock);
		if (n >= 3)
			break;
		usleep(100 * 1000);
	}
	usleep(1500 * 1000); /* long enough for a wrongful second delivery */
	MHD_stop_daemon(receiver);
	cr_assert_eq(got.count, 3, "every event once: %d", got.count);
	for (int i = 0; i < got.count; i++) {
		char expected[80];
		cr_assert_eq(trade_webhook_signature(secret, got.timestamps[i], got.bodies[i],
						     expected),
			     0);
		cr_assert_str_eq(got.signatures[i], expected, "signed with the trader's secret");
		if (i)
			cr_assert_gt(got.ids[i], got.ids[i - 1], "in order");
		cr_assert(strstr(got.bodies[i], "\"event_id\""), "%s", got.bodies[i]);
		free(got.bodies[i]);
		free(got.signatures[i]);
		free(got.timestamps[i]);
	}
	cr_assert_eq(call("trader", "GET", "/api/v1/webhook", NULL, &r), 200);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "pending")), 0);
	test_response_free(&r);
}

Test(webhooks, bad_addresses_and_other_roles_are_refused)
{
	cr_assert_eq(call("trader", "PUT", "/api/v1/webhook", "{\"url\": \"ftp://example\"}", NULL),
		     422);
	cr_assert_eq(call("trader", "PUT", "/api/v1/webhook", "{}", NULL), 422);
	cr_assert_eq(call("border.officer", "PUT", "/api/v1/webhook",
			  "{\"url\": \"http://127.0.0.1:1/x\"}", NULL),
		     403);
	cr_assert_eq(call("trader", "GET", "/api/v1/webhook", NULL, NULL), 404, "none yet");
	cr_assert_eq(call("trader", "DELETE", "/api/v1/webhook", NULL, NULL), 404);
	cr_assert_eq(call("trader", "PUT", "/api/v1/webhook",
			  "{\"url\": \"https://erp.example/hook\"}", NULL),
		     200);
	cr_assert_eq(call("trader", "DELETE", "/api/v1/webhook", NULL, NULL), 200);
}
