/* test_buf.c — the growable buffer (base/buf.h). */
#include "base/buf.h"

#include "base/err.h"
#include "base/mem.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

static void buf_teardown(void) { cv_mem_fail_after(-1); }

TestSuite(buf, .fini = buf_teardown);

Test(buf, new_buffer_reads_as_empty_string)
{
	struct cv_buf b;

	cv_buf_init(&b);
	cr_assert_not_null(cv_buf_str(&b));
	cr_assert_str_eq(cv_buf_str(&b), "");
	cr_assert_eq(b.len, 0);
	cv_buf_release(&b);
}

Test(buf, appends_concatenate_into_a_nul_terminated_string)
{
	struct cv_buf b;

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_adds(&b, "GET "), CV_OK);
	cr_assert_eq(cv_buf_add(&b, "/healthzXXX", 8), CV_OK);
	cr_assert_eq(cv_buf_addch(&b, ' '), CV_OK);
	cr_assert_eq(cv_buf_addf(&b, "%d %s", 200, "ok"), CV_OK);
	cr_assert_str_eq(cv_buf_str(&b), "GET /healthz 200 ok");
	cr_assert_eq(b.len, strlen("GET /healthz 200 ok"));
	cr_assert_eq(b.data[b.len], '\0');
	cv_buf_release(&b);
}

Test(buf, content_may_contain_nul_bytes)
{
	struct cv_buf b;
	static const char raw[] = {'a', '\0', 'b'};

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_add(&b, raw, sizeof(raw)), CV_OK);
	cr_assert_eq(b.len, 3);
	cr_assert_eq(memcmp(b.data, raw, 3), 0);
	cr_assert_eq(b.data[3], '\0');
	cv_buf_release(&b);
}

Test(buf, long_content_grows_past_initial_capacity)
{
	struct cv_buf b;

	cv_buf_init(&b);
	for (int i = 0; i < 10000; i++)
		cr_assert_eq(cv_buf_addch(&b, (char)('a' + i % 26)), CV_OK);
	cr_assert_eq(b.len, 10000);
	cr_assert_eq(strlen(cv_buf_str(&b)), 10000);
	for (int i = 0; i < 10000; i++)
		cr_assert_eq(b.data[i], (char)('a' + i % 26), "byte %d", i);
	cr_assert_eq(cv_buf_addf(&b, "%5000s", "x"), CV_OK);
	cr_assert_eq(b.len, 15000);
	cr_assert_eq(b.data[14999], 'x');
	cv_buf_release(&b);
}

Test(buf, empty_format_appends_nothing)
{
	struct cv_buf b;

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_adds(&b, "abc"), CV_OK);
	cr_assert_eq(cv_buf_addf(&b, "%s", ""), CV_OK);
	cr_assert_str_eq(cv_buf_str(&b), "abc");
	cr_assert_eq(b.len, 3);
	cv_buf_release(&b);
}

Test(buf, reset_forgets_content_and_keeps_memory)
{
	struct cv_buf b;
	char *data;
	size_t cap;

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_adds(&b, "some content"), CV_OK);
	data = b.data;
	cap = b.cap;
	cv_buf_reset(&b);
	cr_assert_str_eq(cv_buf_str(&b), "");
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.data, data);
	cr_assert_eq(b.cap, cap);
	cr_assert_eq(cv_buf_adds(&b, "new"), CV_OK);
	cr_assert_str_eq(cv_buf_str(&b), "new");
	cv_buf_release(&b);
}

Test(buf, release_returns_buffer_to_empty_and_reusable)
{
	struct cv_buf b;

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_adds(&b, "content"), CV_OK);
	cv_buf_release(&b);
	cr_assert_null(b.data);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(cv_buf_str(&b), "");
	cr_assert_eq(cv_buf_adds(&b, "again"), CV_OK);
	cr_assert_str_eq(cv_buf_str(&b), "again");
	cv_buf_release(&b);
}

Test(buf, detach_hands_over_the_string_and_empties_the_buffer)
{
	struct cv_buf b;
	size_t len = 0;
	char *s;

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_adds(&b, "hello"), CV_OK);
	s = cv_buf_detach(&b, &len);
	cr_assert_str_eq(s, "hello");
	cr_assert_eq(len, 5);
	cr_assert_eq(b.len, 0);
	cr_assert_null(b.data);
	cr_assert_str_eq(cv_buf_str(&b), "");
	cv_free(s);
}

Test(buf, detach_of_empty_buffer_gives_an_empty_heap_string)
{
	struct cv_buf b;
	size_t len = 99;
	char *s;

	cv_buf_init(&b);
	s = cv_buf_detach(&b, &len);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "");
	cr_assert_eq(len, 0);
	cv_free(s);
}

Test(buf, grow_reserves_room_without_changing_content)
{
	struct cv_buf b;

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_adds(&b, "abc"), CV_OK);
	cr_assert_eq(cv_buf_grow(&b, 1000), CV_OK);
	cr_assert_geq(b.cap, 3 + 1000 + 1);
	cr_assert_str_eq(cv_buf_str(&b), "abc");
	cr_assert_eq(b.len, 3);
	cv_buf_release(&b);
}

Test(buf, grow_beyond_the_address_space_fails_with_enomem)
{
	struct cv_buf b;

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_grow(&b, SIZE_MAX), CV_ENOMEM, "empty buffer, extra SIZE_MAX");
	cr_assert_eq(cv_buf_adds(&b, "hello"), CV_OK);
	cr_assert_eq(cv_buf_grow(&b, SIZE_MAX), CV_ENOMEM, "5 bytes used, extra SIZE_MAX");
	cr_assert_eq(cv_buf_grow(&b, SIZE_MAX - 5), CV_ENOMEM, "5 bytes used, extra SIZE_MAX-5");
	cr_assert_str_eq(cv_buf_str(&b), "hello");
	cv_buf_release(&b);
}

Test(buf, buf_append_failure_leaves_buffer_unchanged)
{
	struct cv_buf b;
	char big[200];
	char *data;

	memset(big, 'x', sizeof(big));
	cv_buf_init(&b);
	cr_assert_eq(cv_buf_adds(&b, "hello"), CV_OK);
	data = b.data;

	cv_mem_fail_after(0);
	cr_assert_eq(cv_buf_add(&b, big, sizeof(big)), CV_ENOMEM);
	cr_assert_eq(cv_buf_addf(&b, "%200s", "y"), CV_ENOMEM);
	cr_assert_eq(cv_buf_grow(&b, 1000), CV_ENOMEM);
	cr_assert_eq(b.data, data);
	cr_assert_eq(b.len, 5);
	cr_assert_str_eq(cv_buf_str(&b), "hello");

	cv_mem_fail_after(-1);
	cr_assert_eq(cv_buf_add(&b, big, sizeof(big)), CV_OK);
	cr_assert_eq(b.len, 205);
	cr_assert_eq(strncmp(cv_buf_str(&b), "helloxxx", 8), 0);
	cv_buf_release(&b);
}

Test(buf, first_append_failure_leaves_buffer_empty)
{
	struct cv_buf b;

	cv_buf_init(&b);
	cv_mem_fail_after(0);
	cr_assert_eq(cv_buf_adds(&b, "hello"), CV_ENOMEM);
	cr_assert_eq(cv_buf_addch(&b, 'x'), CV_ENOMEM);
	cv_mem_fail_after(-1);
	cr_assert_null(b.data);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(cv_buf_str(&b), "");
}
