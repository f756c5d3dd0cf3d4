/*
 * cmd_demo.c — `caravan demo`: a node for Kazakhstan (KZ) to try caravan
 * with, and the demo accounts, one per role.
 *
 * Demo data is plain rows written through the same domain functions as
 * real data, in one transaction with its audit rows. Re-running it adds
 * what is missing and changes nothing that exists. The single window's
 * three months of traffic are planned in demo_traffic.c and played in
 * demo_single_window.c.
 *
 * The demo passwords are public (printed here and in the README): a node
 * that serves real users must change them (caravan user passwd) or start
 * from a database without demo data.
 */
#include "cli/cli.h"

#include "aeo/operators.h"
#include "aeo/authorizations.h"
#include "aeo/safe.h"
#include "aeo/saq.h"
#include "aeo/validation.h"
#include "aeo/scoresheet.h"
#include "audit/audit.h"
#include "base/mem.h"
#include "auth/sessions.h"
#include "cli/demo_origin.h"
#include "cli/demo_single_window.h"
#include "risk/import.h"
#include "risk/repository.h"
#include "risk/training.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct demo_account {
	const char *username;
	enum auth_role role;
	const char *password;
	const char *operator_tin;
	const char *agency_code;
	const char *what;
};

#define DEMO_OPERATOR_TIN "KZ123456789012"

static const struct demo_account accounts[] = {
	{"admin", ROLE_ADMIN, "admin-demo-2026", NULL, NULL, "runs the node: users, configuration"},
	{"aeo.officer", ROLE_AEO_OFFICER, "aeo-demo-2026", NULL, NULL,
	 "AEO unit: reviews and authorizes"},
	{"risk.analyst", ROLE_RISK_ANALYST, "risk-demo-2026", NULL, NULL,
	 "writes selectivity profiles"},
	{"border.officer", ROLE_BORDER_OFFICER, "border-demo-2026", NULL, NULL,
	 "examines and releases"},
	{"pga.officer", ROLE_PGA_OFFICER, "pga-demo-2026", NULL, "KZ-MOA",
	 "Ministry of Agriculture: permits"},
	{"origin.officer", ROLE_PGA_OFFICER, "origin-demo-2026", NULL, "KZ-CCI",
	 "Chamber of Commerce: certificates of origin"},
	{"trader", ROLE_TRADER, "trader-demo-2026", DEMO_OPERATOR_TIN, NULL, "Steppe Trading LLP"},
	{"partner.uz", ROLE_PARTNER, "partner-demo-2026", NULL, NULL, "partner customs (Uzbekistan)"},
	{"auditor", ROLE_AUDITOR, "auditor-demo-2026", NULL, NULL,
	 "reads everything, changes nothing"},
};

#define NACCOUNTS (sizeof(accounts) / sizeof(accounts[0]))

static const struct {
	const char *code, *name;
} agencies[] = {
	{"KZ-MOA", "Ministry of Agriculture (veterinary and phytosanitary control)"},
	{"KZ-MOH", "Ministry of Health (medicines, sanitary-epidemiological control)"},
	{"KZ-MEN", "Ministry of Ecology and Natural Resources (ozone, waste, CITES)"},
	{"KZ-MIT", "Ministry of Trade and Integration (licences, technical regulation)"},
	{"KZ-MIA", "Ministry of Internal Affairs (narcotics, explosives)"},
	{"KZ-CCI", "Chamber of Commerce and Industry (certificates of origin)"},
};

/* Which authorities (table regulatory_requirements) each demo agency holds. */
static const char *const agency_authorities[] = {"agriculture", "health",   "environment",
						 "trade",       "interior", "origin"};

static const char usage[] =
	"usage: caravan demo [--accounts] [--db URL] [--config FILE]\n\n"
	"Load demo data into a database made by caravan init: partner agencies, a demo\n"
	"trader (Steppe Trading LLP) and one user per role, operators with AEO\n"
	"applications and authorizations in every state; for selectivity the demo\n"
	"profile set (data/risk/profiles.demo) and a watchlist, the declarations of\n"
	"data/customs-declarations/ moved in time to end today (train.csv and valid.csv\n"
	"as history to learn from, test.csv decided by the engine), and a\n"
	"model trained on the history; then three months of single-window traffic\n"
	"(about 3,000 declarations of six traders, lodged, examined, paid, released)\n"
	"played through the trade code at the times it happened. Then print the\n"
	"accounts. Safe to re-run.\n"
	"--accounts only prints the accounts.\n";

static void print_accounts(const struct cv_config *config)
{
	char host[256];
	int port = 8080;

	if (cv_config_listen_split(config->listen, host, sizeof(host), &port))
		snprintf(host, sizeof(host), "127.0.0.1");
	printf("\nDemo accounts (sign in at %s://%s:%d/, or POST /api/v1/auth/login):\n",
	       config->tls_cert[0] ? "https" : "http", host, port);
	printf("  %-16s %-18s %-15s %s\n", "USERNAME", "PASSWORD", "ROLE", "");
	for (size_t i = 0; i < NACCOUNTS; i++)
		printf("  %-16s %-18s %-15s %s\n", accounts[i].username, accounts[i].password,
		       auth_role_name(accounts[i].role), accounts[i].what);
	printf("These passwords are public: change them (caravan user passwd) before real use.\n\n");
}

static int audit_demo(struct store_conn *conn, const char *action, const char *type, const char *id)
{
	struct audit_event ev = {"cli:demo", action, type, id, NULL};

	return audit_append(conn, &ev, NULL, NULL);
}

struct demo_operator {
	const char *tin, *name, *address;
	unsigned roles;
	int sme, ecommerce;
	const char *contacts;
};

/* Operators of every size and kind; the first is the demo trader's own. */
static const struct demo_operator operators[] = {
	{DEMO_OPERATOR_TIN, "Steppe Trading LLP", "12 Abai Avenue, Almaty 050000",
	 AEO_ROLE_IMPORTER | AEO_ROLE_EXPORTER, 0, 0,
	 "[{\"name\":\"Aigerim Sadykova\",\"role\":\"customs manager\",\"email\":\"customs@steppe.example\"}]"},
	{"KZ987654321098", "Altyn Logistics LLP", "5 Dostyk Street, Astana 010000",
	 AEO_ROLE_CUSTOMS_BROKER | AEO_ROLE_FREIGHT_FORWARDER, 1, 0,
	 "[{\"name\":\"Daniyar Omarov\",\"role\":\"director\",\"phone\":\"+7 7172 000000\"}]"},
	{"KZ555000111222", "Silk Road Express JSC", "Khorgos Eastern Gate SEZ",
	 AEO_ROLE_EXPRESS_OPERATOR | AEO_ROLE_ECOMMERCE_PLATFORM, 0, 1, "[]"},
	{"KZ100200300400", "Caspian Petrochem Manufacturing", "Industrial Zone 3, Atyrau 060000",
	 AEO_ROLE_MANUFACTURER | AEO_ROLE_EXPORTER, 0, 0, "[]"},
	{"KZ600700800900", "Almaty Fresh Foods", "88 Raiymbek Avenue, Almaty", AEO_ROLE_IMPORTER, 1,
	 0, "[]"},
	/* The single window's demo traders (demo_single_window.c), with Almaty Fresh Foods. */
	{"KZ510700800900", "Eurasia Electronics LLP", "45 Kabanbay Batyr Avenue, Astana 010000",
	 AEO_ROLE_IMPORTER | AEO_ROLE_EXPORTER, 0, 0,
	 "[{\"name\":\"Timur Bekov\",\"role\":\"customs manager\",\"email\":\"customs@eurasia-electronics.example\"}]"},
	{"KZ210400500600", "Dala Fruit Import LLP", "14 Suyunbay Avenue, Almaty 050000",
	 AEO_ROLE_IMPORTER, 1, 0, "[]"},
	{"KZ410600700800", "Khan Tengri Motors LLP", "3 Ryskulov Avenue, Almaty 050050",
	 AEO_ROLE_IMPORTER, 0, 0, "[]"},
	{"KZ310500600700", "Tengri Pharm LLP", "27 Al-Farabi Avenue, Almaty 050040",
	 AEO_ROLE_IMPORTER, 1, 0, "[]"},
	{"KZ610800900100", "Kazakh Metals Export JSC", "Industrial Zone 1, Pavlodar 140000",
	 AEO_ROLE_EXPORTER | AEO_ROLE_IMPORTER, 0, 0, "[]"},
};

/* Customs offices of the demo node, and the customs exchange rates of its currency (KZT). */
static const struct {
	const char *code, *name, *kind;
} offices[] = {
	{"KZ-ALA", "Almaty customs post", "inland"},
	{"KZ-AST", "Astana customs post", "inland"},
	{"KZ-KHO", "Khorgos border crossing (China)", "border"},
	{"KZ-DOS", "Dostyk rail border crossing (China)", "rail"},
	{"KZ-ALA-AIR", "Almaty International Airport", "airport"},
};

static const struct {
	const char *currency;
	double rate;
} rates[] = {{"KZT", 1},     {"USD", 470.0}, {"EUR", 510.0}, {"CNY", 65.0}, {"RUB", 5.2},
	     {"UZS", 0.037}, {"KGS", 5.4},   {"TRY", 14.5},  {"KRW", 0.34}};

/* The demo tariff: duty and VAT (12 %) by HS prefix ("" is every other code). */
static const struct {
	const char *hs;
	double duty, vat;
} tariff[] = {{"", 5, 12},     {"0201", 15, 12}, {"0808", 10, 12}, {"2903", 5, 12},
	      {"3004", 0, 12}, {"8517", 0, 12},  {"8703", 15, 12}};

/* Eurasian Economic Union partners: no duty on their originating goods. */
static const char *const eaeu[] = {"RU", "BY", "AM", "KG"};
/*
 * The CIS free trade area (2011): no duty on the parties' originating
 * goods. KZ is listed too: the same demo data plays the partner node of
 * docs/EXCHANGE.md (UZ), which imports from KZ under it.
 */
static const char *const cis_fta[] = {"AM", "BY", "KG", "KZ", "MD", "RU", "TJ", "UZ"};

static int load_single_window_rows(struct store_conn *conn, const char *now)
{
	char today[CV_DATE_MAX], from[CV_DATE_MAX];
	struct store_stmt *stmt;
	int rc = CV_OK;

	cv_date_from_ms(cv_clock_now_ms(), today);
	cv_date_add_days(today, -365, from);
	for (size_t i = 0; i < sizeof(offices) / sizeof(offices[0]) && !rc; i++)
		rc = store_execf(conn, NULL,
				 "INSERT INTO customs_offices (code, name, kind, created_at)"
				 " VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING",
				 "tttt", offices[i].code, offices[i].name, offices[i].kind, now);
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]) && !rc; i++)
		rc = store_execf(conn, NULL,
				 "INSERT INTO exchange_rates (currency, valid_from, rate) VALUES ($1, $2, $3)"
				 " ON CONFLICT (currency, valid_from) DO NOTHING",
				 "ttd", rates[i].currency, from, rates[i].rate);
	for (size_t i = 0; i < sizeof(tariff) / sizeof(tariff[0]) && !rc; i++)
		rc = store_execf(conn, NULL,
				 "INSERT INTO tariff_rates (hs_prefix, valid_from, duty_rate, vat_rate)"
				 " VALUES ($1, $2, $3, $4) ON CONFLICT (hs_prefix, valid_from) DO NOTHING",
				 "ttdd", tariff[i].hs, from, tariff[i].duty, tariff[i].vat);
	for (size_t i = 0; i < sizeof(eaeu) / sizeof(eaeu[0]) && !rc; i++)
		rc = store_execf(conn, NULL,
				 "INSERT INTO preferential_rates (hs_prefix, origin, agreement, duty_rate)"
				 " VALUES ('', $1, 'EAEU', 0) ON CONFLICT DO NOTHING",
				 "t", eaeu[i]);
	for (size_t i = 0; i < sizeof(cis_fta) / sizeof(cis_fta[0]) && !rc; i++)
		rc = store_execf(conn, NULL,
				 "INSERT INTO preferential_rates (hs_prefix, origin, agreement, duty_rate)"
				 " VALUES ('', $1, 'CIS-FTA', 0) ON CONFLICT DO NOTHING",
				 "t", cis_fta[i]);
	/* The demo broker, Altyn Logistics, lodges for the demo trader. */
	if (!rc && !store_query_row(conn, &stmt,
				    "SELECT id FROM operators WHERE tin = 'KZ987654321098'", "")) {
		char agent[CV_UUID_STR];
		snprintf(agent, sizeof(agent), "%s", store_col_text(stmt, 0));
		store_finish(stmt);
		rc = store_execf(conn, NULL,
				 "INSERT INTO representations (agent_operator_id, client_tin, valid_from)"
				 " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
				 "ttt", agent, DEMO_OPERATOR_TIN, from);
	}
	return rc;
}

static int load_reference_rows(struct store_conn *conn, const char *now, struct cv_error *err)
{
	struct aeo_operator *op;
	int64_t changed = 0;
	int rc = CV_OK;

	for (size_t i = 0; i < sizeof(agencies) / sizeof(agencies[0]) && !rc; i++) {
		rc = store_execf(conn, &changed,
				 "INSERT INTO agencies (code, name, created_at) VALUES ($1, $2, $3)"
				 " ON CONFLICT (code) DO NOTHING",
				 "ttt", agencies[i].code, agencies[i].name, now);
		if (!rc && changed)
			rc = audit_demo(conn, "agency.create", "agency", agencies[i].code);
		if (!rc)
			rc = store_execf(conn, NULL,
					 "UPDATE agencies SET authorities = $2 WHERE code = $1"
					 " AND authorities = ''",
					 "tt", agencies[i].code, agency_authorities[i]);
	}
	op = cv_calloc(1, sizeof(*op));
	if (!op)
		return CV_ENOMEM;
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]) && !rc; i++) {
		const struct demo_operator *d = &operators[i];
		if (aeo_operator_get(conn, d->tin, op) == CV_OK)
			continue;
		memset(op, 0, sizeof(*op));
		snprintf(op->tin, sizeof(op->tin), "%s", d->tin);
		snprintf(op->name, sizeof(op->name), "%s", d->name);
		snprintf(op->address, sizeof(op->address), "%s", d->address);
		snprintf(op->country, sizeof(op->country), "KZ");
		snprintf(op->contacts, sizeof(op->contacts), "%s", d->contacts);
		op->roles = d->roles;
		op->sme = d->sme;
		op->ecommerce = d->ecommerce;
		rc = aeo_operator_create(conn, op, err);
		if (!rc)
			rc = audit_demo(conn, "operator.create", "operator", op->id);
	}
	cv_free(op);
	if (!rc)
		rc = load_single_window_rows(conn, now);
	return rc;
}

/*
 * Compliance histories that give the demo a spread of scores: two clean
 * importers who are AEO candidates, a careless express operator, a broker
 * with a few slips, a newcomer with too few declarations to judge, and the
 * long clean record of an AEO (Eurasia Electronics).
 * Only added to operators without any event yet.
 */
struct demo_history {
	const char *tin;
	int lodged, amended, clean, minor, major, infringements, late_days;
};

static const struct demo_history histories[] = {
	{DEMO_OPERATOR_TIN, 60, 1, 6, 0, 0, 0, 0},    {"KZ987654321098", 45, 4, 4, 1, 0, 1, 6},
	{"KZ555000111222", 220, 30, 12, 4, 2, 4, 40}, {"KZ100200300400", 35, 0, 3, 0, 0, 0, 0},
	{"KZ600700800900", 8, 0, 1, 0, 0, 0, 0},      {"KZ510700800900", 180, 3, 10, 1, 0, 0, 0},
};

static int add_events(struct store_conn *conn, const struct aeo_context *ctx, const char *tin,
		      const char *kind, const char *outcome, int n, int days_late,
		      struct cv_error *err)
{
	char on[CV_DATE_MAX], id[CV_UUID_STR];
	int rc = CV_OK;

	for (int i = 0; i < n && !rc; i++) {
		/* Spread over the last two years, one every few days. */
		struct aeo_compliance_event e = {kind, outcome, days_late, on, "demo", "", ""};
		cv_date_from_ms(ctx->now_ms - (int64_t)((i * 7 + 3) % 700) * 86400000, on);
		rc = aeo_compliance_event_add(conn, ctx, "cli:demo", tin, &e, id, err);
	}
	return rc;
}

static int load_compliance_histories(struct store_conn *conn, struct cv_error *err)
{
	struct aeo_context ctx = {"KZ", cv_clock_now_ms()};
	struct store_stmt *stmt;
	int any = 0, rc = store_prepare(conn, "SELECT COUNT(*) FROM compliance_events", &stmt);

	if (rc)
		return rc;
	if (store_step(stmt) == STORE_ROW)
		any = store_col_int64(stmt, 0) > 0;
	store_finish(stmt);
	if (any)
		return CV_OK;
	for (size_t i = 0; i < sizeof(histories) / sizeof(histories[0]) && !rc; i++) {
		const struct demo_history *h = &histories[i];
		rc = add_events(conn, &ctx, h->tin, "declaration_lodged", "", h->lodged, 0, err);
		if (!rc)
			rc = add_events(conn, &ctx, h->tin, "declaration_amended", "", h->amended,
					0, err);
		if (!rc)
			rc = add_events(conn, &ctx, h->tin, "examination", "clean", h->clean, 0,
					err);
		if (!rc)
			rc = add_events(conn, &ctx, h->tin, "examination", "minor", h->minor, 0,
					err);
		if (!rc)
			rc = add_events(conn, &ctx, h->tin, "examination", "major", h->major, 0,
					err);
		if (!rc)
			rc = add_events(conn, &ctx, h->tin, "infringement", "major",
					h->infringements, 0, err);
		if (!rc && h->late_days)
			rc = add_events(conn, &ctx, h->tin, "late_payment", "", 1, h->late_days,
					err);
	}
	return rc;
}

/*
 * Applications in every state and authorizations valid, suspended and
 * revoked, so that every list and screen has something to show. The
 * applicant acts through a principal of its own operator; customs through
 * the demo AEO officer. Only when the node has no application yet.
 */
struct demo_application {
	const char *tin, *type;
	const char *const *steps; /* actions in order, NULL-terminated */
	const char *reason;       /* for reject_incomplete, refuse, withdraw */
	const char *after;        /* an authorization change after the grant: suspend, revoke */
};

static const char *const to_submitted[] = {"submit", NULL};
static const char *const to_review[] = {"submit", "accept", "start_review", NULL};
static const char *const to_planned[] = {"submit", "accept", "start_review", "plan_validation",
					 NULL};
static const char *const to_validated[] = {"submit",          "accept",   "start_review",
					   "plan_validation", "validate", NULL};
static const char *const to_authorized[] =
	{"submit", "accept", "start_review", "plan_validation", "validate", "authorize", NULL};
static const char *const to_rejected[] = {"submit", "reject_incomplete", NULL};
static const char *const to_refused[] =
	{"submit", "accept", "start_review", "plan_validation", "validate", "refuse", NULL};
static const char *const to_withdrawn[] = {"submit", "accept", "withdraw", NULL};
static const char *const to_draft[] = {NULL};

/*
 * The demo trader's own operator (Steppe Trading) is left without
 * applications, so that a newcomer can play the whole lifecycle with it
 * (docs/AEO.md). Silk Road Express was authorized while compliant; its
 * record has since slipped: one authorization suspended, one revoked.
 */
static const struct demo_application applications[] = {
	{"KZ600700800900", "AEOC", to_authorized, NULL, NULL},
	{"KZ600700800900", "AEOS", to_withdrawn, "we will apply when the new warehouse opens", NULL},
	{"KZ555000111222", "AEOF", to_rejected,
	 "sections 3 and 4 of the questionnaire are not answered", NULL},
	{"KZ555000111222", "AEOC", to_authorized, NULL, "suspend"},
	{"KZ555000111222", "AEOS", to_authorized, NULL, "revoke"},
	{"KZ987654321098", "AEOC", to_submitted, NULL, NULL},
	{"KZ987654321098", "AEOS", to_planned, NULL, NULL},
	{"KZ987654321098", "AEOF", to_review, NULL, NULL},
	{"KZ100200300400", "AEOC", to_validated, NULL, NULL},
	{"KZ100200300400", "AEOS", to_refused,
	 "the site security plan does not cover the loading bays", NULL},
	{"KZ100200300400", "AEOF", to_draft, NULL, NULL},
	/* An AEO of the single window's traffic: deferred payment, lower lanes. */
	{"KZ510700800900", "AEOC", to_authorized, NULL, NULL},
};

/* Answer every required question with a plausible value of its type. */
static int fill_questionnaire(struct store_conn *conn, const struct aeo_application *app,
			      struct cv_error *err)
{
	json_t *view, *answers = json_object(), *q;
	size_t i;
	int rc = aeo_saq_view(conn, app, "en", 0, &view);

	if (rc) {
		json_decref(answers);
		return rc;
	}
	json_array_foreach(json_object_get(view, "questions"), i, q) {
		const char *type = json_string_value(json_object_get(q, "type"));
		if (!json_is_true(json_object_get(q, "required")))
			continue;
		json_object_set_new(answers, json_string_value(json_object_get(q, "id")),
				    !strcmp(type, "yes_no")   ? json_true()
				    : !strcmp(type, "number") ? json_integer(25)
				    : !strcmp(type, "date")   ? json_string("2012-04-02")
				    : !strcmp(type, "choice")
					    ? json_incref(
						      json_array_get(json_object_get(q, "choices"),
								     0))
					    : json_string("see the attached procedures manual"));
	}
	json_decref(view);
	rc = aeo_saq_answer(conn, app, "cli:demo", answers, err);
	json_decref(answers);
	return rc;
}

static int load_one_application(struct store_conn *conn, const struct aeo_context *ctx,
				const struct auth_principal *officer,
				const struct demo_application *d, struct cv_error *err)
{
	struct auth_principal applicant = {0};
	struct aeo_application app;
	struct aeo_authorization z;
	struct aeo_operator *op = cv_malloc(sizeof(*op));
	int rc;

	if (!op)
		return CV_ENOMEM;
	rc = aeo_operator_get(conn, d->tin, op);
	applicant.user.role = ROLE_TRADER;
	snprintf(applicant.user.username, sizeof(applicant.user.username), "cli:demo");
	if (!rc)
		snprintf(applicant.user.operator_id, sizeof(applicant.user.operator_id), "%s",
			 op->id);
	cv_free(op);
	if (!rc)
		rc = aeo_application_create(conn, ctx, &applicant, applicant.user.operator_id,
					    d->type, 1, &app, err);
	if (!rc && d->steps[0])
		rc = fill_questionnaire(conn, &app, err);
	for (const char *const *step = d->steps; !rc && *step; step++) {
		int by_applicant = !strcmp(*step, "submit") || !strcmp(*step, "withdraw");
		const char *reason = strcmp(*step, "reject_incomplete") && strcmp(*step, "refuse") &&
						     strcmp(*step, "withdraw")
					     ? NULL
					     : d->reason;
		if (!strcmp(*step, "authorize"))
			for (const char *const *c = aeo_validation_criteria(app.type); !rc && *c;
			     c++)
				rc = aeo_finding_record(conn, ctx, officer, &app, *c, "met", "",
							"desk review and site visit", err);
		if (!rc)
			rc = aeo_application_transition(conn, ctx,
							by_applicant ? &applicant : officer, app.id,
							*step, reason, &app, &z, err);
	}
	if (!rc && d->after) {
		struct aeo_authorization_change c = {0};
		c.action = d->after;
		c.ground = !strcmp(d->after, "suspend") ? "conditions_not_met" : "for_cause";
		c.reason = !strcmp(d->after, "suspend")
				   ? "access control at the storage site failed the monitoring visit"
				   : "goods declared under a false origin, confirmed by the audit";
		rc = aeo_authorization_change(conn, ctx, officer, z.id, &c, &z, err);
	}
	return rc;
}

static int load_applications(struct store_conn *conn, struct cv_error *err)
{
	struct aeo_context ctx = {"KZ", cv_clock_now_ms()};
	struct auth_principal officer = {0};
	struct store_stmt *stmt;
	int any = 0, rc = store_prepare(conn, "SELECT COUNT(*) FROM aeo_applications", &stmt);

	if (rc)
		return rc;
	if (store_step(stmt) == STORE_ROW)
		any = store_col_int64(stmt, 0) > 0;
	store_finish(stmt);
	if (any)
		return CV_OK;
	rc = auth_user_find(conn, "aeo.officer", &officer.user);
	for (size_t i = 0; !rc && i < sizeof(applications) / sizeof(applications[0]); i++)
		rc = load_one_application(conn, &ctx, &officer, &applications[i], err);
	return rc;
}

/* The seed presentation's own SAFE mapping, unless the node has assessed itself already. */
static int load_safe_mapping(struct store_conn *conn, const char *data_dir, struct cv_error *err)
{
	struct store_stmt *stmt;
	char path[1024];
	int assessed = 0,
	    rc = store_prepare(conn, "SELECT COUNT(*) FROM safe_standards WHERE updated_by <> ''",
			       &stmt);

	if (rc)
		return rc;
	rc = store_step(stmt);
	if (rc == STORE_ROW)
		assessed = (int)store_col_int64(stmt, 0);
	store_finish(stmt);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : CV_EDB;
	if (assessed)
		return CV_OK;
	snprintf(path, sizeof(path), "%s/safe/demo-mapping.json", data_dir);
	return aeo_safe_load_mapping(conn, path, "cli:demo", err);
}

/* Importers of train.csv (2020) whose examinations found fraud four times in five. */
static const char repeat_offenders[] =
	"[\"NNZXML2\", \"0ER8AX5\", \"1OGOBEV\", \"CASB18K\", \"JLJEL26\"]";

static int activate_demo_profiles(struct store_conn *conn, const char *data_dir,
				  struct cv_error *err)
{
	struct risk_compile_error cerr;
	struct store_stmt *stmt;
	json_t *draft = NULL, *active = NULL, *values = json_loads(repeat_offenders, 0, NULL);
	char path[1024], *source = NULL;
	size_t added, len = 0;
	FILE *f;
	int rc;

	/* Once: an analyst's own sets are never replaced. */
	if (store_query_row(conn, &stmt, "SELECT 1 FROM risk_profile_sets", "") == CV_OK) {
		store_finish(stmt);
		json_decref(values);
		return CV_OK;
	}
	snprintf(path, sizeof(path), "%s/risk/profiles.demo", data_dir);
	if (!(f = fopen(path, "rb"))) {
		json_decref(values);
		return cv_error_set(err, CV_ENOTFOUND, NULL, "cannot read %s", path);
	}
	source = cv_malloc(64 * 1024);
	len = source ? fread(source, 1, 64 * 1024 - 1, f) : 0;
	fclose(f);
	if (!source) {
		json_decref(values);
		return CV_ENOMEM;
	}
	source[len] = 0;
	rc = store_begin(conn);
	if (!rc)
		rc = risk_watchlist_add(conn, "risk.analyst", "REPEAT-OFFENDERS", values, &added,
					err);
	if (!rc)
		rc = risk_profiles_add_draft(conn, "risk.analyst", source, &cerr, &draft, err);
	if (!rc)
		rc = risk_profiles_activate(conn, "risk.analyst",
					    json_string_value(json_object_get(draft, "id")),
					    &active, err);
	if (!rc)
		rc = audit_demo(conn, "risk.profiles_activate", "risk_profile_set",
				json_string_value(json_object_get(draft, "id")));
	rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	json_decref(draft);
	json_decref(active);
	json_decref(values);
	cv_free(source);
	return rc;
}

static void import_progress(void *ctx, size_t done, size_t total)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rcaravan demo: %s %zu / %zu declarations   %s", (const char *)ctx,
			done, total, done == total ? "\n" : "");
}

/* A smaller model than the default: the demo trains in a second or two. */
static int train_demo_model(struct store_conn *conn, struct cv_error *err)
{
	struct risk_model_params params;
	struct risk_model_row *rows;
	struct risk_model *model = NULL;
	struct cv_arena arena;
	size_t n, positives;
	int rc;

	risk_model_params_defaults(&params);
	params.trees = 200;
	params.max_leaves = 63;
	cv_arena_init(&arena, 0);
	rc = risk_training_rows(conn, &arena, &rows, &n, &positives, err);
	if (!rc)
		rc = risk_model_train(rows, n, &params, 42, NULL, NULL, &model, err);
	cv_arena_release(&arena);
	if (!rc && !(rc = store_begin(conn))) {
		rc = risk_model_store(conn, "cli:demo", model, NULL, err);
		rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	}
	risk_model_free(model);
	return rc;
}

/*
 * One declaration in five of the dataset was fraudulent (it holds examined
 * declarations only), so learned scores run high: the demo's default
 * thresholds put about the expected shares of the flow in each lane.
 * Once: an office's own choice is kept.
 */
static int demo_thresholds(struct store_conn *conn)
{
	struct risk_office_params p;
	struct store_stmt *stmt;
	int rc;

	if (store_query_row(conn, &stmt, "SELECT 1 FROM risk_decisions", "") == CV_OK) {
		store_finish(stmt);
		return CV_OK;
	}
	rc = risk_office_params_load(conn, "*", &p);
	p.blue_threshold = 32;
	p.yellow_threshold = 45;
	p.red_threshold = 60;
	if (!rc && !(rc = store_begin(conn))) {
		rc = risk_office_params_save(conn, "*", &p);
		if (!rc)
			rc = audit_demo(conn, "risk.office_params", "risk_office_params", "*");
		rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	}
	return rc;
}

/*
 * Selectivity on realistic data: the history (valid.csv) is imported and
 * learned from, then the recent flow (test.csv) is decided by the profiles
 * and the model, as a node would have done, with its examination results.
 */
static int load_selectivity(struct store_conn *conn, const char *data_dir, struct cv_error *err)
{
	struct risk_dataset history[2], recent;
	struct risk_import_options opt = {0, 0, import_progress, NULL};
	struct risk_import_stats stats;
	struct store_stmt *stmt;
	char path[1024], today[CV_DATE_MAX];
	int rc, had_model;

	memset(history, 0, sizeof(history));
	memset(&recent, 0, sizeof(recent));
	snprintf(path, sizeof(path), "%s/customs-declarations/train.csv", data_dir);
	rc = risk_dataset_read(path, &history[0], err);
	snprintf(path, sizeof(path), "%s/customs-declarations/valid.csv", data_dir);
	if (!rc)
		rc = risk_dataset_read(path, &history[1], err);
	snprintf(path, sizeof(path), "%s/customs-declarations/test.csv", data_dir);
	if (!rc)
		rc = risk_dataset_read(path, &recent, err);
	if (rc)
		goto done;
	cv_date_from_ms(cv_clock_now_ms(), today);
	opt.shift_days = risk_import_shift_to(&recent, today);
	opt.progress_ctx = "history:";
	store_bulk_mode(conn, 1);
	for (int h = 0; h < 2 && !rc; h++)
		rc = risk_import_dataset(conn, &history[h], &opt, &stats, err);
	had_model = store_query_row(conn, &stmt, "SELECT 1 FROM risk_models", "") == CV_OK;
	if (had_model)
		store_finish(stmt);
	if (!rc && !had_model)
		rc = train_demo_model(conn, err);
	if (!rc)
		rc = activate_demo_profiles(conn, data_dir, err);
	if (!rc)
		rc = demo_thresholds(conn);
	opt.assess = 1;
	opt.progress_ctx = "recent:";
	if (!rc)
		rc = risk_import_dataset(conn, &recent, &opt, &stats, err);
	store_bulk_mode(conn, 0);
done:
	risk_dataset_release(&history[0]);
	risk_dataset_release(&history[1]);
	risk_dataset_release(&recent);
	return rc;
}

static void traffic_progress(void *ctx, size_t done, size_t total)
{
	(void)ctx;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rcaravan demo: single window: %zu / %zu declarations   %s", done,
			total, done == total ? "\n" : "");
}

/* Three months of the single window's traffic, played through the trade code (once). */
static int load_single_window(struct store_conn *conn, const struct cv_config *config,
			      struct cv_error *err)
{
	struct demo_single_window_stats st;
	int64_t started = cv_clock_monotonic_ns();
	int rc;

	cv_error_clear(err);
	store_bulk_mode(conn, 1);
	rc = demo_single_window_load(conn, config, traffic_progress, NULL, &st, err);
	store_bulk_mode(conn, 0);
	if (!rc && !st.skipped)
		printf("caravan demo: single window: %zu declarations in %.1f s (%zu released, %zu exited,"
		       " %zu cancelled, %zu amended), %zu examinations, %zu payments, LPCOs %zu issued,"
		       " %zu refused, %zu pending\n",
		       st.declarations, (double)(cv_clock_monotonic_ns() - started) / 1e9,
		       st.released, st.exited, st.cancelled, st.amended, st.examinations,
		       st.payments, st.lpcos_issued, st.lpcos_refused, st.lpcos_pending);
	return rc;
}

/* The chamber of commerce's certificates of origin for the exports just played (once). */
static int load_origin(struct store_conn *conn, const struct cv_config *config, struct cv_error *err)
{
	struct exchange_node *node = NULL;
	size_t issued = 0;
	int rc;

	cv_error_clear(err);
	rc = exchange_node_open(config, &node, err);
	if (rc == CV_ENOTFOUND)
		return CV_OK; /* no key file yet: caravan init makes it, and a re-run issues them */
	if (!rc)
		rc = store_begin(conn);
	if (rc) {
		exchange_node_free(node);
		return rc;
	}
	rc = demo_origin_load(conn, node, config, &issued, err);
	rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	if (!rc && issued)
		printf("caravan demo: %zu certificates of origin issued by the chamber of commerce\n",
		       issued);
	exchange_node_free(node);
	return rc;
}

static int load_demo(struct store_conn *conn, const struct cv_config *config)
{
	const char *data_dir = config->data_dir;
	char hashes[NACCOUNTS][AUTH_HASH_MAX], now[CV_RFC3339_MAX];
	int exists[NACCOUNTS];
	struct auth_user user;
	struct cv_error err;
	int rc, added = 0;

	/* Hash outside the transaction: argon2id is slow on purpose. */
	for (size_t i = 0; i < NACCOUNTS; i++) {
		exists[i] = auth_user_find(conn, accounts[i].username, &user) == CV_OK;
		if (!exists[i] && auth_password_hash(accounts[i].password, hashes[i], &err)) {
			fprintf(stderr, "caravan demo: %s\n", err.message);
			return CLI_FAILED;
		}
	}
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	cv_error_clear(&err);
	rc = store_begin(conn);
	if (!rc)
		rc = load_reference_rows(conn, now, &err);
	if (!rc)
		rc = load_safe_mapping(conn, data_dir, &err);
	if (!rc)
		rc = load_compliance_histories(conn, &err);

	for (size_t i = 0; i < NACCOUNTS && !rc; i++) {
		struct auth_user_new nu = {accounts[i].username, accounts[i].password,
					   accounts[i].role, accounts[i].operator_tin,
					   accounts[i].agency_code};
		if (exists[i])
			continue;
		rc = auth_user_create(conn, &nu, hashes[i], &user, &err);
		if (!rc)
			rc = audit_demo(conn, "user.create", "user", user.id);
		added++;
	}
	/* Applications need the demo AEO officer: after the users. */
	if (!rc)
		rc = load_applications(conn, &err);
	if (!rc)
		rc = store_commit(conn);
	else
		store_rollback(conn);
	if (rc) {
		fprintf(stderr, "caravan demo: %s%s\n",
			err.message[0] ? err.message
			: rc == CV_EDB ? store_errmsg(conn)
				       : cv_strerror(rc),
			rc == CV_EDB ? " (has 'caravan init' been run on this database?)" : "");
		return CLI_FAILED;
	}
	cv_error_clear(&err);
	rc = load_selectivity(conn, data_dir, &err);
	if (rc) {
		fprintf(stderr, "caravan demo: selectivity: %s\n",
			err.message[0] ? err.message : cv_strerror(rc));
		return CLI_FAILED;
	}
	rc = load_single_window(conn, config, &err);
	if (rc) {
		fprintf(stderr, "caravan demo: single window: %s\n",
			err.message[0] ? err.message : cv_strerror(rc));
		return CLI_FAILED;
	}
	rc = load_origin(conn, config, &err);
	if (rc) {
		fprintf(stderr, "caravan demo: certificates of origin: %s\n",
			err.message[0] ? err.message : cv_strerror(rc));
		return CLI_FAILED;
	}
	printf("caravan: demo data loaded (%d new users)\n", added);
	return CLI_OK;
}

int cmd_demo(int argc, char **argv)
{
	int only_accounts = 0;
	struct cli_flag flags[] = {{"accounts", NULL, &only_accounts}, {NULL, NULL, NULL}};
	struct cli_args args;
	struct store *store = NULL;
	struct store_conn *conn;
	int exit_now, rc = cli_parse(argc, argv, flags, usage, &args, &exit_now);

	if (rc || exit_now)
		return rc;
	if (!only_accounts) {
		if (cli_open_store(&args.config, &store, &conn))
			return CLI_FAILED;
		rc = load_demo(conn, &args.config);
		store_close(store);
		if (rc)
			return rc;
	}
	print_accounts(&args.config);
	return CLI_OK;
}
