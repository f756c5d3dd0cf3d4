/* roles.c — the role/permission table (see roles.h). */
#include "auth/roles.h"

#include "base/err.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_TRADER] = "trader",
	[ROLE_AEO_OFFICER] = "aeo_officer",
	[ROLE_RISK_ANALYST] = "risk_analyst",
	[ROLE_BORDER_OFFICER] = "border_officer",
	[ROLE_PGA_OFFICER] = "pga_officer",
	[ROLE_PARTNER] = "partner",
	[ROLE_ADMIN] = "admin",
	[ROLE_AUDITOR] = "auditor",
};

static const char *const permission_names[PERM_COUNT] = {
	[PERM_PUBLIC] = "public",
	[PERM_AUTHENTICATED] = "authenticated",
	[PERM_REFDATA_READ] = "refdata.read",
	[PERM_USERS_READ] = "users.read",
	[PERM_USERS_WRITE] = "users.write",
	[PERM_AUDIT_READ] = "audit.read",
	[PERM_OPERATORS_READ] = "operators.read",
	[PERM_OPERATORS_WRITE] = "operators.write",
	[PERM_APPLICATIONS_READ] = "applications.read",
	[PERM_APPLICATIONS_WRITE] = "applications.write",
	[PERM_SAFE_READ] = "safe.read",
	[PERM_SAFE_WRITE] = "safe.write",
	[PERM_COMPLIANCE_WRITE] = "compliance.write",
	[PERM_AEO_CANDIDATES] = "aeo.candidates",
	[PERM_AUTHORIZATIONS_READ] = "authorizations.read",
	[PERM_AUTHORIZATIONS_WRITE] = "authorizations.write",
	[PERM_RISK_READ] = "risk.read",
	[PERM_RISK_WRITE] = "risk.write",
	[PERM_DECLARATIONS_LODGE] = "declarations.lodge",
	[PERM_DECLARATIONS_READ] = "declarations.read",
	[PERM_NOTIFICATIONS_READ] = "notifications.read",
	[PERM_WEBHOOK_MANAGE] = "webhooks.manage",
	[PERM_REPORTS_READ] = "reports.read",
	[PERM_RELEASE] = "declarations.release",
	[PERM_LPCO_APPLY] = "lpco.apply",
	[PERM_LPCO_DECIDE] = "lpco.decide",
	[PERM_LPCO_READ] = "lpco.read",
	[PERM_RISK_DECIDE] = "risk.decide",
	[PERM_EXAMINATIONS_WRITE] = "examinations.write",
	[PERM_EXCHANGE_READ] = "exchange.read",
	[PERM_EXCHANGE_MANAGE] = "exchange.manage",
	[PERM_DUTIES_READ] = "duties.read",
	[PERM_ORIGIN_ISSUE] = "origin.issue",
	[PERM_ORIGIN_READ] = "origin.read",
};

#define R(role) (1u << (role))
#define ALL_ROLES ((1u << ROLE_COUNT) - 1)
#define CUSTOMS (R(ROLE_AEO_OFFICER) | R(ROLE_RISK_ANALYST) | R(ROLE_BORDER_OFFICER))

/* The one table: for each permission, the roles that hold it. */
// clang-format off
static const unsigned permission_roles[PERM_COUNT] = {
	[PERM_PUBLIC] = ALL_ROLES,
	[PERM_AUTHENTICATED] = ALL_ROLES,
	[PERM_REFDATA_READ] = ALL_ROLES,
	[PERM_USERS_READ] = R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[PERM_USERS_WRITE] = R(ROLE_ADMIN),
	[PERM_AUDIT_READ] = R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	/* PGAs read AEO status and operators (customs-PGA sharing of AEO data). */
	[PERM_OPERATORS_READ] = R(ROLE_TRADER) | CUSTOMS | R(ROLE_PGA_OFFICER) | R(ROLE_ADMIN) |
				R(ROLE_AUDITOR),
	[PERM_OPERATORS_WRITE] = R(ROLE_TRADER) | R(ROLE_AEO_OFFICER) | R(ROLE_ADMIN),
	[PERM_APPLICATIONS_READ] = R(ROLE_TRADER) | R(ROLE_AEO_OFFICER) | R(ROLE_AUDITOR),
	[PERM_APPLICATIONS_WRITE] = R(ROLE_TRADER) | R(ROLE_AEO_OFFICER),
	[PERM_SAFE_READ] = CUSTOMS | R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[PERM_SAFE_WRITE] = R(ROLE_AEO_OFFICER) | R(ROLE_ADMIN),
	/* Findings come from customs officers and partner agencies. */
	[PERM_COMPLIANCE_WRITE] = CUSTOMS | R(ROLE_PGA_OFFICER),
	[PERM_AEO_CANDIDATES] = R(ROLE_AEO_OFFICER) | R(ROLE_RISK_ANALYST) | R(ROLE_AUDITOR),
	[PERM_AUTHORIZATIONS_READ] = R(ROLE_TRADER) | CUSTOMS | R(ROLE_PGA_OFFICER) | R(ROLE_ADMIN) |
				     R(ROLE_AUDITOR),
	[PERM_AUTHORIZATIONS_WRITE] = R(ROLE_TRADER) | R(ROLE_AEO_OFFICER),
	/* Risk analysts write profiles; border officers read decisions and assess. */
	[PERM_RISK_READ] = CUSTOMS | R(ROLE_AUDITOR),
	[PERM_RISK_WRITE] = R(ROLE_RISK_ANALYST),
	[PERM_DECLARATIONS_LODGE] = R(ROLE_TRADER),
	/* Agencies read the declarations that concern them (trade/declarations.c), not their duties. */
	[PERM_DECLARATIONS_READ] = R(ROLE_TRADER) | CUSTOMS | R(ROLE_PGA_OFFICER) | R(ROLE_AUDITOR),
	[PERM_DUTIES_READ] = R(ROLE_TRADER) | CUSTOMS | R(ROLE_AUDITOR),
	[PERM_NOTIFICATIONS_READ] = R(ROLE_TRADER),
	[PERM_WEBHOOK_MANAGE] = R(ROLE_TRADER),
	/* Aggregates without a trader's details: customs, agencies, management. */
	[PERM_REPORTS_READ] = CUSTOMS | R(ROLE_PGA_OFFICER) | R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[PERM_RELEASE] = R(ROLE_BORDER_OFFICER),
	[PERM_LPCO_APPLY] = R(ROLE_TRADER),
	[PERM_LPCO_DECIDE] = R(ROLE_PGA_OFFICER),
	[PERM_LPCO_READ] = R(ROLE_TRADER) | R(ROLE_PGA_OFFICER) | CUSTOMS | R(ROLE_AUDITOR),
	[PERM_RISK_DECIDE] = R(ROLE_RISK_ANALYST) | R(ROLE_BORDER_OFFICER),
	/* Border officers examine; partner agencies examine with them (joint examination). */
	[PERM_EXAMINATIONS_WRITE] = R(ROLE_BORDER_OFFICER) | R(ROLE_PGA_OFFICER),
	/*
	 * Partners and what was exchanged with them: customs officers read (an
	 * AEO officer checks an MRA, a border officer the advance cargo data); the
	 * administrator sets partners up. A partner node needs no account: its
	 * signature authenticates each message.
	 */
	[PERM_EXCHANGE_READ] = CUSTOMS | R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[PERM_EXCHANGE_MANAGE] = R(ROLE_ADMIN),
	/*
	 * Certificates of origin are issued by an agency holding the origin
	 * authority (the chamber of commerce): its officers, checked against
	 * the agency in exchange/certificates.c.
	 */
	[PERM_ORIGIN_ISSUE] = R(ROLE_PGA_OFFICER),
	[PERM_ORIGIN_READ] = R(ROLE_TRADER) | CUSTOMS | R(ROLE_PGA_OFFICER) | R(ROLE_AUDITOR),
};
// clang-format on

const char *auth_role_name(enum auth_role role)
{
	return (unsigned)role < ROLE_COUNT ? role_names[role] : "unknown";
}

int auth_role_parse(const char *name, enum auth_role *out)
{
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum auth_role)i;
			return CV_OK;
		}
	}
	return CV_EINVAL;
}

const char *auth_role_names(void)
{
	return "trader, aeo_officer, risk_analyst, border_officer, pga_officer, partner, admin, "
	       "auditor";
}

const char *auth_permission_name(enum auth_permission perm)
{
	return (unsigned)perm < PERM_COUNT ? permission_names[perm] : "unknown";
}

int auth_role_can(enum auth_role role, enum auth_permission perm)
{
	if ((unsigned)perm >= PERM_COUNT || (unsigned)role >= ROLE_COUNT)
		return 0;
	return (permission_roles[perm] & R(role)) != 0;
}
