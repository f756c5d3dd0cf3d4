/*
 * fuzz_config.c — cv_config_load_file() on arbitrary file contents.
 *
 * The configuration file is written by an operator, but a typo, a binary
 * file given by mistake or an overlong line must end in an error naming the
 * line, never in a crash. The input is written to one temporary file that
 * each run rewrites.
 */
#include "base/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/caravan-fuzz-config-XXXXXX";

static void remove_file(void) { unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct cv_config config;
	struct cv_error err;
	int rc;

	if (fd < 0) {
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		atexit(remove_file);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	cv_config_defaults(&config);
	cv_error_clear(&err);
	rc = cv_config_load_file(&config, path, &err);
	/* A failure always says what went wrong. */
	if (rc != CV_OK && (err.code != rc || err.message[0] == '\0'))
		abort();
	/* What was accepted stays within its bounds. */
	if (strlen(config.node_country) != 2 || config.threads < 1 || config.max_body < 1)
		abort();
	return 0;
}
