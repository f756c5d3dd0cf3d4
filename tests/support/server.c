/* server.c — see server.h. */
#include "server.h"

#include "base/clock.h"
#include "base/ids.h"
#include "base/log.h"
#include "exchange/node.h"
#include "exchange/partners.h"
#include "store/migrate.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;

	cr_assert(in, "cannot open the template database %s (run the suite with make test)", from);
	out = fopen(to, "wb");
	cr_assert(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

/* Run caravan serve on s's database and wait for its start line. */
static void spawn(struct test_server *s, const char *const *extra)
{
	const char *bin = env_or("CARAVAN_BIN", "build/asan/caravan");
	const char *argv[40];
	char attachments[300];
	int out[2], argc = 0;
	char line[512];
	FILE *f;

	snprintf(attachments, sizeof(attachments), "%s/attachments", s->dir);
	argv[argc++] = bin;
	argv[argc++] = "serve";
	argv[argc++] = "--db";
	argv[argc++] = s->db_url;
	argv[argc++] = "--listen";
	argv[argc++] = "127.0.0.1:0";
	argv[argc++] = "--log-level";
	argv[argc++] = "warn";
	argv[argc++] = "--attachments-dir";
	argv[argc++] = attachments;
	for (; extra && *extra && argc < 38; extra++)
		argv[argc++] = *extra;
	argv[argc] = NULL;

	cr_assert_eq(pipe(out), 0);
	s->pid = fork();
	cr_assert(s->pid >= 0);
	if (s->pid == 0) {
		/* If the test process dies on a failed assertion, the server goes with it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	/*
	 * A signal to the test process (a child ending, the runner's timers) may
	 * interrupt the read while the server is still starting: read again.
	 */
	while (!fgets(line, sizeof(line), f) && ferror(f) && errno == EINTR)
		clearerr(f);
	cr_assert(!ferror(f) && !feof(f), "caravan serve did not start (see its stderr): %s",
		  ferror(f) ? strerror(errno) : "it closed its output");
	fclose(f);
	{
		const char *colon = strrchr(line, ':');
		cr_assert(colon, "unexpected start line: %s", line);
		s->port = atoi(colon + 1);
	}
	cr_assert(s->port > 0, "no port in: %s", line);
}

void test_server_prepare(struct test_server *s)
{
	const char *template = env_or("CARAVAN_TEMPLATE_DB", "build/asan/template.db");
	char template_key[300];
	size_t n = strlen(template);

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/caravan-test-XXXXXX");
	cr_assert(mkdtemp(s->dir));
	snprintf(s->db_path, sizeof(s->db_path), "%s/caravan.db", s->dir);
	snprintf(s->db_url, sizeof(s->db_url), "sqlite:%s", s->db_path);
	snprintf(s->key_path, sizeof(s->key_path), "%s/caravan.key", s->dir);
	copy_file(template, s->db_path);
	/* The template's key (init made it beside template.db), as caravan.key beside caravan.db. */
	snprintf(template_key, sizeof(template_key), "%.*s.key",
		 (int)(n > 3 && !strcmp(template + n - 3, ".db") ? n - 3 : n), template);
	if (access(template_key, R_OK) == 0) {
		copy_file(template_key, s->key_path);
		cr_assert_eq(chmod(s->key_path, 0600), 0);
	}
}

void test_server_spawn(struct test_server *s, const char *const *extra)
{
	s->extra = extra;
	spawn(s, extra);
}

void test_server_start(struct test_server *s, const char *const *extra)
{
	test_server_prepare(s);
	test_server_spawn(s, extra);
}

/* A loopback port nothing listens on (yet). */
int test_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* A node on a port of its own, over HTTPS when ca_file is given, with more configuration lines. */
static void node_start(struct test_server *s, const char *country, const char *name,
		       const char *ca_file, const char *more_config)
{
	const char *scheme = ca_file ? "https" : "http";
	struct cv_error err;
	FILE *f;
	int port = test_free_port();

	test_server_prepare(s);
	if (ca_file)
		snprintf(s->ca_file, sizeof(s->ca_file), "%s", ca_file);
	/* Its own identity: not the template's key. */
	cr_assert_eq(unlink(s->key_path), 0);
	cr_assert_eq(exchange_node_key_create(s->key_path, &err), CV_OK, "%s", err.message);
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%d", scheme, port);
	snprintf(s->did, sizeof(s->did), "did:web:127.0.0.1%%3A%d", port);
	snprintf(s->config_path, sizeof(s->config_path), "%s/caravan.conf", s->dir);
	f = fopen(s->config_path, "w");
	cr_assert(f);
	fprintf(f,
		"db = %s\nlisten = 127.0.0.1:%d\npublic_url = %s\nnode_country = %s\n"
		"node_name = %s\nattachments_dir = %s/attachments\nlog_level = warn\n"
		"exchange_poll_ms = 100\nexchange_backoff_max = 1\nexchange_status_refresh = 1\n%s",
		s->db_url, port, s->url, country, name, s->dir, more_config);
	fclose(f);
	snprintf(s->node_args[0], sizeof(s->node_args[0]), "%s", s->config_path);
	snprintf(s->node_args[1], sizeof(s->node_args[1]), "127.0.0.1:%d", port);
	/* After spawn's own flags: the configured port, not port 0. */
	s->node_extra[0] = "--config";
	s->node_extra[1] = s->node_args[0];
	s->node_extra[2] = "--listen";
	s->node_extra[3] = s->node_args[1];
	s->node_extra[4] = NULL;
	test_server_spawn(s, s->node_extra);
}

void test_pki_make(const char *dir)
{
	static const char script[] =
		"set -e; cd '%s'\n"
		"key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $1.key 2>/dev/null; }\n"
		"ca() { key $1; openssl req -x509 -new -key $1.key -out $1.pem -days 2 -subj /CN=$1 2>/dev/null; }\n"
		"leaf() {\n"
		"  key $1; openssl req -new -key $1.key -out $1.csr -subj /CN=$1 2>/dev/null\n"
		"  printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n' > $1.ext\n"
		"  openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -days 2 \\\n"
		"    -extfile $1.ext -out $1.pem 2>/dev/null\n"
		"}\n"
		"ca ca; ca other-ca; leaf kz ca; leaf uz ca; leaf stranger other-ca\n";
	char *cmd;

	cr_assert(asprintf(&cmd, script, dir) > 0);
	cr_assert_eq(system(cmd), 0, "openssl could not make the test PKI in %s", dir);
	free(cmd);
}

void test_node_start(struct test_server *s, const char *country, const char *name)
{
	node_start(s, country, name, NULL, "");
}

void test_node_start_tls(struct test_server *s, const char *country, const char *name,
			 const char *pki, const char *who)
{
	char more[2048], ca[320];

	snprintf(ca, sizeof(ca), "%s/ca.pem", pki);
	snprintf(more, sizeof(more),
		 "tls_cert = %s/%s.pem\ntls_key = %s/%s.key\ntls_client_ca = %s/ca.pem\n"
		 "exchange_tls_cert = %s/%s.pem\nexchange_tls_key = %s/%s.key\n"
		 "exchange_tls_ca = %s/ca.pem\n",
		 pki, who, pki, who, pki, pki, who, pki, who, pki);
	node_start(s, country, name, ca, more);
}

void test_store_make(char *dir, struct store **store, struct store_conn **conn, int countries)
{
	char url[320];

	cv_log_set_level(CV_LOG_OFF);
	cr_assert_eq(cv_ids_init(), 0);
	cr_assert(mkdtemp(dir), "cannot make %s", dir);
	snprintf(url, sizeof(url), "sqlite:%s/test.db", dir);
	cr_assert_eq(store_open(url, store, NULL), 0);
	cr_assert_eq(store_conn(*store, conn, NULL), 0);
	cr_assert_eq(store_migrate(*conn, NULL, NULL), 0);
	if (countries)
		cr_assert_eq(store_execf(*conn, NULL,
					 "INSERT INTO countries (code, alpha3, numeric, name) VALUES"
					 " ('KZ', 'KAZ', '398', 'Kazakhstan'),"
					 " ('UZ', 'UZB', '860', 'Uzbekistan')",
					 ""),
			     0);
}

void test_store_partner(struct store_conn *conn, const char *country, const char *did,
			const char *endpoint, const char *multikey, const char *agreements,
			char id[CV_UUID_STR])
{
	struct exchange_registry_context ctx = {"XX", NULL, cv_clock_now_ms()};
	json_t *agreed = json_loads(agreements, 0, NULL), *input, *errors = json_array(), *out;
	struct cv_error err;

	cr_assert(agreed, "agreements must be JSON: %s", agreements);
	input = json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s}], s:o}", "country", country, "name",
			  country, "endpoint", endpoint, "did", did, "keys", "id", "key-1",
			  "publicKeyMultibase", multikey, "agreements", agreed);
	cv_error_clear(&err);
	cr_assert_eq(store_begin(conn), CV_OK);
	cr_assert_eq(exchange_partner_create(conn, &ctx, input, errors, &out, &err), CV_OK, "%s %s",
		     err.message,
		     json_string_value(json_object_get(json_array_get(errors, 0), "message")));
	cr_assert_eq(store_commit(conn), CV_OK);
	snprintf(id, CV_UUID_STR, "%s", json_string_value(json_object_get(out, "id")));
	json_decref(out);
	json_decref(errors);
	json_decref(input);
}

void test_store_remove(struct store *store, const char *dir)
{
	char cmd[400];

	store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

void test_nodes_start(struct test_server *kz, struct test_server *uz)
{
	test_node_start(kz, "KZ", "State Revenue Committee of Kazakhstan");
	test_node_start(uz, "UZ", "State Customs Committee of Uzbekistan");
}

void test_nodes_stop(struct test_server *kz, struct test_server *uz)
{
	test_server_stop(uz);
	test_server_stop(kz);
}

void test_register_partner(const struct test_server *at, const struct test_server *partner,
			   const char *country, const char *agreements)
{
	struct test_response r;
	json_t *body, *agreed = json_loads(agreements, 0, NULL);
	char *text;

	cr_assert(agreed, "agreements must be JSON: %s", agreements);
	test_http(partner, "GET", "/.well-known/did.json", NULL, NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "id")), partner->did);
	body = json_pack("{s:s, s:s, s:s, s:O, s:o}", "country", country, "name", country,
			 "endpoint", partner->url, "did_document", r.json, "agreements", agreed);
	test_response_free(&r);
	text = json_dumps(body, JSON_COMPACT);
	cr_assert_eq(test_call(at, "admin", "POST", "/api/v1/exchange/partners", text, &r), 201,
		     "%s", r.body);
	test_response_free(&r);
	free(text);
	json_decref(body);
}

void test_server_kill(struct test_server *s)
{
	int status;

	cr_assert(s->pid > 0);
	kill(s->pid, SIGKILL);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
}

void test_server_restart(struct test_server *s)
{
	cr_assert_eq(s->pid, 0, "stop or kill the server first");
	spawn(s, s->extra);
}

int test_server_stop(struct test_server *s)
{
	int status = 0;
	char cmd[300];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
			;
		s->pid = 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", s->dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct growing {
	char *data;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct growing *g = userdata;
	size_t n = size * nmemb;

	g->data = realloc(g->data, g->len + n + 1);
	memcpy(g->data + g->len, ptr, n);
	g->len += n;
	g->data[g->len] = '\0';
	return n;
}

void test_http(const struct test_server *s, const char *method, const char *path,
	       const char *const *headers, const char *body, struct test_response *out)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *list = NULL;
	struct growing b = {0}, h = {0};
	char url[512];
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", s->ca_file[0] ? "https" : "http", s->port,
		 path);
	if (s->ca_file[0])
		curl_easy_setopt(curl, CURLOPT_CAINFO, s->ca_file);
	if (s->client_cert[0]) {
		curl_easy_setopt(curl, CURLOPT_SSLCERT, s->client_cert);
		curl_easy_setopt(curl, CURLOPT_SSLKEY, s->client_key);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	for (; headers && *headers; headers++)
		list = curl_slist_append(list, *headers);
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	rc = curl_easy_perform(curl);
	cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = b.data ? b.data : strdup("");
	out->headers = h.data ? h.data : strdup("");
	out->json = json_loads(out->body, 0, NULL);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
}

void test_response_free(struct test_response *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

char *test_header(const struct test_response *r, const char *name)
{
	size_t n = strlen(name);

	for (const char *line = r->headers; line && *line;) {
		const char *end = strstr(line, "\r\n");
		if (!end)
			break;
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(end - v));
		}
		line = end + 2;
	}
	return NULL;
}

const char *test_bearer(const char *username)
{
	static char header[8][160];
	static int slot;
	char path[512], name[80], token[100];
	FILE *f;

	snprintf(path, sizeof(path), "%s.tokens",
		 env_or("CARAVAN_TEMPLATE_DB", "build/asan/template.db"));
	f = fopen(path, "r");
	cr_assert(f, "no %s (run the suite with make test)", path);
	while (fscanf(f, "%79s %99s", name, token) == 2) {
		if (strcmp(name, username) == 0) {
			char *h = header[slot++ % 8];
			fclose(f);
			snprintf(h, 160, "Authorization: Bearer %s", token);
			return h;
		}
	}
	fclose(f);
	cr_assert_fail("no token for %s", username);
	return NULL;
}

const char *test_demo_password(const char *username)
{
	static const char *const pairs[][2] = {
		{"admin", "admin-demo-2026"},        {"aeo.officer", "aeo-demo-2026"},
		{"risk.analyst", "risk-demo-2026"},  {"border.officer", "border-demo-2026"},
		{"pga.officer", "pga-demo-2026"},    {"trader", "trader-demo-2026"},
		{"partner.uz", "partner-demo-2026"}, {"auditor", "auditor-demo-2026"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (strcmp(pairs[i][0], username) == 0)
			return pairs[i][1];
	return "";
}

void test_login(const struct test_server *s, const char *username, struct test_session *out)
{
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct test_response r;
	char body[256], *cookie;
	const char *csrf;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username,
		 test_demo_password(username));
	test_http(s, "POST", "/api/v1/auth/login", headers, body, &r);
	cr_assert_eq(r.status, 200, "login of %s: %ld %s", username, r.status, r.body);
	cookie = test_header(&r, "Set-Cookie");
	cr_assert(cookie);
	csrf = json_string_value(json_object_get(r.json, "csrf_token"));
	cr_assert(csrf);
	snprintf(out->cookie, sizeof(out->cookie), "Cookie: %.*s", (int)strcspn(cookie, ";"),
		 cookie);
	snprintf(out->csrf, sizeof(out->csrf), "X-CSRF-Token: %s", csrf);
	free(cookie);
	test_response_free(&r);
}

int test_cli(const char *args, const char *stdin_text, char **out)
{
	char cmd[2048], tmp[] = "/tmp/caravan-cli-XXXXXX";
	struct growing g = {0};
	char buf[4096];
	size_t n;
	FILE *p;
	int status, fd = -1;

	if (stdin_text) {
		fd = mkstemp(tmp);
		cr_assert(fd >= 0);
		cr_assert_eq(write(fd, stdin_text, strlen(stdin_text)), (ssize_t)strlen(stdin_text));
		close(fd);
	}
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1 < %s", env_or("CARAVAN_BIN", "build/asan/caravan"),
		 args, stdin_text ? tmp : "/dev/null");
	p = popen(cmd, "r");
	cr_assert(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		collect(buf, 1, n, &g);
	status = pclose(p);
	if (stdin_text)
		unlink(tmp);
	*out = g.data ? g.data : strdup("");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void test_fill_saq(const struct test_server *s, const char *application_id)
{
	const char *get[] = {test_bearer("trader"), NULL};
	const char *patch[] = {"Content-Type: application/json", test_bearer("trader"), NULL};
	struct test_response r;
	json_t *answers = json_object(), *q, *body;
	char path[160], *text;
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/applications/%s/saq", application_id);
	test_http(s, "GET", path, get, NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "questions"), i, q) {
		const char *type = json_string_value(json_object_get(q, "type"));
		const char *id = json_string_value(json_object_get(q, "id"));
		if (!json_is_true(json_object_get(q, "required")))
			continue;
		json_object_set_new(answers, id,
				    !strcmp(type, "yes_no")   ? json_true()
				    : !strcmp(type, "number") ? json_integer(12)
				    : !strcmp(type, "date")   ? json_string("2015-03-01")
				    : !strcmp(type, "choice")
					    ? json_incref(
						      json_array_get(json_object_get(q, "choices"),
								     0))
					    : json_string("as described in our procedures manual"));
	}
	test_response_free(&r);
	body = json_pack("{s:o}", "answers", answers);
	text = json_dumps(body, 0);
	json_decref(body);
	test_http(s, "PATCH", path, patch, text, &r);
	free(text);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(json_array_size(json_object_get(r.json, "missing")), 0, "%s", r.body);
	test_response_free(&r);
}

void test_validate(const struct test_server *s, const char *application_id, const char *type)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("aeo.officer"), NULL};
	const char *all[] = {"compliance", "records", "solvency", "competence", "security"};
	struct test_response r;
	char path[200];

	for (size_t i = 0; i < 5; i++) {
		if ((!strcmp(type, "AEOC") && !strcmp(all[i], "security")) ||
		    (!strcmp(type, "AEOS") && !strcmp(all[i], "competence")))
			continue;
		snprintf(path, sizeof(path), "/api/v1/applications/%s/findings/%s", application_id,
			 all[i]);
		test_http(s, "PUT", path, h, "{\"result\":\"met\",\"evidence\":\"desk review\"}",
			  &r);
		cr_assert_eq(r.status, 200, "finding %s: %s", all[i], r.body);
		test_response_free(&r);
	}
}

long test_call(const struct test_server *s, const char *user, const char *method, const char *path,
	       const char *body, struct test_response *out)
{
	const char *h[] = {"Content-Type: application/json", user ? test_bearer(user) : NULL, NULL};
	struct test_response r;
	long status;

	test_http(s, method, path, h, body, &r);
	status = r.status;
	if (out)
		*out = r;
	else
		test_response_free(&r);
	return status;
}

int test_examination_for(const struct test_server *s, const char *username, const char *number,
			 char id[64])
{
	struct test_response r;
	json_t *exam;
	size_t i;
	int found = 0;

	cr_assert_eq(test_call(s, username, "GET", "/api/v1/examinations", NULL, &r), 200, "%s",
		     r.body);
	json_array_foreach(json_object_get(r.json, "items"), i, exam) {
		if (!found && !strcmp(json_string_value(json_object_get(exam, "number")), number)) {
			snprintf(id, 64, "%s", json_string_value(json_object_get(exam, "id")));
			found = 1;
		}
	}
	test_response_free(&r);
	return found;
}

void test_grant(const struct test_server *s, const char *type, char number[64],
		char authorization_id[64])
{
	const char *actions[] = {"accept", "start_review", "plan_validation", "validate",
				 "authorize"};
	struct test_response r;
	char id[64], path[160], body[96];

	snprintf(body, sizeof(body), "{\"type\":\"%s\",\"consent_mra\":true}", type);
	cr_assert_eq(test_call(s, "trader", "POST", "/api/v1/applications", body, &r), 201, "%s",
		     r.body);
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	test_fill_saq(s, id);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/transitions", id);
	cr_assert_eq(test_call(s, "trader", "POST", path, "{\"action\":\"submit\"}", NULL), 200);
	for (size_t i = 0; i < 5; i++) {
		if (!strcmp(actions[i], "authorize"))
			test_validate(s, id, type);
		snprintf(body, sizeof(body), "{\"action\":\"%s\"}", actions[i]);
		cr_assert_eq(test_call(s, "aeo.officer", "POST", path, body, &r), 200, "%s: %s",
			     actions[i], r.body);
		if (i < 4)
			test_response_free(&r);
	}
	snprintf(number, 64, "%s",
		 json_string_value(
			 json_object_get(json_object_get(r.json, "authorization"), "number")));
	snprintf(authorization_id, 64, "%s",
		 json_string_value(json_object_get(json_object_get(r.json, "authorization"), "id")));
	test_response_free(&r);
}
