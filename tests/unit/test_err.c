/* test_err.c — the error convention (base/err.h). */
#include "base/err.h"

#include <criterion/criterion.h>
#include <string.h>

Test(err, set_fills_code_field_and_message_and_returns_code)
{
	struct cv_error e;

	cv_error_clear(&e);
	cr_assert_eq(cv_error_set(&e, CV_EINVAL, "tin", "tin must be %d digits", 12), CV_EINVAL);
	cr_assert_eq(e.code, CV_EINVAL);
	cr_assert_str_eq(e.field, "tin");
	cr_assert_str_eq(e.message, "tin must be 12 digits");
}

Test(err, set_without_field_leaves_field_empty)
{
	struct cv_error e;

	cv_error_set(&e, CV_EINVAL, "old", "first");
	cv_error_set(&e, CV_ENOTFOUND, NULL, "second");
	cr_assert_str_eq(e.field, "");
	cr_assert_str_eq(e.message, "second");
}

Test(err, null_error_is_allowed_and_code_still_returned)
{
	cr_assert_eq(cv_error_set(NULL, CV_EDB, "db", "ignored %s", "x"), CV_EDB);
	cv_error_clear(NULL);
}

Test(err, clear_resets_to_no_error)
{
	struct cv_error e;

	cv_error_set(&e, CV_EPERM, "role", "nope");
	cv_error_clear(&e);
	cr_assert_eq(e.code, CV_OK);
	cr_assert_str_eq(e.field, "");
	cr_assert_str_eq(e.message, "");
}

Test(err, overlong_message_and_field_are_truncated_not_overflowed)
{
	struct cv_error e;
	char long_text[2000];

	memset(long_text, 'm', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	cv_error_set(&e, CV_EINVAL, long_text, "%s", long_text);
	cr_assert_eq(strlen(e.field), CV_ERROR_FIELD_MAX - 1);
	cr_assert_eq(strlen(e.message), CV_ERROR_MESSAGE_MAX - 1);
}

Test(err, every_code_has_its_own_name)
{
	static const int codes[] = {CV_OK,        CV_ENOMEM, CV_EINVAL,       CV_ENOTFOUND,
				    CV_ECONFLICT, CV_EDB,    CV_EIO,          CV_EPERM,
				    CV_EAUTH,     CV_EBUSY,  CV_EUNSUPPORTED, CV_EINTERNAL};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++) {
		cr_assert_str_neq(cv_strerror(codes[i]), "unknown error", "code %d", codes[i]);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(cv_strerror(codes[i]), cv_strerror(codes[j]));
	}
	cr_assert_str_eq(cv_strerror(CV_ENOTFOUND), "not found");
	cr_assert_str_eq(cv_strerror(-999), "unknown error");
	cr_assert_str_eq(cv_strerror(7), "unknown error");
}
