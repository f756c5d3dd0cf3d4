/*
 * test_aeo.c — the AEO programme through the API: the operator registry
 * with trader isolation, and the application lifecycle with its clocks.
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(aeo, .init = start, .fini = stop, .timeout = 120);

/* Send as user (bearer token) and return the status; *out (may be NULL) keeps the response. */
/* A JSON request to this suite's server as a demo user (support/server.h). */
#define call(...) test_call(&srv, __VA_ARGS__)

static const char *str(const struct test_response *r, const char *key)
{
	return json_string_value(json_object_get(r->json, key));
}

static void sql(const char *statement)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"%s\"", srv.db_path, statement);
	cr_assert_eq(system(cmd), 0, "%s", statement);
}

/* The id of an operator by TIN, as customs sees it. */
static void operator_id(const char *tin, char *out, size_t size)
{
	struct test_response r;
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/operators/%s", tin);
	cr_assert_eq(call("aeo.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	snprintf(out, size, "%s", str(&r, "id"));
	test_response_free(&r);
}

static void new_application(const char *user, const char *body, char *id, size_t size)
{
	struct test_response r;

	cr_assert_eq(call(user, "POST", "/api/v1/applications", body, &r), 201, "%s", r.body);
	cr_assert_str_eq(str(&r, "state"), "draft");
	snprintf(id, size, "%s", str(&r, "id"));
	test_response_free(&r);
	if (!strcmp(user, "trader"))
		test_fill_saq(&srv, id);
}

static long act(const char *user, const char *id, const char *action, const char *reason,
		struct test_response *out)
{
	char path[128], body[512];

	snprintf(path, sizeof(path), "/api/v1/applications/%s/transitions", id);
	if (reason)
		snprintf(body, sizeof(body), "{\"action\":\"%s\",\"reason\":\"%s\"}", action,
			 reason);
	else
		snprintf(body, sizeof(body), "{\"action\":\"%s\"}", action);
	return call(user, "POST", path, body, out);
}

Test(aeo, trader_sees_only_its_own_operator_others_are_404)
{
	struct test_response r;
	char other[64], path[128];

	cr_assert_eq(call("trader", "GET", "/api/v1/operators", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	test_response_free(&r);
	operator_id("KZ987654321098", other, sizeof(other));
	snprintf(path, sizeof(path), "/api/v1/operators/%s", other);
	cr_assert_eq(call("trader", "GET", path, NULL, NULL), 404);
	cr_assert_eq(call("trader", "PATCH", path, "{\"name\":\"Hijacked\"}", NULL), 404);
	cr_assert_eq(call("trader", "GET", "/api/v1/operators/KZ123456789012", NULL, NULL), 200);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, NULL), 200);
	cr_assert_eq(call("partner.uz", "GET", path, NULL, NULL), 403);
}

Test(aeo, trader_edits_its_own_operator_but_not_its_number)
{
	struct test_response r;

	cr_assert_eq(call("trader", "PATCH", "/api/v1/operators/KZ123456789012",
			  "{\"address\":\"1 New Street, Almaty\",\"roles\":[\"importer\"]}", &r),
		     200, "%s", r.body);
	cr_assert_str_eq(str(&r, "address"), "1 New Street, Almaty");
	cr_assert_eq(json_array_size(json_object_get(r.json, "roles")), 1, "%s", r.body);
	cr_assert_str_eq(str(&r, "name"), "Steppe Trading LLP");
	test_response_free(&r);
	cr_assert_eq(call("trader", "PATCH", "/api/v1/operators/KZ123456789012",
			  "{\"tin\":\"KZ000000000000\"}", NULL),
		     422);
}

Test(aeo, customs_registers_an_operator_with_a_checked_number)
{
	struct test_response r;
	json_t *errors;
	char *location;

	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ12345\",\"country\":\"KZ\",\"name\":\"Short Number LLP\",\"roles\":[\"importer\"]}",
			  &r),
		     422);
	errors = json_object_get(r.json, "errors");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
			 "tin");
	cr_assert(strstr(r.body, "KZ123456789012"), "the message should give an example: %s",
		  r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ111122223333\",\"country\":\"KZ\",\"name\":\"Ақ Жол ЖШС\","
			  "\"roles\":[\"carrier\"],\"contacts\":[{\"name\":\"A\",\"email\":\"a@b.example\"}]}",
			  &r),
		     201, "%s", r.body);
	location = test_header(&r, "Location");
	cr_assert(location);
	free(location);
	test_response_free(&r);
	/* Other countries fall back to the EORI-style default format. */
	cr_assert_eq(call("admin", "POST", "/api/v1/operators",
			  "{\"tin\":\"DE1234567890\",\"country\":\"DE\",\"name\":\"Berlin GmbH\",\"roles\":[\"exporter\"]}",
			  NULL),
		     201);
	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ111122223333\",\"country\":\"KZ\",\"name\":\"Twin\",\"roles\":[\"carrier\"]}",
			  NULL),
		     409);
	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ111122224444\",\"country\":\"KZ\",\"name\":\"X\",\"roles\":[\"pirate\"]}",
			  NULL),
		     422);
	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ111122224444\",\"country\":\"KZ\",\"name\":\"X\",\"roles\":[\"carrier\"],\"contacts\":\"call me\"}",
			  NULL),
		     422);
	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"XX111122224444\",\"country\":\"XX\",\"name\":\"X\",\"roles\":[\"carrier\"]}",
			  NULL),
		     422);
	cr_assert_eq(call("trader", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ111122225555\",\"country\":\"KZ\",\"name\":\"Mine\",\"roles\":[\"carrier\"]}",
			  NULL),
		     422);
	cr_assert_eq(call("border.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ111122225555\",\"country\":\"KZ\",\"name\":\"Mine\",\"roles\":[\"carrier\"]}",
			  NULL),
		     403);
}

Test(aeo, search_finds_by_name_prefix_in_any_case_and_by_number_prefix)
{
	struct test_response r;

	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ111122223333\",\"country\":\"KZ\",\"name\":\"Ақ Жол ЖШС\",\"roles\":[\"carrier\"]}",
			  NULL),
		     201);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/operators?q=ALTYN", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/operators?q=%D0%B0%D2%9B", NULL, &r),
		     200); /* "ақ" */
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/operators?q=%D0%90%D2%9B", NULL, &r),
		     200); /* "Ақ" */
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/operators?q=kz5550", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/operators?limit=2", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 2);
	cr_assert(str(&r, "next_after"));
	test_response_free(&r);
}

Test(aeo, whole_lifecycle_from_draft_to_authorization_with_timeline)
{
	struct test_response r;
	char id[64], path[128];

	new_application("trader", "{\"type\":\"AEOF\",\"consent_mra\":true}", id, sizeof(id));
	cr_assert_eq(act("trader", id, "submit", NULL, &r), 200, "%s", r.body);
	cr_assert(str(&r, "accept_due"), "submission starts the acceptance clock");
	test_response_free(&r);
	cr_assert_eq(act("aeo.officer", id, "accept", NULL, &r), 200);
	cr_assert(str(&r, "decision_due"), "acceptance starts the decision clock");
	test_response_free(&r);
	cr_assert_eq(act("aeo.officer", id, "start_review", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "plan_validation", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "validate", NULL, NULL), 200);
	test_validate(&srv, id, "AEOF");
	cr_assert_eq(act("aeo.officer", id, "authorize", NULL, &r), 200, "%s", r.body);
	cr_assert_str_eq(str(&r, "state"), "authorized");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "authorization"),
							   "number")),
			 "KZAEOF0000000001");
	cr_assert(json_is_true(
		json_object_get(json_object_get(r.json, "authorization"), "consent_mra")));
	test_response_free(&r);

	snprintf(path, sizeof(path), "/api/v1/applications/%s", id);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "timeline")), 7, "%s", r.body);
	cr_assert_eq(json_array_size(json_object_get(r.json, "allowed_actions")), 0, "%s", r.body);
	cr_assert(json_object_get(r.json, "authorization"));
	test_response_free(&r);
	cr_assert_eq(act("trader", id, "withdraw", NULL, NULL), 409,
		     "no withdrawal after the decision");
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOF\"}", &r), 409,
		     "the holder of a valid AEOF cannot apply for another");
	cr_assert(strstr(r.body, "already holds"), "%s", r.body);
	test_response_free(&r);
}

Test(aeo, every_illegal_transition_is_409_naming_state_and_allowed_actions)
{
	static const char *const customs[] = {"accept",       "reject_incomplete",
					      "start_review", "plan_validation",
					      "validate",     "authorize",
					      "refuse"};
	static const char *const path[][2] = {{"draft", NULL},
					      {"submitted", "submit"},
					      {"accepted", "accept"},
					      {"under_review", "start_review"},
					      {"validation_planned", "plan_validation"},
					      {"validated", "validate"}};
	struct test_response r;
	char id[64];

	new_application("trader", "{\"type\":\"AEOC\"}", id, sizeof(id));
	for (size_t s = 0; s < sizeof(path) / sizeof(path[0]); s++) {
		if (path[s][1])
			cr_assert_eq(act(strcmp(path[s][1], "submit") ? "aeo.officer" : "trader",
					 id, path[s][1], NULL, NULL),
				     200);
		for (size_t a = 0; a < sizeof(customs) / sizeof(customs[0]); a++) {
			const char *next = s + 1 < sizeof(path) / sizeof(path[0]) ? path[s + 1][1]
										  : "authorize";
			if (!strcmp(customs[a], next) ||
			    (s == 1 && !strcmp(customs[a], "reject_incomplete")) ||
			    (s == 5 && !strcmp(customs[a], "refuse")))
				continue;
			cr_assert_eq(act("aeo.officer", id, customs[a], "because", &r), 409,
				     "%s from %s: %ld %s", customs[a], path[s][0], r.status, r.body);
			cr_assert(strstr(r.body, path[s][0]), "the message names the state: %s",
				  r.body);
			cr_assert(strstr(r.body, "allowed"), "%s", r.body);
			test_response_free(&r);
		}
		if (s > 0)
			cr_assert_eq(act("trader", id, "submit", NULL, NULL), 409);
	}
}

Test(aeo, each_side_takes_only_its_own_actions)
{
	char id[64];

	new_application("trader", "{\"type\":\"AEOS\"}", id, sizeof(id));
	cr_assert_eq(act("aeo.officer", id, "submit", NULL, NULL), 403);
	cr_assert_eq(act("trader", id, "submit", NULL, NULL), 200);
	cr_assert_eq(act("trader", id, "accept", NULL, NULL), 403);
	cr_assert_eq(act("aeo.officer", id, "fly", NULL, NULL), 422);
	cr_assert_eq(act("risk.analyst", id, "accept", NULL, NULL), 403);
	cr_assert_eq(act("aeo.officer", id, "reject_incomplete", NULL, NULL), 422,
		     "a rejection needs a reason");
	cr_assert_eq(act("aeo.officer", id, "reject_incomplete", "SAQ section 4 is empty", NULL),
		     200);
}

Test(aeo, applicant_may_withdraw_before_the_decision)
{
	struct test_response r;
	char id[64];

	new_application("trader", "{\"type\":\"AEOC\"}", id, sizeof(id));
	cr_assert_eq(act("trader", id, "submit", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "accept", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "start_review", NULL, NULL), 200);
	cr_assert_eq(act("trader", id, "withdraw", "we restructure", &r), 200);
	cr_assert_str_eq(str(&r, "state"), "withdrawn");
	test_response_free(&r);
	cr_assert_eq(act("aeo.officer", id, "plan_validation", NULL, &r), 409);
	cr_assert(strstr(r.body, "closed"), "%s", r.body);
	test_response_free(&r);
}

Test(aeo, one_open_application_per_type)
{
	char id[64];

	new_application("trader", "{\"type\":\"AEOC\"}", id, sizeof(id));
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOC\"}", NULL),
		     409);
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOS\"}", NULL),
		     201);
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOX\"}", NULL),
		     422);
	cr_assert_eq(call("trader", "POST", "/api/v1/applications",
			  "{\"type\":\"AEOF\",\"consent_mra\":\"yes\"}", NULL),
		     422);
}

Test(aeo, trader_cannot_see_or_touch_another_operators_application)
{
	char other[64], body[160], id[64], path[128];

	operator_id("KZ600700800900", other, sizeof(other)); /* Almaty Fresh Foods: no AEOF yet */
	snprintf(body, sizeof(body), "{\"type\":\"AEOF\",\"operator_id\":\"%s\"}", other);
	new_application("aeo.officer", body, id, sizeof(id));
	snprintf(path, sizeof(path), "/api/v1/applications/%s", id);
	cr_assert_eq(call("trader", "GET", path, NULL, NULL), 404);
	cr_assert_eq(act("trader", id, "withdraw", NULL, NULL), 404);
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", body, NULL), 404);
	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/applications", "{\"type\":\"AEOC\"}", NULL),
		     422, "customs must name the operator");
}

Test(aeo, decision_deadline_extends_once_with_a_reason)
{
	struct test_response r;
	char id[64], path[128];

	new_application("trader", "{\"type\":\"AEOF\"}", id, sizeof(id));
	snprintf(path, sizeof(path), "/api/v1/applications/%s/extension", id);
	cr_assert_eq(call("aeo.officer", "POST", path, "{\"days\":30,\"reason\":\"site visit\"}",
			  NULL),
		     409, "no decision clock runs before acceptance");
	cr_assert_eq(act("trader", id, "submit", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "accept", NULL, NULL), 200);
	sql("UPDATE aeo_applications SET decision_due = '2027-01-31'");
	cr_assert_eq(call("aeo.officer", "POST", path, "{\"days\":61,\"reason\":\"too long\"}", NULL),
		     422);
	cr_assert_eq(call("aeo.officer", "POST", path, "{\"days\":30}", NULL), 422);
	cr_assert_eq(call("trader", "POST", path, "{\"days\":30,\"reason\":\"please\"}", NULL), 403);
	cr_assert_eq(call("aeo.officer", "POST", path,
			  "{\"days\":60,\"reason\":\"on-site validation abroad\"}", &r),
		     200, "%s", r.body);
	cr_assert_str_eq(str(&r, "decision_due"), "2027-04-01");
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(r.json, "extension"), "reason")),
			 "on-site validation abroad");
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "POST", path, "{\"days\":5,\"reason\":\"again\"}", NULL),
		     409);
}

Test(aeo, overdue_and_due_soon_lists_for_the_aeo_unit)
{
	struct test_response r;
	char late[64], soon[64], fine[64], other[64], body[160];

	new_application("trader", "{\"type\":\"AEOC\"}", late, sizeof(late));
	new_application("trader", "{\"type\":\"AEOS\"}", soon, sizeof(soon));
	operator_id("KZ600700800900", other, sizeof(other)); /* Almaty Fresh Foods: no AEOF yet */
	snprintf(body, sizeof(body), "{\"type\":\"AEOF\",\"operator_id\":\"%s\"}", other);
	new_application("aeo.officer", body, fine, sizeof(fine));
	cr_assert_eq(act("trader", late, "submit", NULL, NULL), 200);
	cr_assert_eq(act("trader", soon, "submit", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", soon, "accept", NULL, NULL), 200);
	{
		char q[300];
		snprintf(q, sizeof(q),
			 "UPDATE aeo_applications SET accept_due = '2020-01-01' WHERE id = '%s'",
			 late);
		sql(q);
		snprintf(q, sizeof(q),
			 "UPDATE aeo_applications SET decision_due = date('now', '+2 days') WHERE id = '%s'",
			 soon);
		sql(q);
	}
	/* The demo node has applications of its own in these lists: look for ours. */
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/applications?overdue=true", NULL, &r), 200);
	cr_assert(strstr(r.body, late), "%s", r.body);
	cr_assert_null(strstr(r.body, soon), "%s", r.body);
	cr_assert_null(strstr(r.body, fine), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/applications?due_soon=true", NULL, &r),
		     200);
	cr_assert(strstr(r.body, soon), "%s", r.body);
	cr_assert_null(strstr(r.body, late), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/applications", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 2,
		     "a trader lists only its own: %s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/applications?overdue=maybe", NULL, NULL),
		     422);
}

Test(aeo, revocation_bars_a_new_application_until_a_date)
{
	struct test_response r;
	char id[64];

	new_application("trader", "{\"type\":\"AEOC\"}", id, sizeof(id));
	cr_assert_eq(act("trader", id, "submit", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "accept", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "start_review", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "plan_validation", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "validate", NULL, NULL), 200);
	test_validate(&srv, id, "AEOC");
	cr_assert_eq(act("aeo.officer", id, "authorize", NULL, NULL), 200);
	sql("UPDATE aeo_authorizations SET status = 'revoked', status_changed_at = '2026-01-15T10:00:00Z'");
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOS\"}", &r), 409);
	cr_assert(strstr(r.body, "2029-01-15"), "the message gives the end of the bar: %s", r.body);
	test_response_free(&r);
}

Test(aeo, allowed_actions_are_those_of_the_callers_side)
{
	struct test_response r;
	char id[64], path[128];
	json_t *actions;

	new_application("trader", "{\"type\":\"AEOC\"}", id, sizeof(id));
	cr_assert_eq(act("trader", id, "submit", NULL, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/applications/%s", id);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	actions = json_object_get(r.json, "allowed_actions");
	cr_assert_eq(json_array_size(actions), 1, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_array_get(actions, 0)), "withdraw");
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET", path, NULL, &r), 200);
	actions = json_object_get(r.json, "allowed_actions");
	cr_assert_eq(json_array_size(actions), 2, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_array_get(actions, 0)), "accept");
	cr_assert_str_eq(json_string_value(json_array_get(actions, 1)), "reject_incomplete");
	test_response_free(&r);
}

Test(aeo, trader_may_name_its_own_operator_by_number_but_not_set_the_sme_flag)
{
	cr_assert_eq(call("trader", "POST", "/api/v1/applications",
			  "{\"type\":\"AEOC\",\"operator_id\":\"KZ123456789012\"}", NULL),
		     201);
	cr_assert_eq(call("trader", "PATCH", "/api/v1/operators/KZ123456789012", "{\"sme\":true}",
			  NULL),
		     422);
	cr_assert_eq(call("aeo.officer", "PATCH", "/api/v1/operators/KZ123456789012",
			  "{\"sme\":true}", NULL),
		     200);
}

Test(aeo, kazakh_letters_are_found_in_either_case)
{
	struct test_response r;

	cr_assert_eq(call("aeo.officer", "POST", "/api/v1/operators",
			  "{\"tin\":\"KZ111122223333\",\"country\":\"KZ\",\"name\":\"\u049a\u04b1\u0440\u044b\u043b\u044b\u0441 \u04e8\u043d\u0434\u0456\u0440\u0456\u0441\",\"roles\":[\"manufacturer\"]}",
			  NULL),
		     201);
	/* "құр" in lower case finds "Құрылыс Өндіріс" */
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/operators?q=%D2%9B%D2%B1%D1%80", NULL, &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	test_response_free(&r);
}

Test(aeo, submission_needs_every_required_answer_listed_by_question)
{
	struct test_response r;
	char id[64], path[128];

	/* Started by the trader but not filled in: open it as customs would see it. */
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOS\"}", &r), 201);
	snprintf(id, sizeof(id), "%s", str(&r, "id"));
	test_response_free(&r);
	cr_assert_eq(act("trader", id, "submit", NULL, &r), 422);
	cr_assert(strstr(r.body, "required answer"), "%s", r.body);
	cr_assert(strstr(r.body, "6."), "security questions are asked of AEOS: %s", r.body);
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/saq", id);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert(json_array_size(json_object_get(r.json, "missing")) > 10, "%s", r.body);
	cr_assert_str_eq(str(&r, "variant"), "standard");
	test_response_free(&r);
	test_fill_saq(&srv, id);
	cr_assert_eq(act("trader", id, "submit", NULL, NULL), 200);
	cr_assert_eq(call("trader", "PATCH", path, "{\"answers\":{\"0.1\":\"changed my mind\"}}",
			  NULL),
		     409, "answers are locked after submission");
}

Test(aeo, answers_are_checked_against_their_question)
{
	struct test_response r;
	char id[64], path[128];

	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOC\"}", &r), 201);
	snprintf(id, sizeof(id), "%s", str(&r, "id"));
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/saq", id);
	cr_assert_eq(call("trader", "PATCH", path, "{\"answers\":{\"2.1\":\"yes\"}}", &r), 422);
	cr_assert(strstr(r.body, "\"field\":\"2.1\""), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "PATCH", path, "{\"answers\":{\"9.9\":true}}", NULL), 422);
	cr_assert_eq(call("trader", "PATCH", path, "{\"answers\":{\"6.1\":true}}", NULL), 422,
		     "security questions are not asked of AEOC");
	cr_assert_eq(call("trader", "PATCH", path, "{\"answers\":{\"1.3\":-5}}", NULL), 422);
	cr_assert_eq(call("trader", "PATCH", path, "{\"answers\":[1,2]}", NULL), 422);
	cr_assert_eq(call("trader", "PATCH", path, "{\"answers\":{\"2.1\":true,\"2.2\":\"nope\"}}",
			  NULL),
		     422);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert(json_is_null(
		json_object_get(json_array_get(json_object_get(r.json, "questions"), 0), "answer")));
	cr_assert_null(strstr(r.body, "\"answer\":true"), "a refused request stores nothing: %s",
		       r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "PATCH", path, "{\"answers\":{\"2.1\":true}}", NULL), 403);
}

Test(aeo, questions_come_in_the_callers_language)
{
	const char *h[] = {test_bearer("trader"), "Accept-Language: ru-RU,ru;q=0.9,en;q=0.5", NULL};
	struct test_response r;
	char id[64], path[128];

	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOC\"}", &r), 201);
	snprintf(id, sizeof(id), "%s", str(&r, "id"));
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/saq", id);
	test_http(&srv, "GET", path, h, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(str(&r, "language"), "ru");
	cr_assert(strstr(r.body, "\xd0\x9a\xd0\xb0\xd0\xba"), "Russian text expected: %.300s",
		  r.body); /* "Как" */
	test_response_free(&r);
}

Test(aeo, officers_see_a_flag_where_an_answer_contradicts_the_record)
{
	struct test_response r;
	char id[64], path[128];

	new_application("trader", "{\"type\":\"AEOC\"}", id, sizeof(id));
	snprintf(path, sizeof(path), "/api/v1/applications/%s/saq", id);
	cr_assert_eq(call("trader", "PATCH", path, "{\"answers\":{\"2.1\":true}}", NULL), 200);
	cr_assert_eq(call("border.officer", "POST",
			  "/api/v1/operators/KZ123456789012/compliance-events",
			  "{\"kind\":\"infringement\",\"outcome\":\"major\",\"occurred_on\":\"2026-06-01\"}",
			  NULL),
		     201);
	cr_assert_eq(call("aeo.officer", "GET", path, NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "flags")), 1, "%s", r.body);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "flags"), 0),
						 "question")),
			 "2.1");
	cr_assert(json_object_get(json_object_get(r.json, "completeness"), "compliance"));
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_null(json_object_get(r.json, "flags"), "flags are for customs");
	test_response_free(&r);
}

Test(aeo, authorization_needs_a_finding_on_every_criterion_and_none_not_met)
{
	struct test_response r;
	char id[64], path[160];

	new_application("trader", "{\"type\":\"AEOS\"}", id, sizeof(id));
	cr_assert_eq(act("trader", id, "submit", NULL, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/findings/records", id);
	cr_assert_eq(call("aeo.officer", "PUT", path, "{\"result\":\"met\"}", NULL), 409,
		     "not under review yet");
	cr_assert_eq(act("aeo.officer", id, "accept", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "start_review", NULL, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/findings/competence", id);
	cr_assert_eq(call("aeo.officer", "PUT", path, "{\"result\":\"met\"}", NULL), 422,
		     "AEOS is not judged on competence");
	snprintf(path, sizeof(path), "/api/v1/applications/%s/findings/security", id);
	cr_assert_eq(call("aeo.officer", "PUT", path, "{\"result\":\"not_met\"}", NULL), 422,
		     "not met needs notes");
	cr_assert_eq(call("aeo.officer", "PUT", path,
			  "{\"result\":\"not_met\",\"notes\":\"no seal register\"}", NULL),
		     200);
	cr_assert_eq(call("trader", "PUT", path, "{\"result\":\"met\"}", NULL), 403);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/visits", id);
	cr_assert_eq(call("aeo.officer", "POST", path,
			  "{\"planned_on\":\"2026-12-10\",\"sites\":[\"12 Abai Avenue, Almaty\"],\"officers\":[\"aeo.officer\"]}",
			  &r),
		     201, "%s", r.body);
	{
		char visit[64], close[200];
		snprintf(visit, sizeof(visit), "%s",
			 json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "visits"), 0),
						 "id")));
		test_response_free(&r);
		snprintf(close, sizeof(close), "/api/v1/applications/%s/visits/%s", id, visit);
		cr_assert_eq(call("aeo.officer", "PATCH", close, "{\"status\":\"done\"}", NULL),
			     422, "a visit done needs its report");
		cr_assert_eq(call("aeo.officer", "PATCH", close,
				  "{\"status\":\"done\",\"report\":\"seal register missing at the gate\"}",
				  NULL),
			     200);
		cr_assert_eq(call("aeo.officer", "PATCH", close, "{\"status\":\"cancelled\"}", NULL),
			     404, "no longer planned");
	}
	cr_assert_eq(call("aeo.officer", "POST", path,
			  "{\"planned_on\":\"someday\",\"sites\":[\"x\"],\"officers\":[\"y\"]}",
			  NULL),
		     422);
	cr_assert_eq(act("aeo.officer", id, "plan_validation", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "validate", NULL, NULL), 200);
	cr_assert_eq(act("aeo.officer", id, "authorize", NULL, &r), 409);
	cr_assert(strstr(r.body, "no finding yet on compliance, records, solvency"), "%s", r.body);
	cr_assert(strstr(r.body, "not met: security"), "%s", r.body);
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/validation", id);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200,
		     "the applicant sees its validation report");
	cr_assert(json_is_false(json_object_get(r.json, "ready_to_authorize")), "%s", r.body);
	cr_assert_eq(json_array_size(json_object_get(r.json, "visits")), 1);
	test_response_free(&r);
	cr_assert_eq(act("aeo.officer", id, "refuse",
			 "security standards not met: no seal register", NULL),
		     200);
}

/* Upload raw bytes as user with a content type; returns the status. */
static long upload(const char *user, const char *app, const char *filename, const char *type,
		   const char *bytes, size_t len, struct test_response *out)
{
	char path[300], content_type[120];
	const char *h[] = {content_type, test_bearer(user), NULL};
	struct test_response r;
	long status;
	char *body = malloc(len + 1);

	memcpy(body, bytes, len);
	body[len] = '\0';
	snprintf(content_type, sizeof(content_type), "Content-Type: %s", type);
	snprintf(path, sizeof(path), "/api/v1/applications/%s/attachments?filename=%s", app,
		 filename);
	/* test_http sends strlen(body) bytes: these test documents hold no NUL byte. */
	test_http(&srv, "POST", path, h, body, &r);
	free(body);
	status = r.status;
	if (out)
		*out = r;
	else
		test_response_free(&r);
	return status;
}

Test(aeo, documents_are_attached_by_content_hash_and_read_back)
{
	static const char pdf[] =
		"%PDF-1.4\n% audited accounts 2025\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
	struct test_response r;
	char id[64], sha[80], path[300], cmd[400];
	FILE *p;

	new_application("trader", "{\"type\":\"AEOC\"}", id, sizeof(id));
	cr_assert_eq(upload("trader", id, "accounts-2025.pdf", "application/pdf", pdf, strlen(pdf),
			    &r),
		     201, "%s", r.body);
	snprintf(path, sizeof(path), "%s", json_string_value(json_object_get(r.json, "id")));
	/* The hash shown is the SHA-256 of exactly what was sent. */
	snprintf(cmd, sizeof(cmd), "printf '%%s' '%s' | sha256sum | cut -c1-64", "%PDF-1.4");
	test_response_free(&r);
	{
		char expected[80] = "";
		FILE *f = fopen("/tmp/caravan-attach-check", "wb");
		fwrite(pdf, 1, strlen(pdf), f);
		fclose(f);
		p = popen("sha256sum /tmp/caravan-attach-check | cut -c1-64", "r");
		cr_assert(fgets(expected, sizeof(expected), p));
		pclose(p);
		unlink("/tmp/caravan-attach-check");
		expected[strcspn(expected, "\n")] = '\0';
		snprintf(cmd, sizeof(cmd), "/api/v1/applications/%s/attachments", id);
		cr_assert_eq(call("aeo.officer", "GET", cmd, NULL, &r), 200);
		snprintf(sha, sizeof(sha), "%s",
			 json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
						 "sha256")));
		cr_assert_str_eq(sha, expected);
		test_response_free(&r);
	}
	snprintf(cmd, sizeof(cmd), "/api/v1/applications/%s/attachments/%s", id, path);
	cr_assert_eq(call("aeo.officer", "GET", cmd, NULL, &r), 200);
	cr_assert_str_eq(r.body, pdf);
	{
		char *type = test_header(&r, "Content-Type");
		cr_assert_str_eq(type, "application/pdf");
		free(type);
	}
	test_response_free(&r);
}

Test(aeo, wrong_or_disguised_documents_are_refused)
{
	struct test_response r;
	char id[64], other[64], body[160];

	new_application("trader", "{\"type\":\"AEOC\"}", id, sizeof(id));
	cr_assert_eq(upload("trader", id, "notes.txt", "text/plain", "hello", 5, NULL), 415);
	cr_assert_eq(upload("trader", id, "fake.pdf", "application/pdf", "MZ\x90 not a pdf", 13, &r),
		     415);
	cr_assert(strstr(r.body, "not a application/pdf"), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(upload("trader", id, "a%2Fb.pdf", "application/pdf", "%PDF-1.4 x", 10, NULL),
		     422);
	cr_assert_eq(upload("trader", id, "empty.pdf", "application/pdf", "", 0, NULL), 422);
	cr_assert_eq(upload("border.officer", id, "x.pdf", "application/pdf", "%PDF-1.4 x", 10, NULL),
		     403);
	operator_id("KZ600700800900", other, sizeof(other));
	snprintf(body, sizeof(body), "{\"type\":\"AEOF\",\"operator_id\":\"%s\"}", other);
	new_application("aeo.officer", body, other, sizeof(other));
	cr_assert_eq(upload("trader", other, "x.pdf", "application/pdf", "%PDF-1.4 x", 10, NULL),
		     404);
}
