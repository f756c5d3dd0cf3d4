/* test_file.c — reading a file whole (base/file.h). */
#include "base/file.h"

#include "base/err.h"
#include "base/mem.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX 1024

static char path[] = "/tmp/cv-file-XXXXXX";

static void file_teardown(void)
{
	cv_mem_fail_after(-1);
	unlink(path);
}

TestSuite(file, .fini = file_teardown);

/* Create the test's temporary file holding size bytes of content. */
static void write_temp(const char *content, size_t size)
{
	int fd = mkstemp(path);
	FILE *f;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(content, 1, size, f), size);
	cr_assert_eq(fclose(f), 0);
}

Test(file, a_file_is_read_whole_and_followed_by_a_nul)
{
	static const char content[] = "a,b\n\0c\n";
	struct cv_error err;
	char *data;
	size_t size;

	write_temp(content, sizeof(content) - 1);
	cr_assert_eq(cv_file_read(path, MAX, NULL, &data, &size, &err), CV_OK, "%s", err.message);
	cr_assert_eq(size, sizeof(content) - 1);
	cr_assert_eq(memcmp(data, content, size), 0);
	cr_assert_eq(data[size], '\0');
	cv_free(data);
}

Test(file, an_empty_file_reads_as_an_empty_string)
{
	struct cv_error err;
	char *data;
	size_t size = 1;

	write_temp("", 0);
	cr_assert_eq(cv_file_read(path, MAX, NULL, &data, &size, &err), CV_OK, "%s", err.message);
	cr_assert_eq(size, 0);
	cr_assert_str_eq(data, "");
	cv_free(data);
}

Test(file, a_missing_file_is_not_found_naming_its_path)
{
	struct cv_error err;
	char *data;
	size_t size;

	cr_assert_eq(cv_file_read("/nonexistent/list.csv", MAX, "list", &data, &size, &err),
		     CV_ENOTFOUND);
	cr_assert_null(data);
	cr_assert_str_eq(err.field, "list");
	cr_assert(strstr(err.message, "cannot read /nonexistent/list.csv: ") != NULL, "%s",
		  err.message);
	/* A file where a folder should be: the file is not there either. */
	write_temp("x", 1);
	{
		char under[64];
		int n = snprintf(under, sizeof(under), "%s/list.csv", path);

		cr_assert(n > 0 && (size_t)n < sizeof(under));
		cr_assert_eq(cv_file_read(under, MAX, NULL, &data, &size, &err), CV_ENOTFOUND);
		cr_assert_str_eq(err.field, under, "the field defaults to the path");
	}
}

Test(file, a_folder_is_not_a_regular_file)
{
	struct cv_error err;
	char *data;
	size_t size;

	cr_assert_eq(cv_file_read("/tmp", MAX, NULL, &data, &size, &err), CV_EIO);
	cr_assert_null(data);
	cr_assert_str_eq(err.message, "/tmp is not a regular file");
}

Test(file, a_file_larger_than_the_limit_is_refused)
{
	struct cv_error err;
	char *data;
	size_t size;

	write_temp("0123456789", 10);
	cr_assert_eq(cv_file_read(path, 9, NULL, &data, &size, &err), CV_EINVAL);
	cr_assert_null(data);
	cr_assert(strstr(err.message, "is larger than 9 bytes") != NULL, "%s", err.message);
	cr_assert_eq(cv_file_read(path, 10, NULL, &data, &size, &err), CV_OK, "%s", err.message);
	cv_free(data);
}

Test(file, allocation_failure_is_out_of_memory)
{
	struct cv_error err;
	char *data;
	size_t size;

	write_temp("abc", 3);
	cv_mem_fail_after(0);
	cr_assert_eq(cv_file_read(path, MAX, NULL, &data, &size, &err), CV_ENOMEM);
	cv_mem_fail_after(-1);
	cr_assert_null(data);
	cr_assert(strstr(err.message, "out of memory reading ") != NULL, "%s", err.message);
}
