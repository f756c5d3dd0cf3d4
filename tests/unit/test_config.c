/* test_config.c — node configuration (base/config.h). */
#include "base/config.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char config_path[64];

/* Each test runs in its own process: clearing CARAVAN_* here is private to it. */
static void config_setup(void)
{
	char names[64][128];
	int n = 0;

	for (char **e = environ; *e && n < 64; e++) {
		if (strncmp(*e, "CARAVAN_", 8) != 0)
			continue;
		size_t len = strcspn(*e, "=");
		if (len < sizeof(names[0])) {
			memcpy(names[n], *e, len);
			names[n++][len] = '\0';
		}
	}
	for (int i = 0; i < n; i++)
		unsetenv(names[i]);
	config_path[0] = '\0';
}

static void config_teardown(void)
{
	if (config_path[0])
		unlink(config_path);
}

TestSuite(config, .init = config_setup, .fini = config_teardown);

/* Write content to a fresh file under /tmp; its name goes to config_path. */
static void config_write_file(const char *content)
{
	int fd;
	size_t len = strlen(content);

	snprintf(config_path, sizeof(config_path), "/tmp/cv-config-XXXXXX");
	fd = mkstemp(config_path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
}

Test(config, defaults_are_the_documented_ones)
{
	struct cv_config c;

	cv_config_defaults(&c);
	cr_assert_str_eq(c.listen, "127.0.0.1:8080");
	cr_assert_str_eq(c.db, "sqlite:var/caravan.db");
	cr_assert_str_eq(c.node_country, "KZ");
	cr_assert_str_eq(c.log_level, "info");
	cr_assert_eq(c.max_body, 16 * 1024 * 1024);
	cr_assert_eq(c.threads, 8);
	cr_assert_str_eq(c.tls_cert, "");
	cr_assert_str_eq(c.tls_key, "");
	cr_assert_gt(c.session_hours, 0);
	cr_assert_gt(c.login_max_failures, 0);
	cr_assert_gt(c.login_window_minutes, 0);
}

Test(config, keys_are_case_insensitive_and_dash_means_underscore)
{
	struct cv_config c;

	cv_config_defaults(&c);
	cr_assert_eq(cv_config_set(&c, "NODE-COUNTRY", "UZ", NULL), CV_OK);
	cr_assert_str_eq(c.node_country, "UZ");
	cr_assert_eq(cv_config_set(&c, "Login_Max-Failures", "9", NULL), CV_OK);
	cr_assert_eq(c.login_max_failures, 9);
}

Test(config, unknown_key_is_rejected_naming_the_key)
{
	struct cv_config c;
	struct cv_error e;

	cv_config_defaults(&c);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_set(&c, "listen_port", "80", &e), CV_EINVAL);
	cr_assert_eq(e.code, CV_EINVAL);
	cr_assert(strstr(e.message, "listen_port") != NULL, "%s", e.message);
	cr_assert_eq(cv_config_set(&c, "", "x", NULL), CV_EINVAL);
	cr_assert_eq(cv_config_set(&c, "listen ", "127.0.0.1:1", NULL), CV_EINVAL);
}

Test(config, whole_numbers_are_range_checked)
{
	struct cv_config c;
	struct cv_error e;

	cv_config_defaults(&c);
	cr_assert_eq(cv_config_set(&c, "threads", "16", NULL), CV_OK);
	cr_assert_eq(c.threads, 16);
	cr_assert_eq(cv_config_set(&c, "threads", "1", NULL), CV_OK);
	cr_assert_eq(cv_config_set(&c, "threads", "256", NULL), CV_OK);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_set(&c, "threads", "257", &e), CV_EINVAL);
	cr_assert_str_eq(e.field, "threads");
	cr_assert(strstr(e.message, "257") != NULL, "%s", e.message);
	cr_assert_eq(c.threads, 256, "a rejected value must not be stored");
}

Test(config, garbage_numbers_are_rejected)
{
	static const char *const garbage[] = {"",
					      "abc",
					      "4x",
					      "0",
					      "-1",
					      "1.5",
					      "0x10",
					      "1e3",
					      "  ",
					      "4 4",
					      "99999999999999999999",
					      "-99999999999999999999",
					      "2K"};
	struct cv_config c;

	cv_config_defaults(&c);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		cr_assert_eq(cv_config_set(&c, "threads", garbage[i], NULL), CV_EINVAL,
			     "threads accepted \"%s\"", garbage[i]);
		cr_assert_eq(cv_config_set(&c, "session_hours", garbage[i], NULL), CV_EINVAL,
			     "session_hours accepted \"%s\"", garbage[i]);
	}
	cr_assert_eq(c.threads, 8);
}

Test(config, max_body_takes_k_and_m_suffixes)
{
	struct cv_config c;

	cv_config_defaults(&c);
	cr_assert_eq(cv_config_set(&c, "max_body", "64K", NULL), CV_OK);
	cr_assert_eq(c.max_body, 64 * 1024);
	cr_assert_eq(cv_config_set(&c, "max_body", "2m", NULL), CV_OK);
	cr_assert_eq(c.max_body, 2 * 1024 * 1024);
	cr_assert_eq(cv_config_set(&c, "max_body", "500", NULL), CV_OK);
	cr_assert_eq(c.max_body, 500);
	cr_assert_eq(cv_config_set(&c, "max_body", "1024M", NULL), CV_OK);
	cr_assert_eq(c.max_body, (size_t)1 << 30);
}

Test(config, garbage_sizes_are_rejected)
{
	static const char *const garbage[] = {"",
					      "K",
					      "1G",
					      "1KB",
					      "1K1",
					      "0",
					      "0K",
					      "-1K",
					      "1025M",
					      "2097152K",
					      "9999999999999M",
					      "9999999999999999K"};
	struct cv_config c;

	cv_config_defaults(&c);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		cr_assert_eq(cv_config_set(&c, "max_body", garbage[i], NULL), CV_EINVAL,
			     "max_body accepted \"%s\"", garbage[i]);
	cr_assert_eq(c.max_body, 16 * 1024 * 1024, "a refused value leaves the default");
}

Test(config, node_country_must_be_two_upper_case_letters)
{
	static const char *const garbage[] = {"", "K", "kz", "Kz", "KAZ", "K1", "12", " KZ", "ÄB"};
	struct cv_config c;
	struct cv_error e;

	cv_config_defaults(&c);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		cv_error_clear(&e);
		cr_assert_eq(cv_config_set(&c, "node_country", garbage[i], &e), CV_EINVAL,
			     "accepted \"%s\"", garbage[i]);
		cr_assert_str_eq(e.field, "node_country");
	}
	cr_assert_str_eq(c.node_country, "KZ");
	cr_assert_eq(cv_config_set(&c, "node_country", "TJ", NULL), CV_OK);
	cr_assert_str_eq(c.node_country, "TJ");
}

Test(config, log_level_must_be_a_known_level)
{
	static const char *const good[] = {"debug", "info", "warn", "error", "off"};
	static const char *const garbage[] = {"", "verbose", "warning", "inf", "info ", "3"};
	struct cv_config c;

	cv_config_defaults(&c);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr_assert_eq(cv_config_set(&c, "log_level", good[i], NULL), CV_OK, "%s", good[i]);
		cr_assert_str_eq(c.log_level, good[i]);
	}
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		cr_assert_eq(cv_config_set(&c, "log_level", garbage[i], NULL), CV_EINVAL,
			     "accepted \"%s\"", garbage[i]);
	cr_assert_str_eq(c.log_level, "off");
}

Test(config, listen_must_be_host_colon_port)
{
	static const char *const garbage[] = {"",
					      "localhost",
					      "8080",
					      ":8080",
					      "127.0.0.1:",
					      "127.0.0.1:http",
					      "127.0.0.1:80x",
					      "127.0.0.1:-1",
					      "127.0.0.1:65536",
					      "127.0.0.1:99999999999999999999",
					      "127.0.0.1:8080:"};
	struct cv_config c;
	struct cv_error e;

	cv_config_defaults(&c);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		cv_error_clear(&e);
		cr_assert_eq(cv_config_set(&c, "listen", garbage[i], &e), CV_EINVAL,
			     "accepted \"%s\"", garbage[i]);
		cr_assert_str_eq(e.field, "listen");
	}
	cr_assert_str_eq(c.listen, "127.0.0.1:8080");
	cr_assert_eq(cv_config_set(&c, "listen", "0.0.0.0:0", NULL), CV_OK);
	cr_assert_str_eq(c.listen, "0.0.0.0:0");
}

Test(config, listen_split_gives_host_and_port)
{
	char host[64];
	int port = -1;

	cr_assert_eq(cv_config_listen_split("10.0.0.5:8443", host, sizeof(host), &port), CV_OK);
	cr_assert_str_eq(host, "10.0.0.5");
	cr_assert_eq(port, 8443);
	cr_assert_eq(cv_config_listen_split("localhost:65535", host, sizeof(host), &port), CV_OK);
	cr_assert_str_eq(host, "localhost");
	cr_assert_eq(port, 65535);
}

Test(config, listen_split_rejects_host_too_long_for_the_buffer)
{
	char host[8];
	int port;

	cr_assert_eq(cv_config_listen_split("1234567:80", host, sizeof(host), &port), CV_OK);
	cr_assert_str_eq(host, "1234567");
	cr_assert_eq(cv_config_listen_split("12345678:80", host, sizeof(host), &port), CV_EINVAL);
}

Test(config, database_url_must_name_a_known_engine)
{
	static const char *const garbage[] =
		{"",         "sqlite",       "var/caravan.db", "mysql://db/x", "file:caravan.db",
		 "SQLite:x", "postgresql:/x"};
	struct cv_config c;
	struct cv_error e;

	cv_config_defaults(&c);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		cv_error_clear(&e);
		cr_assert_eq(cv_config_set(&c, "db", garbage[i], &e), CV_EINVAL, "accepted \"%s\"",
			     garbage[i]);
		cr_assert_str_eq(e.field, "db");
	}
	cr_assert_str_eq(c.db, "sqlite:var/caravan.db");
	cr_assert_eq(cv_config_set(&c, "db", "sqlite:/tmp/x.db", NULL), CV_OK);
	cr_assert_eq(cv_config_set(&c, "db", "postgresql://u@h/caravan", NULL), CV_OK);
	cr_assert_eq(cv_config_set(&c, "db", "postgres://u@h/caravan", NULL), CV_OK);
}

Test(config, too_long_string_is_rejected_and_old_value_kept)
{
	struct cv_config c;
	struct cv_error e;
	char long_value[CV_CONFIG_STR + 10];

	memset(long_value, 'n', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	cv_config_defaults(&c);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_set(&c, "node_name", "Customs", NULL), CV_OK);
	cr_assert_eq(cv_config_set(&c, "node_name", long_value, &e), CV_EINVAL);
	cr_assert_str_eq(e.field, "node_name");
	cr_assert_str_eq(c.node_name, "Customs");
	long_value[CV_CONFIG_STR - 1] = '\0'; /* exactly the longest that fits */
	cr_assert_eq(cv_config_set(&c, "node_name", long_value, NULL), CV_OK);
	cr_assert_eq(strlen(c.node_name), CV_CONFIG_STR - 1);
}

Test(config, file_sets_keys_skipping_comments_and_blank_lines)
{
	struct cv_config c;
	struct cv_error e;

	config_write_file("# caravan node\n"
			  "\n"
			  "   listen = 0.0.0.0:9090   \n"
			  "node_name = \"Customs of Uzbekistan\"\n"
			  "\t# indented comment\n"
			  "NODE_COUNTRY=UZ\r\n"
			  "max_body=2M\n"
			  "threads=8"); /* no final newline */
	cv_config_defaults(&c);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_load_file(&c, config_path, &e), CV_OK, "%s", e.message);
	cr_assert_str_eq(c.listen, "0.0.0.0:9090");
	cr_assert_str_eq(c.node_name, "Customs of Uzbekistan");
	cr_assert_str_eq(c.node_country, "UZ");
	cr_assert_eq(c.max_body, 2 * 1024 * 1024);
	cr_assert_eq(c.threads, 8);
	cr_assert_str_eq(c.db, "sqlite:var/caravan.db", "unset keys keep their defaults");
}

Test(config, config_file_line_without_equals_names_the_line)
{
	struct cv_config c;
	struct cv_error e;
	char where[128];

	config_write_file("# comment\nthreads=4\nlisten 0.0.0.0:80\nthreads=9\n");
	cv_config_defaults(&c);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_load_file(&c, config_path, &e), CV_EINVAL);
	snprintf(where, sizeof(where), "%s:3", config_path);
	cr_assert(strstr(e.message, where) != NULL, "message \"%s\" lacks %s", e.message, where);
	cr_assert_eq(c.threads, 4, "lines after the bad one are not applied");
}

Test(config, config_file_bad_value_names_line_and_key)
{
	struct cv_config c;
	struct cv_error e;
	char where[128];

	config_write_file("listen=127.0.0.1:1\n\nthreads = many\n");
	cv_config_defaults(&c);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_load_file(&c, config_path, &e), CV_EINVAL);
	snprintf(where, sizeof(where), "%s:3:", config_path);
	cr_assert(strstr(e.message, where) != NULL, "message \"%s\" lacks %s", e.message, where);
	cr_assert(strstr(e.message, "many") != NULL, "%s", e.message);
	cr_assert_str_eq(e.field, "threads");
}

Test(config, config_file_unknown_key_is_rejected)
{
	struct cv_config c;
	struct cv_error e;

	config_write_file("colour=blue\n");
	cv_config_defaults(&c);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_load_file(&c, config_path, &e), CV_EINVAL);
	cr_assert(strstr(e.message, ":1:") != NULL, "%s", e.message);
	cr_assert(strstr(e.message, "colour") != NULL, "%s", e.message);
}

Test(config, config_file_garbage_lines_are_rejected)
{
	static const char *const garbage[] = {"=5\n",          "threads\n",
					      "threads=\n",    "node_country=\"KZ\n",
					      "listen=\"\"\n", "\x01\x02\x03\n"};
	struct cv_config c;

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		config_write_file(garbage[i]);
		cv_config_defaults(&c);
		cr_assert_eq(cv_config_load_file(&c, config_path, NULL), CV_EINVAL,
			     "accepted line %zu", i);
		unlink(config_path);
		config_path[0] = '\0';
	}
}

Test(config, long_comment_line_never_sets_a_key)
{
	struct cv_config c;
	char content[3000];
	int rc;

	/* A comment longer than any line buffer, whose tail looks like a setting. */
	memset(content, 'x', sizeof(content));
	content[0] = '#';
	snprintf(content + 1023, sizeof(content) - 1023, "threads=7\nlisten=127.0.0.1:9\n");
	config_write_file(content);
	cv_config_defaults(&c);
	rc = cv_config_load_file(&c, config_path, NULL);
	cr_assert_eq(c.threads, 8, "the tail of a comment was read as a setting (rc %d)", rc);
}

Test(config, missing_file_is_an_io_error_naming_the_path)
{
	struct cv_config c;
	struct cv_error e;

	cv_config_defaults(&c);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_load_file(&c, "/tmp/cv-config-does-not-exist/x.conf", &e), CV_EIO);
	cr_assert(strstr(e.message, "/tmp/cv-config-does-not-exist/x.conf") != NULL, "%s",
		  e.message);
}

Test(config, env_overrides_file_and_flag_overrides_env)
{
	struct cv_config c;

	config_write_file("threads=4\nnode_country=UZ\nlog_level=debug\n");
	setenv("CARAVAN_THREADS", "6", 1);
	setenv("CARAVAN_LOG_LEVEL", "warn", 1);
	cv_config_defaults(&c);
	cr_assert_eq(cv_config_load_file(&c, config_path, NULL), CV_OK);
	cr_assert_eq(cv_config_load_env(&c, NULL), CV_OK);
	cr_assert_eq(cv_config_set(&c, "log-level", "error", NULL), CV_OK); /* --log-level */
	cr_assert_eq(c.threads, 6, "env beats file");
	cr_assert_str_eq(c.node_country, "UZ", "file beats default");
	cr_assert_str_eq(c.log_level, "error", "flag beats env");
}

Test(config, every_key_has_an_environment_variable)
{
	struct cv_config c;

	setenv("CARAVAN_LISTEN", "0.0.0.0:1", 1);
	setenv("CARAVAN_DB", "sqlite:/tmp/env.db", 1);
	setenv("CARAVAN_NODE_NAME", "Env", 1);
	setenv("CARAVAN_MAX_BODY", "3K", 1);
	setenv("CARAVAN_LOGIN_WINDOW_MINUTES", "30", 1);
	cv_config_defaults(&c);
	cr_assert_eq(cv_config_load_env(&c, NULL), CV_OK);
	cr_assert_str_eq(c.listen, "0.0.0.0:1");
	cr_assert_str_eq(c.db, "sqlite:/tmp/env.db");
	cr_assert_str_eq(c.node_name, "Env");
	cr_assert_eq(c.max_body, 3 * 1024);
	cr_assert_eq(c.login_window_minutes, 30);
}

Test(config, env_with_bad_value_is_rejected_naming_the_key)
{
	struct cv_config c;
	struct cv_error e;

	setenv("CARAVAN_NODE_COUNTRY", "Kazakhstan", 1);
	cv_config_defaults(&c);
	cv_error_clear(&e);
	cr_assert_eq(cv_config_load_env(&c, &e), CV_EINVAL);
	cr_assert_str_eq(e.field, "node_country");
	cr_assert(strstr(e.message, "Kazakhstan") != NULL, "%s", e.message);
}

Test(config, help_lists_every_key_with_variable_and_default)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	cr_assert_not_null(out);
	cv_config_print_help(out);
	fclose(out);
	cr_assert(strstr(text, "CARAVAN_LISTEN") != NULL);
	cr_assert(strstr(text, "[127.0.0.1:8080]") != NULL);
	cr_assert(strstr(text, "CARAVAN_DB") != NULL);
	cr_assert(strstr(text, "CARAVAN_MAX_BODY") != NULL);
	cr_assert(strstr(text, "CARAVAN_LOGIN_WINDOW_MINUTES") != NULL);
	cr_assert(strstr(text, "tls_key") != NULL);
	free(text);
}
