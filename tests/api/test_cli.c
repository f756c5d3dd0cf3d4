/*
 * test_cli.c — the caravan command as an operator of the server uses it:
 * exit codes, configuration precedence, users from the command line,
 * re-running init, and a graceful stop that lets requests finish.
 */
#include "support/server.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(cli, .timeout = 120);

Test(cli, help_is_exit_0_unknown_command_and_bad_flags_are_exit_2)
{
	char *out;

	cr_assert_eq(test_cli("--help", NULL, &out), 0);
	cr_assert(strstr(out, "serve"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("serve --help", NULL, &out), 0);
	cr_assert(strstr(out, "usage: caravan serve"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("fly-to-the-moon", NULL, &out), 2);
	free(out);
	cr_assert_eq(test_cli("serve --no-such-flag 1", NULL, &out), 2);
	cr_assert(strstr(out, "unknown option --no-such-flag"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("serve --threads lots", NULL, &out), 2);
	cr_assert(strstr(out, "threads"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("version", NULL, &out), 0);
	cr_assert(strstr(out, "caravan "), "%s", out);
	free(out);
}

Test(cli, postgresql_url_fails_with_not_built_yet)
{
	char *out;

	cr_assert_eq(test_cli("migrate --db postgresql://localhost/caravan", NULL, &out), 1);
	cr_assert(strstr(out, "not built yet"), "%s", out);
	free(out);
}

Test(cli, caravan_db_environment_variable_is_honoured)
{
	char *out;

	setenv("CARAVAN_DB", "postgresql://from-env/caravan", 1);
	cr_assert_eq(test_cli("migrate", NULL, &out), 1);
	cr_assert(strstr(out, "not built yet"), "CARAVAN_DB was ignored: %s", out);
	free(out);
}

Test(cli, init_is_safe_to_run_twice)
{
	char dir[] = "/tmp/caravan-init-XXXXXX", args[256], *out;

	cr_assert(mkdtemp(dir));
	snprintf(args, sizeof(args), "init --db sqlite:%s/c.db", dir);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "HS codes"), "%s", out);
	free(out);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "second init: %s", out);
	free(out);
	snprintf(args, sizeof(args), "rm -rf %s", dir);
	cr_assert_eq(system(args), 0);
}

Test(cli, user_add_reads_the_password_from_stdin_and_the_user_can_sign_in)
{
	struct test_server s;
	struct test_response r;
	char args[512], *out;
	const char *h[] = {"Content-Type: application/json", NULL};

	test_server_start(&s, NULL);
	snprintf(args, sizeof(args), "user add officer.three --role aeo_officer --db %s", s.db_url);
	cr_assert_eq(test_cli(args, "a-long-secret-1\n", &out), 0, "%s", out);
	cr_assert_null(strstr(out, "a-long-secret-1"), "the password was echoed");
	free(out);
	snprintf(args, sizeof(args), "user add bad.trader --role trader --db %s", s.db_url);
	cr_assert_eq(test_cli(args, "a-long-secret-1\n", &out), 1, "%s", out);
	cr_assert(strstr(out, "operator"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "user add short.pass --role auditor --db %s", s.db_url);
	cr_assert_eq(test_cli(args, "short\n", &out), 1, "%s", out);
	free(out);
	snprintf(args, sizeof(args), "user list --db %s", s.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 0);
	cr_assert(strstr(out, "officer.three"));
	cr_assert_null(strstr(out, "short.pass"));
	free(out);
	test_http(&s, "POST", "/api/v1/auth/login", h,
		  "{\"username\":\"officer.three\",\"password\":\"a-long-secret-1\"}", &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	test_response_free(&r);

	snprintf(args, sizeof(args), "user passwd officer.three --db %s", s.db_url);
	cr_assert_eq(test_cli(args, "another-secret-2\n", &out), 0, "%s", out);
	free(out);
	test_http(&s, "POST", "/api/v1/auth/login", h,
		  "{\"username\":\"officer.three\",\"password\":\"a-long-secret-1\"}", &r);
	cr_assert_eq(r.status, 401, "the old password still works");
	test_response_free(&r);
	test_server_stop(&s);
}

Test(cli, user_token_prints_a_bearer_token_that_works)
{
	struct test_server s;
	struct test_response r;
	char args[512], *out, header[256];
	const char *h[] = {header, NULL};

	test_server_start(&s, NULL);
	snprintf(args, sizeof(args), "user token auditor --label ci --db %s", s.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "cvt_"), "%s", out);
	snprintf(header, sizeof(header), "Authorization: Bearer %.*s",
		 (int)strcspn(strstr(out, "cvt_"), "\n"), strstr(out, "cvt_"));
	free(out);
	test_http(&s, "GET", "/api/v1/auth/me", h, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "via")), "token");
	test_response_free(&r);
	test_server_stop(&s);
}

Test(cli, config_file_then_environment_then_flags)
{
	char path[] = "/tmp/caravan-conf-XXXXXX";
	const char *extra[] = {"--config", path, "--node-name", "From Flag", NULL};
	struct test_server s;
	struct test_response r;
	FILE *f;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f,
		"# a node configuration\nnode_name = From File\nnode_country = TJ\nthreads = 3\n");
	fclose(f);
	setenv("CARAVAN_NODE_COUNTRY", "UZ", 1);
	test_server_start(&s, extra);
	test_http(&s, "GET", "/api/v1/meta", NULL, NULL, &r);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "node"), "name")),
			 "From Flag");
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(r.json, "node"), "country")),
			 "UZ");
	test_response_free(&r);
	test_server_stop(&s);
	unlink(path);
}

Test(cli, bad_config_file_names_the_line)
{
	char path[] = "/tmp/caravan-conf-XXXXXX", args[256], *out;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "listen = 127.0.0.1:8080\nthis line has no equals sign\n");
	fclose(f);
	snprintf(args, sizeof(args), "serve --config %s", path);
	cr_assert_eq(test_cli(args, NULL, &out), 2, "%s", out);
	cr_assert(strstr(out, ":2:"), "%s", out);
	free(out);
	unlink(path);
}

/*
 * Graceful shutdown: a request whose body is still arriving when SIGTERM
 * comes is answered, and the server then exits 0.
 */
Test(cli, sigterm_lets_the_request_in_flight_finish)
{
	const char head[] =
		"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		"Content-Length: 50\r\nConnection: close\r\n\r\n";
	const char body[] = "{\"username\":\"nobody.here\",\"password\":\"wrong-pass\"}";
	struct sockaddr_in addr = {0};
	struct test_server s;
	char reply[2048] = "";
	ssize_t n, got = 0;
	int fd, status;

	cr_assert_eq(strlen(body), 50);
	test_server_start(&s, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)s.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	cr_assert_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	cr_assert_eq(write(fd, body, 20), 20);
	usleep(300 * 1000);
	kill(s.pid, SIGTERM);
	usleep(300 * 1000);
	cr_assert_eq(write(fd, body + 20, 30), 30);
	while ((n = read(fd, reply + got, sizeof(reply) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	cr_assert(strncmp(reply, "HTTP/1.1 401", 12) == 0, "reply: %s", reply);
	cr_assert_eq(waitpid(s.pid, &status, 0), s.pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d", status);
	s.pid = 0;
	test_server_stop(&s);
}

/* HTTPS with a certificate and key from the configuration (libmicrohttpd + GnuTLS). */
Test(cli, tls_certificate_and_key_serve_https)
{
	char dir[] = "/tmp/caravan-tls-XXXXXX", cmd[1024], cert[256], key[256], *out;
	struct test_server s;
	const char *extra[] = {"--tls-cert", cert, "--tls-key", key, NULL};

	cr_assert(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
		 "-keyout %s -out %s 2>/dev/null",
		 key, cert);
	cr_assert_eq(system(cmd), 0, "openssl could not make a test certificate");
	test_server_start(&s, extra);
	snprintf(cmd, sizeof(cmd), "curl -sk https://127.0.0.1:%d/healthz", s.port);
	{
		FILE *p = popen(cmd, "r");
		char buf[256] = "";
		cr_assert(p);
		if (!fgets(buf, sizeof(buf), p))
			buf[0] = '\0';
		pclose(p);
		cr_assert(strstr(buf, "\"ok\""), "HTTPS answer: %s", buf);
	}
	test_server_stop(&s);
	snprintf(cmd, sizeof(cmd), "serve --tls-cert %s --db sqlite:%s/x.db", cert, dir);
	cr_assert_eq(test_cli(cmd, NULL, &out), 2,
		     "a certificate without a key must be refused: %s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(cli, init_with_a_broken_safe_standards_file_says_which_file)
{
	char dir[] = "/tmp/caravan-data-XXXXXX", cmd[1024], *out;
	const char *data = getenv("CARAVAN_DATA_DIR") ? getenv("CARAVAN_DATA_DIR") : "data";

	cr_assert(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "ln -s '%s/hs' %s/hs && ln -s '%s/carec.json' %s/carec.json && mkdir %s/safe && "
		 "printf '{\"standards\": [{\"id\": \"P1.S1\", \"pillar\": 7}]}' > %s/safe/standards.json",
		 data, dir, data, dir, dir, dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "init --db sqlite:%s/c.db --data-dir %s", dir, dir);
	cr_assert_eq(test_cli(cmd, NULL, &out), 1, "%s", out);
	cr_assert(strstr(out, "standards.json"), "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "printf 'not json' > %s/safe/standards.json", dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "init --db sqlite:%s/c.db --data-dir %s", dir, dir);
	cr_assert_eq(test_cli(cmd, NULL, &out), 1, "%s", out);
	cr_assert(strstr(out, "standards.json"), "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(cli, risk_check_and_assess_a_profile_file)
{
	const char *data = getenv("CARAVAN_DATA_DIR") ? getenv("CARAVAN_DATA_DIR") : "data";
	char args[600], bad[] = "/tmp/caravan-prof-XXXXXX", *out;
	int fd = mkstemp(bad);
	FILE *f = fdopen(fd, "w");

	snprintf(args, sizeof(args), "risk check %s/risk/profiles.example", data);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "5 profiles compiled"), "%s", out);
	free(out);
	fprintf(f, "profile X \"x\"\n  when colour = \"red\" then score 1 end\n");
	fclose(f);
	snprintf(args, sizeof(args), "risk check %s", bad);
	cr_assert_eq(test_cli(args, NULL, &out), 1, "%s", out);
	cr_assert(strstr(out, ":2:8: unknown field \"colour\""), "%s", out);
	free(out);
	snprintf(args, sizeof(args),
		 "risk assess --profiles %s/risk/profiles.example %s/risk/declaration.example.json",
		 data, data);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "lane: red"), "%s", out);
	cr_assert(strstr(out, "ODS-001"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "risk assess --profiles %s/risk/profiles.example %s", data,
		 bad);
	cr_assert_eq(test_cli(args, NULL, &out), 1, "a profile file is no declaration: %s", out);
	free(out);
	unlink(bad);
	cr_assert_eq(test_cli("risk assess x.json", NULL, &out), 2, "%s", out);
	free(out);
}

Test(cli, risk_eval_ranks_a_test_file_and_refuses_bad_input)
{
	char *out;

	cr_assert_eq(test_cli("risk eval --train tests/fixtures/declarations-train.csv --test "
			      "tests/fixtures/declarations-test.csv --param trees=40 --seed 3",
			      NULL, &out),
		     0, "%s", out);
	cr_assert(strstr(out, "precision@1%: 1.000\nprecision@2%: 1.000\nprecision@5%: 1.000\n"
			      "precision@10%: 1.000\n"),
		  "%s", out);
	free(out);
	cr_assert_eq(test_cli("risk eval --train /nonexistent.csv --test "
			      "tests/fixtures/declarations-test.csv",
			      NULL, &out),
		     1, "%s", out);
	cr_assert(strstr(out, "/nonexistent.csv"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("risk eval --train tests/fixtures/declarations-train.csv --test "
			      "tests/fixtures/declarations-test.csv --param depth=3",
			      NULL, &out),
		     2, "%s", out);
	free(out);
	cr_assert_eq(test_cli("risk eval --test tests/fixtures/declarations-test.csv", NULL, &out),
		     2, "%s", out);
	free(out);
	cr_assert_eq(test_cli("risk eval --help", NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "precision@"), "%s", out);
	free(out);
}
