/* test_roles.c — least privilege in the role/permission table, and passwords. */
#include "auth/roles.h"
#include "auth/users.h"
#include "base/ids.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(roles);

Test(roles, every_role_name_round_trips)
{
	for (int i = 0; i < ROLE_COUNT; i++) {
		enum auth_role r;
		cr_assert_eq(auth_role_parse(auth_role_name((enum auth_role)i), &r), 0);
		cr_assert_eq((int)r, i);
	}
	{
		enum auth_role r;
		cr_assert_neq(auth_role_parse("root", &r), 0);
		cr_assert_neq(auth_role_parse("", &r), 0);
		cr_assert_neq(auth_role_parse("Admin", &r), 0);
	}
}

Test(roles, only_admin_may_write_users)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		cr_assert_eq(auth_role_can((enum auth_role)i, PERM_USERS_WRITE), i == ROLE_ADMIN,
			     "role %s", auth_role_name((enum auth_role)i));
}

Test(roles, auditor_reads_users_and_audit_but_writes_nothing)
{
	cr_assert(auth_role_can(ROLE_AUDITOR, PERM_AUDIT_READ));
	cr_assert(auth_role_can(ROLE_AUDITOR, PERM_USERS_READ));
	cr_assert_not(auth_role_can(ROLE_AUDITOR, PERM_USERS_WRITE));
}

Test(roles, traders_and_partners_cannot_read_users_or_audit)
{
	cr_assert_not(auth_role_can(ROLE_TRADER, PERM_USERS_READ));
	cr_assert_not(auth_role_can(ROLE_TRADER, PERM_AUDIT_READ));
	cr_assert_not(auth_role_can(ROLE_PARTNER, PERM_USERS_READ));
	cr_assert_not(auth_role_can(ROLE_PGA_OFFICER, PERM_AUDIT_READ));
}

Test(roles, out_of_range_values_hold_nothing)
{
	cr_assert_not(auth_role_can((enum auth_role)99, PERM_PUBLIC));
	cr_assert_not(auth_role_can(ROLE_ADMIN, (enum auth_permission)99));
}

Test(roles, password_hash_is_argon2id_and_verifies_only_the_right_password, .timeout = 120)
{
	char hash[AUTH_HASH_MAX];

	cr_assert_eq(cv_ids_init(), 0);
	cr_assert_eq(auth_password_hash("correct horse battery", hash, NULL), 0);
	cr_assert(strncmp(hash, "$argon2id$", 10) == 0, "%s", hash);
	cr_assert(auth_password_matches(hash, "correct horse battery"));
	cr_assert_not(auth_password_matches(hash, "correct horse batterY"));
	cr_assert_not(auth_password_matches("garbage", "correct horse battery"));
	cr_assert_not(auth_password_matches(NULL, "x"));
}

Test(roles, short_and_long_passwords_are_refused_naming_the_field)
{
	struct cv_error err;
	char longpw[AUTH_PASSWORD_MAX + 2];

	cr_assert_eq(auth_password_validate("short", &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "password");
	memset(longpw, 'a', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	cr_assert_eq(auth_password_validate(longpw, &err), CV_EINVAL);
	cr_assert_eq(auth_password_validate(NULL, &err), CV_EINVAL);
}

Test(roles, agencies_read_declarations_but_not_their_duties)
{
	cr_assert(auth_role_can(ROLE_PGA_OFFICER, PERM_DECLARATIONS_READ));
	cr_assert_not(auth_role_can(ROLE_PGA_OFFICER, PERM_DUTIES_READ));
	cr_assert(auth_role_can(ROLE_TRADER, PERM_DUTIES_READ));
	cr_assert(auth_role_can(ROLE_BORDER_OFFICER, PERM_DUTIES_READ));
	cr_assert_not(auth_role_can(ROLE_PARTNER, PERM_DECLARATIONS_READ));
	cr_assert_str_eq(auth_permission_name(PERM_DUTIES_READ), "duties.read");
}
