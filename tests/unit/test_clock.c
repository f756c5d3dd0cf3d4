/* test_clock.c — time and RFC 3339 (base/clock.h). */
#include "base/clock.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

Test(clock, now_is_the_wall_clock_in_milliseconds)
{
	int64_t before = (int64_t)time(NULL) * 1000;
	int64_t now = cv_clock_now_ms();
	int64_t after = (int64_t)time(NULL) * 1000 + 1000;

	cr_assert_geq(now, before);
	cr_assert_leq(now, after);
}

Test(clock, monotonic_clock_never_goes_back)
{
	int64_t prev = cv_clock_monotonic_ns();

	for (int i = 0; i < 1000; i++) {
		int64_t t = cv_clock_monotonic_ns();
		cr_assert_geq(t, prev);
		prev = t;
	}
}

Test(clock, formats_known_instants)
{
	char out[CV_RFC3339_MAX];

	cr_assert_eq(cv_clock_format_rfc3339_ms(0, out, sizeof(out)), CV_OK);
	cr_assert_str_eq(out, "1970-01-01T00:00:00.000Z");
	cr_assert_eq(cv_clock_format_rfc3339_ms(1700000000123, out, sizeof(out)), CV_OK);
	cr_assert_str_eq(out, "2023-11-14T22:13:20.123Z");
	cr_assert_eq(cv_clock_format_rfc3339(1700000000999, out, sizeof(out)), CV_OK);
	cr_assert_str_eq(out, "2023-11-14T22:13:20Z");
	cr_assert_eq(cv_clock_format_rfc3339_ms(-1, out, sizeof(out)), CV_OK);
	cr_assert_str_eq(out, "1969-12-31T23:59:59.999Z");
	cr_assert_eq(cv_clock_format_rfc3339_ms(-1000, out, sizeof(out)), CV_OK);
	cr_assert_str_eq(out, "1969-12-31T23:59:59.000Z");
}

Test(clock, format_into_too_small_buffer_is_rejected)
{
	char out[CV_RFC3339_MAX];

	cr_assert_eq(cv_clock_format_rfc3339_ms(0, out, 24), CV_EINVAL); /* needs 25 */
	cr_assert_eq(cv_clock_format_rfc3339_ms(0, out, 25), CV_OK);
	cr_assert_eq(cv_clock_format_rfc3339(0, out, 20), CV_EINVAL); /* needs 21 */
	cr_assert_eq(cv_clock_format_rfc3339(0, out, 21), CV_OK);
}

Test(clock, rfc3339_round_trip)
{
	static const int64_t samples[] = {0,
					  1,
					  999,
					  1000,
					  -1,
					  -86400001,
					  951782400000, /* 2000-02-29 */
					  1700000000123,
					  4102444799999, /* 2099-12-31 */
					  253402300799999 /* 9999-12-31T23:59:59.999 */};
	char out[CV_RFC3339_MAX];
	int64_t back;

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		cr_assert_eq(cv_clock_format_rfc3339_ms(samples[i], out, sizeof(out)), CV_OK);
		cr_assert_eq(cv_clock_parse_rfc3339(out, &back), CV_OK, "%s", out);
		cr_assert_eq(back, samples[i], "%s", out);
	}
	int64_t now = cv_clock_now_ms();
	cr_assert_eq(cv_clock_format_rfc3339_ms(now, out, sizeof(out)), CV_OK);
	cr_assert_eq(cv_clock_parse_rfc3339(out, &back), CV_OK);
	cr_assert_eq(back, now);
	cr_assert_eq(cv_clock_format_rfc3339(now, out, sizeof(out)), CV_OK);
	cr_assert_eq(cv_clock_parse_rfc3339(out, &back), CV_OK);
	cr_assert_eq(back, now - now % 1000);
}

Test(clock, offsets_are_converted_to_utc)
{
	int64_t utc, east, west;

	cr_assert_eq(cv_clock_parse_rfc3339("2026-01-01T00:00:00Z", &utc), CV_OK);
	cr_assert_eq(cv_clock_parse_rfc3339("2026-01-01T05:30:00+05:30", &east), CV_OK);
	cr_assert_eq(cv_clock_parse_rfc3339("2025-12-31T23:00:00-01:00", &west), CV_OK);
	cr_assert_eq(east, utc);
	cr_assert_eq(west, utc);
	cr_assert_eq(utc, 1767225600000);
}

Test(clock, fractions_are_read_to_the_millisecond)
{
	int64_t ms;

	cr_assert_eq(cv_clock_parse_rfc3339("1970-01-01T00:00:00.5Z", &ms), CV_OK);
	cr_assert_eq(ms, 500);
	cr_assert_eq(cv_clock_parse_rfc3339("1970-01-01T00:00:01.123456789Z", &ms), CV_OK);
	cr_assert_eq(ms, 1123);
	cr_assert_eq(cv_clock_parse_rfc3339("1970-01-01T00:00:00.07+00:00", &ms), CV_OK);
	cr_assert_eq(ms, 70);
}

Test(clock, lower_case_t_and_z_are_accepted)
{
	int64_t ms;

	cr_assert_eq(cv_clock_parse_rfc3339("2023-11-14t22:13:20.123z", &ms), CV_OK);
	cr_assert_eq(ms, 1700000000123);
}

Test(clock, february_29_is_accepted_only_in_leap_years)
{
	int64_t ms;

	cr_assert_eq(cv_clock_parse_rfc3339("2024-02-29T00:00:00Z", &ms), CV_OK);
	cr_assert_eq(cv_clock_parse_rfc3339("2000-02-29T00:00:00Z", &ms), CV_OK);
	cr_assert_eq(cv_clock_parse_rfc3339("2025-02-29T00:00:00Z", &ms), CV_EINVAL);
	cr_assert_eq(cv_clock_parse_rfc3339("1900-02-29T00:00:00Z", &ms), CV_EINVAL);
	cr_assert_eq(cv_clock_parse_rfc3339("2024-02-30T00:00:00Z", &ms), CV_EINVAL);
}

Test(clock, garbage_timestamps_are_rejected)
{
	static const char *const garbage[] = {
		"",
		"2026",
		"2026-01-01",
		"2026-01-01T00:00:00",
		"2026-01-01T00:00:00 ",
		" 2026-01-01T00:00:00Z",
		"2026-01-01T00:00:00Zjunk",
		"2026-01-01T00:00:00ZZ",
		"2026/01/01T00:00:00Z",
		"2026-01-01X00:00:00Z",
		"2026-1-01T00:00:00Z",
		"26-01-01T00:00:00Z",
		"abcd-ef-ghTij:kl:mnZ",
		"2026-00-10T00:00:00Z",
		"2026-13-01T00:00:00Z",
		"2026-01-00T00:00:00Z",
		"2026-01-32T00:00:00Z",
		"2026-04-31T00:00:00Z",
		"2026-01-01T24:00:00Z",
		"2026-01-01T00:60:00Z",
		"2026-01-01T00:00:61Z",
		"2026-01-01T00:00:00.Z",
		"2026-01-01T00:00:00.12a3Z",
		"2026-01-01T00:00:00+0530",
		"2026-01-01T00:00:00+05",
		"2026-01-01T00:00:00+05:3",
		"2026-01-01T00:00:00+25:00",
		"2026-01-01T00:00:00+05:60",
		"2026-01-01T00:00:00+05:30:00",
		"2026-01-01T00:00:00UTC",
		"-026-01-01T00:00:00Z",
		"2026-01-01T00:00:00\nZ",
	};
	int64_t ms = 0;

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		cr_assert_eq(cv_clock_parse_rfc3339(garbage[i], &ms), CV_EINVAL, "accepted \"%s\"",
			     garbage[i]);
}

/*
 * Found by tests/fuzz/fuzz_clock: an offset could move a time past the years
 * RFC 3339 can write, and formatting then wrote "-001-12-31..." or
 * "10000-01-01...", which no parser (ours included) reads back.
 */
Test(clock, offsets_cannot_leave_the_years_0000_to_9999)
{
	int64_t ms = 0;
	char out[CV_RFC3339_MAX];

	cr_assert_eq(cv_clock_parse_rfc3339("0000-01-01T00:00:00+00:01", &ms), CV_EINVAL);
	cr_assert_eq(cv_clock_parse_rfc3339("9999-12-31T23:59:59-00:01", &ms), CV_EINVAL);
	cr_assert_eq(cv_clock_parse_rfc3339("0000-01-01T00:00:00Z", &ms), CV_OK);
	cr_assert_eq(cv_clock_format_rfc3339_ms(ms, out, sizeof(out)), CV_OK);
	cr_assert_str_eq(out, "0000-01-01T00:00:00.000Z");
	cr_assert_eq(cv_clock_parse_rfc3339("9999-12-31T23:59:59.999Z", &ms), CV_OK);
	cr_assert_eq(cv_clock_format_rfc3339_ms(ms, out, sizeof(out)), CV_OK);
	cr_assert_str_eq(out, "9999-12-31T23:59:59.999Z");
}

Test(clock, instants_outside_the_years_0000_to_9999_are_not_formatted)
{
	char out[CV_RFC3339_MAX], date[CV_DATE_MAX];
	int64_t first = 0, last = 0;

	cr_assert_eq(cv_clock_parse_rfc3339("0000-01-01T00:00:00Z", &first), CV_OK);
	cr_assert_eq(cv_clock_parse_rfc3339("9999-12-31T23:59:59.999Z", &last), CV_OK);
	cr_assert_eq(cv_clock_format_rfc3339_ms(first - 1, out, sizeof(out)), CV_EINVAL);
	cr_assert_eq(cv_clock_format_rfc3339(last + 1, out, sizeof(out)), CV_EINVAL);
	cr_assert_eq(cv_date_add_days("9999-12-31", 1, date), CV_EINVAL);
	cr_assert_eq(cv_date_add_days("9999-12-30", 1, date), CV_OK);
	cr_assert_str_eq(date, "9999-12-31");
}

Test(clock, an_override_fixes_now_until_it_is_cleared)
{
	int64_t before = (int64_t)time(NULL) * 1000;

	cv_clock_override(1700000000123);
	cr_assert_eq(cv_clock_now_ms(), 1700000000123);
	cr_assert_eq(cv_clock_now_ms(), 1700000000123, "it does not tick");
	cr_assert_geq(cv_clock_wall_ms(), before, "the wall clock goes on");
	cv_clock_override(0);
	cr_assert_geq(cv_clock_now_ms(), before, "back to the wall clock");
}
