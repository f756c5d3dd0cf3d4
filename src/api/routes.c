/*
 * routes.c — every route of the API with the one permission it needs.
 *
 * This table is the access-control list of the node: to see who may call
 * what, read it together with the role table in auth/roles.c. Each route
 * is documented in docs/openapi.yaml; a test fails when one is missing.
 */
#include "api/api.h"

// clang-format off
const struct api_route api_routes[] = {
	/* method  pattern                          permission          flags                 audit action */
	{"GET",  "/",                               PERM_PUBLIC,        0, NULL, api_index_page},
	{"GET",  "/healthz",                        PERM_PUBLIC,        0, NULL, api_healthz},
	{"GET",  "/api/v1/meta",                    PERM_PUBLIC,        0, NULL, api_meta},
	{"GET",  "/api/v1/openapi.yaml",            PERM_PUBLIC,        0, NULL, api_openapi},
	/* The node's DID document (did:web): the keys that verify what it signs. */
	{"GET",  "/.well-known/did.json",           PERM_PUBLIC,        0, NULL, api_did_document},

	{"POST", "/api/v1/auth/login",              PERM_PUBLIC,        API_JSON, NULL, api_auth_login},
	{"POST", "/api/v1/auth/logout",             PERM_AUTHENTICATED, API_WRITE, "auth.logout", api_auth_logout},
	{"GET",  "/api/v1/auth/me",                 PERM_AUTHENTICATED, 0, NULL, api_auth_me},

	{"GET",  "/api/v1/users",                   PERM_USERS_READ,    0, NULL, api_users_list},
	{"POST", "/api/v1/users",                   PERM_USERS_WRITE,   API_JSON | API_WRITE, "user.create", api_users_create},
	{"GET",  "/api/v1/users/{id}",              PERM_USERS_READ,    0, NULL, api_users_get},
	{"POST", "/api/v1/users/{id}/tokens",       PERM_USERS_WRITE,   API_JSON | API_WRITE | API_SECRET, "user.token_create", api_users_token_create},

	{"GET",  "/api/v1/operators",               PERM_OPERATORS_READ, 0, NULL, api_operators_list},
	{"POST", "/api/v1/operators",               PERM_OPERATORS_WRITE, API_JSON | API_WRITE, "operator.create", api_operators_create},
	{"GET",  "/api/v1/operators/{id}",          PERM_OPERATORS_READ, 0, NULL, api_operators_get},
	{"PATCH", "/api/v1/operators/{id}",         PERM_OPERATORS_WRITE, API_JSON | API_WRITE, "operator.update", api_operators_update},

	{"GET",  "/api/v1/operators/{id}/compliance-events", PERM_OPERATORS_READ, 0, NULL, api_compliance_events_list},
	{"POST", "/api/v1/operators/{id}/compliance-events", PERM_COMPLIANCE_WRITE, API_JSON | API_WRITE, "compliance.event_add", api_compliance_event_add},
	{"GET",  "/api/v1/operators/{id}/scoresheet", PERM_OPERATORS_READ, 0, NULL, api_scoresheet_get},
	{"GET",  "/api/v1/aeo/candidates",          PERM_AEO_CANDIDATES, 0, NULL, api_aeo_candidates},

	{"GET",  "/api/v1/applications",            PERM_APPLICATIONS_READ, 0, NULL, api_applications_list},
	{"POST", "/api/v1/applications",            PERM_APPLICATIONS_WRITE, API_JSON | API_WRITE, "aeo_application.create", api_applications_create},
	{"GET",  "/api/v1/applications/{id}",       PERM_APPLICATIONS_READ, 0, NULL, api_applications_get},
	{"POST", "/api/v1/applications/{id}/transitions", PERM_APPLICATIONS_WRITE, API_JSON | API_WRITE, "aeo_application.transition", api_applications_transition},
	{"GET",  "/api/v1/applications/{id}/saq",   PERM_APPLICATIONS_READ, 0, NULL, api_applications_saq_get},
	{"PATCH", "/api/v1/applications/{id}/saq",  PERM_APPLICATIONS_WRITE, API_JSON | API_WRITE, "aeo_application.saq_answer", api_applications_saq_answer},
	{"GET",  "/api/v1/applications/{id}/validation", PERM_APPLICATIONS_READ, 0, NULL, api_applications_validation},
	{"PUT",  "/api/v1/applications/{id}/findings/{criterion}", PERM_APPLICATIONS_WRITE, API_JSON | API_WRITE, "aeo_application.finding", api_applications_finding},
	{"POST", "/api/v1/applications/{id}/visits", PERM_APPLICATIONS_WRITE, API_JSON | API_WRITE, "aeo_application.visit_plan", api_applications_visit_plan},
	{"PATCH", "/api/v1/applications/{id}/visits/{visit}", PERM_APPLICATIONS_WRITE, API_JSON | API_WRITE, "aeo_application.visit_close", api_applications_visit_close},
	{"GET",  "/api/v1/applications/{id}/attachments", PERM_APPLICATIONS_READ, 0, NULL, api_attachments_list},
	/* The body is the document itself (not JSON): Content-Type names its type. */
	{"POST", "/api/v1/applications/{id}/attachments", PERM_APPLICATIONS_WRITE, API_WRITE, "aeo_application.attach", api_attachments_add},
	{"GET",  "/api/v1/applications/{id}/attachments/{attachment}", PERM_APPLICATIONS_READ, 0, NULL, api_attachments_get},
	{"POST", "/api/v1/applications/{id}/extension", PERM_APPLICATIONS_WRITE, API_JSON | API_WRITE, "aeo_application.extend", api_applications_extend},

	{"GET",  "/api/v1/authorizations",          PERM_AUTHORIZATIONS_READ, 0, NULL, api_authorizations_list},
	/* Before {id}: the first matching route wins. */
	{"GET",  "/api/v1/authorizations/worklist", PERM_AEO_CANDIDATES, 0, NULL, api_authorizations_worklist},
	{"GET",  "/api/v1/authorizations/{id}",     PERM_AUTHORIZATIONS_READ, 0, NULL, api_authorizations_get},
	{"GET",  "/api/v1/authorizations/{id}/certificate.pdf", PERM_AUTHORIZATIONS_READ, 0, NULL, api_authorizations_certificate},
	{"POST", "/api/v1/authorizations/{id}/transitions", PERM_AUTHORIZATIONS_WRITE, API_JSON | API_WRITE, "aeo_authorization.change", api_authorizations_change},
	{"POST", "/api/v1/authorizations/{id}/measures", PERM_AUTHORIZATIONS_WRITE, API_JSON | API_WRITE, "aeo_authorization.measures", api_authorizations_measures},
	{"GET",  "/api/v1/authorizations/{id}/audits", PERM_AUTHORIZATIONS_READ, 0, NULL, api_authorizations_audits},
	{"POST", "/api/v1/authorizations/{id}/audits", PERM_AUTHORIZATIONS_WRITE, API_JSON | API_WRITE, "aeo_authorization.audit_schedule", api_authorizations_audit_schedule},
	{"PATCH", "/api/v1/authorizations/{id}/audits/{audit}", PERM_AUTHORIZATIONS_WRITE, API_JSON | API_WRITE, "aeo_authorization.audit_close", api_authorizations_audit_close},
	{"GET",  "/api/v1/aeo/monitoring",          PERM_AEO_CANDIDATES, 0, NULL, api_aeo_monitoring},
	{"GET",  "/api/v1/public/aeo/{number}",     PERM_PUBLIC,        0, NULL, api_public_aeo},
	/* W3C status lists of the credentials the node issued: anyone verifies with them. */
	{"GET",  "/api/v1/status-lists/{id}",       PERM_PUBLIC,        0, NULL, api_status_lists_get},

	{"GET",  "/api/v1/risk/profiles",           PERM_RISK_READ,     0, NULL, api_risk_profiles_list},
	{"POST", "/api/v1/risk/profiles",           PERM_RISK_WRITE,    API_JSON | API_WRITE, "risk.profiles_add", api_risk_profiles_add},
	{"GET",  "/api/v1/risk/profiles/{id}",      PERM_RISK_READ,     0, NULL, api_risk_profiles_get},
	{"POST", "/api/v1/risk/profiles/{id}/activate", PERM_RISK_WRITE, API_WRITE, "risk.profiles_activate", api_risk_profiles_activate},
	{"POST", "/api/v1/risk/profiles/{id}/deactivate", PERM_RISK_WRITE, API_WRITE, "risk.profiles_deactivate", api_risk_profiles_deactivate},
	/* A read: nothing is stored, however many declarations it runs over. */
	{"POST", "/api/v1/risk/profiles/{id}/projection", PERM_RISK_WRITE, API_JSON, NULL, api_risk_profiles_projection},
	{"GET",  "/api/v1/risk/watchlists",         PERM_RISK_READ,     0, NULL, api_risk_watchlists_list},
	{"GET",  "/api/v1/risk/watchlists/{name}",  PERM_RISK_READ,     0, NULL, api_risk_watchlist_get},
	/* The body is text/csv, not JSON. */
	{"POST", "/api/v1/risk/watchlists/{name}/csv", PERM_RISK_WRITE, API_WRITE, "risk.watchlist_csv", api_risk_watchlist_csv},
	{"DELETE", "/api/v1/risk/watchlists/{name}/values/{value}", PERM_RISK_WRITE, API_WRITE, "risk.watchlist_remove", api_risk_watchlist_remove},
	{"POST", "/api/v1/risk/watchlists/{name}",  PERM_RISK_WRITE,    API_JSON | API_WRITE, "risk.watchlist_add", api_risk_watchlist_add},
	{"POST", "/api/v1/risk/assess",             PERM_RISK_READ,     API_JSON, NULL, api_risk_assess},
	{"GET",  "/api/v1/risk/offices",            PERM_RISK_READ,     0, NULL, api_risk_offices_list},
	{"GET",  "/api/v1/risk/offices/{office}",   PERM_RISK_READ,     0, NULL, api_risk_office_get},
	{"PATCH", "/api/v1/risk/offices/{office}",  PERM_RISK_WRITE,    API_JSON | API_WRITE, "risk.office_params", api_risk_office_put},
	{"GET",  "/api/v1/risk/statistics",         PERM_RISK_READ,     0, NULL, api_risk_statistics},
	{"GET",  "/api/v1/risk/models",             PERM_RISK_READ,     0, NULL, api_risk_models_list},

	{"GET",  "/api/v1/declarations",            PERM_DECLARATIONS_READ, 0, NULL, api_declarations_list},
	{"POST", "/api/v1/declarations",            PERM_DECLARATIONS_LODGE, API_JSON | API_WRITE, "declaration.lodge", api_declarations_lodge},
	{"GET",  "/api/v1/declarations/{id}",       PERM_DECLARATIONS_READ, 0, NULL, api_declarations_get},
	{"POST", "/api/v1/declarations/{id}/amendments", PERM_DECLARATIONS_LODGE, API_JSON | API_WRITE, "declaration.amend", api_declarations_amend},
	{"POST", "/api/v1/declarations/{id}/cancellation", PERM_DECLARATIONS_LODGE, API_JSON | API_WRITE, "declaration.cancel", api_declarations_cancel},
	/* Public: the rules are for anyone to read before trading (WTO TFA Art. 1). */
	{"GET",  "/api/v1/requirements",            PERM_PUBLIC,        0, NULL, api_requirements},
	{"GET",  "/api/v1/lpcos",                   PERM_LPCO_READ,     0, NULL, api_lpcos_list},
	{"POST", "/api/v1/lpcos",                   PERM_LPCO_APPLY,    API_JSON | API_WRITE, "lpco.apply", api_lpcos_apply},
	{"GET",  "/api/v1/lpcos/{id}",              PERM_LPCO_READ,     0, NULL, api_lpcos_get},
	{"POST", "/api/v1/lpcos/{id}/decision",     PERM_LPCO_DECIDE,   API_JSON | API_WRITE, "lpco.decide", api_lpcos_decide},
	/* Joint examination: the worklist of the caller's party, and each party's result. */
	{"GET",  "/api/v1/examinations",            PERM_EXAMINATIONS_WRITE, 0, NULL, api_examinations_pending},
	{"GET",  "/api/v1/examinations/{id}",       PERM_EXAMINATIONS_WRITE, 0, NULL, api_examinations_get},
	{"POST", "/api/v1/examinations/{id}/results", PERM_EXAMINATIONS_WRITE, API_JSON | API_WRITE, "examination.result", api_examinations_result},
	{"GET",  "/api/v1/declarations/{id}/assessment", PERM_DUTIES_READ,   0, NULL, api_declarations_assessment},
	{"POST", "/api/v1/declarations/{id}/payments", PERM_DECLARATIONS_LODGE, API_JSON | API_WRITE, "declaration.payment", api_declarations_payment},
	{"POST", "/api/v1/declarations/{id}/arrival", PERM_RELEASE,    API_WRITE, "declaration.arrival", api_declarations_arrival},
	{"POST", "/api/v1/declarations/{id}/release", PERM_RELEASE,    API_WRITE, "declaration.release", api_declarations_release},
	{"POST", "/api/v1/declarations/{id}/exit",  PERM_RELEASE,       API_WRITE, "declaration.exit", api_declarations_exit},
	{"GET",  "/api/v1/reports/release-times",   PERM_REPORTS_READ,  0, NULL, api_reports_release_times},
	{"GET",  "/api/v1/reports/green",           PERM_REPORTS_READ,  0, NULL, api_reports_green},
	{"GET",  "/api/v1/partner-aeo",             PERM_RISK_READ,     0, NULL, api_partner_aeo_list},
	/* Electronic certificates of origin: an issuing authority issues, everyone concerned reads. */
	{"GET",  "/api/v1/certificates-of-origin",  PERM_ORIGIN_READ,   0, NULL, api_certificates_list},
	{"POST", "/api/v1/certificates-of-origin",  PERM_ORIGIN_ISSUE,  API_JSON | API_WRITE, "origin_certificate.issue", api_certificates_issue},
	{"GET",  "/api/v1/certificates-of-origin/{id}", PERM_ORIGIN_READ, 0, NULL, api_certificates_get},
	{"POST", "/api/v1/certificates-of-origin/{id}/revocation", PERM_ORIGIN_ISSUE, API_JSON | API_WRITE, "origin_certificate.revoke", api_certificates_revoke},
	{"GET",  "/api/v1/notifications",           PERM_NOTIFICATIONS_READ, 0, NULL, api_notifications_list},
	{"GET",  "/api/v1/webhook",                 PERM_NOTIFICATIONS_READ, 0, NULL, api_webhook_get},
	{"PUT",  "/api/v1/webhook",                 PERM_WEBHOOK_MANAGE, API_JSON | API_WRITE | API_SECRET, "webhook.set", api_webhook_put},
	{"DELETE", "/api/v1/webhook",               PERM_WEBHOOK_MANAGE, API_WRITE, "webhook.delete", api_webhook_delete},
	{"GET",  "/api/v1/declarations/{id}/risk",  PERM_RISK_READ,     0, NULL, api_declaration_risk_get},
	{"POST", "/api/v1/declarations/{id}/risk",  PERM_RISK_DECIDE,   API_WRITE, "declaration.risk_decide", api_declaration_risk_assess},
	{"GET",  "/api/v1/declarations/{id}/examinations", PERM_RISK_READ, 0, NULL, api_declaration_examinations_list},
	{"POST", "/api/v1/declarations/{id}/examinations", PERM_EXAMINATIONS_WRITE, API_JSON | API_WRITE, "declaration.examination", api_declaration_examination_add},

	{"GET",  "/api/v1/safe/standards",          PERM_SAFE_READ,     0, NULL, api_safe_standards},
	{"GET",  "/api/v1/safe/standards/{id}",     PERM_SAFE_READ,     0, NULL, api_safe_standard_get},
	{"PATCH", "/api/v1/safe/standards/{id}",    PERM_SAFE_WRITE,    API_JSON | API_WRITE, "safe.assess", api_safe_assess},
	{"GET",  "/api/v1/safe/report",             PERM_SAFE_READ,     0, NULL, api_safe_report},

	{"GET",  "/api/v1/exchange/partners",       PERM_EXCHANGE_READ, 0, NULL, api_exchange_partners_list},
	{"POST", "/api/v1/exchange/partners",       PERM_EXCHANGE_MANAGE, API_JSON | API_WRITE, "exchange.partner_create", api_exchange_partners_create},
	{"GET",  "/api/v1/exchange/partners/{id}",  PERM_EXCHANGE_READ, 0, NULL, api_exchange_partners_get},
	{"PATCH", "/api/v1/exchange/partners/{id}", PERM_EXCHANGE_MANAGE, API_JSON | API_WRITE, "exchange.partner_update", api_exchange_partners_update},
	/* Deactivates: the partner's messages keep referring to it. */
	{"DELETE", "/api/v1/exchange/partners/{id}", PERM_EXCHANGE_MANAGE, API_WRITE, "exchange.partner_deactivate", api_exchange_partners_deactivate},
	{"GET",  "/api/v1/exchange/messages",       PERM_EXCHANGE_READ, 0, NULL, api_exchange_messages_list},
	{"GET",  "/api/v1/exchange/messages/{id}",  PERM_EXCHANGE_READ, 0, NULL, api_exchange_messages_get},
	/*
	 * Public: a partner node is authenticated by the signature on each document,
	 * checked against the partner registry. The body is read as JCS reads it
	 * (not API_JSON), and a refusal is committed with its record.
	 */
	{"POST", "/api/v1/exchange/inbox",          PERM_PUBLIC,        API_WRITE, "exchange.receive", api_exchange_inbox, api_exchange_inbox_check},

	{"GET",  "/api/v1/audit",                   PERM_AUDIT_READ,    0, NULL, api_audit_list},
	{"GET",  "/api/v1/audit/verify",            PERM_AUDIT_READ,    0, NULL, api_audit_verify},
};
// clang-format on

const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);
