/*
 * roles.h — who may do what: roles, permissions and the one table that
 * joins them.
 *
 * Roles are those of DESIGN.md. Permissions name an ability ("read users"),
 * not a route; api/routes.c gives every route exactly one permission, and
 * roles.c says which roles hold it. Least privilege: a role holds only what
 * its work needs; the auditor reads and never writes. Data scoping (a trader
 * sees only its own operator, a PGA only its agency) is enforced by the
 * domain queries on top of this.
 *
 * Read-only tables: thread-safe.
 */
#ifndef CV_AUTH_ROLES_H
#define CV_AUTH_ROLES_H

enum auth_role {
	ROLE_TRADER,
	ROLE_AEO_OFFICER,
	ROLE_RISK_ANALYST,
	ROLE_BORDER_OFFICER,
	ROLE_PGA_OFFICER,
	ROLE_PARTNER,
	ROLE_ADMIN,
	ROLE_AUDITOR,
	ROLE_COUNT
};

enum auth_permission {
	PERM_PUBLIC,        /* anyone, without credentials */
	PERM_AUTHENTICATED, /* any signed-in user */
	PERM_REFDATA_READ,  /* countries, currencies, HS nomenclature */
	PERM_USERS_READ,
	PERM_USERS_WRITE,
	PERM_AUDIT_READ,
	PERM_OPERATORS_READ,     /* a trader: its own operator only */
	PERM_OPERATORS_WRITE,    /* a trader: its own operator only */
	PERM_APPLICATIONS_READ,  /* a trader: its own operator's only */
	PERM_APPLICATIONS_WRITE, /* which actions each side may take: aeo/applications.c */
	PERM_SAFE_READ,          /* the administration's SAFE self-assessment */
	PERM_SAFE_WRITE,
	PERM_COMPLIANCE_WRITE,    /* record compliance events */
	PERM_AEO_CANDIDATES,      /* the proactive list of compliant non-AEO operators */
	PERM_AUTHORIZATIONS_READ, /* a trader: its own operator's only */
	PERM_AUTHORIZATIONS_WRITE, /* status changes (AEO unit), measures (holder): aeo/authorizations.c */
	PERM_RISK_READ,            /* selectivity profiles, watchlists, assessments */
	PERM_RISK_WRITE,           /* write and activate profiles, keep watchlists */
	PERM_DECLARATIONS_LODGE, /* lodge, amend, cancel (a trader, its own) */
	PERM_DECLARATIONS_READ, /* read declarations (a trader its own, an agency those that concern it) */
	PERM_NOTIFICATIONS_READ, /* a trader's status notifications */
	PERM_WEBHOOK_MANAGE,     /* a trader's webhook: register, replace, remove */
	PERM_REPORTS_READ,       /* release times, green savings */
	PERM_RELEASE,            /* record arrival, release and exit (border officers) */
	PERM_LPCO_APPLY,         /* apply for a licence, permit, certificate (a trader) */
	PERM_LPCO_DECIDE,        /* issue or refuse one (an officer of the agency) */
	PERM_LPCO_READ,          /* read them (a trader its own, an agency its own, customs all) */
	PERM_RISK_DECIDE,        /* decide a stored declaration's lane again */
	PERM_EXAMINATIONS_WRITE, /* record what an examination found */
	PERM_EXCHANGE_READ,      /* partner registry, messages exchanged with partners */
	PERM_EXCHANGE_MANAGE,    /* register, change and deactivate partners */
	PERM_DUTIES_READ,        /* a declaration's duties and taxes (a trader, its own) */
	PERM_ORIGIN_ISSUE, /* issue and revoke certificates of origin (an issuing authority) */
	PERM_ORIGIN_READ, /* read them (the authority its own, a trader those naming it, customs all) */
	PERM_COUNT
};

/* "trader", "aeo_officer", ... */
const char *auth_role_name(enum auth_role role);
/* Parse a role name; returns CV_EINVAL when unknown. */
int auth_role_parse(const char *name, enum auth_role *out);
/* The list of role names, comma-separated, for error messages and help. */
const char *auth_role_names(void);
/* "users.read", ... */
const char *auth_permission_name(enum auth_permission perm);
/* Does a user with this role hold the permission? PERM_PUBLIC: always. */
int auth_role_can(enum auth_role role, enum auth_permission perm);

#endif
