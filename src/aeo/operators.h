/*
 * operators.h — the registry of economic operators (traders).
 *
 * An operator is identified by its trader identification number (TIN),
 * checked against its country's format (table operator_id_formats: data,
 * not code). It has roles in the supply chain, SME and e-commerce flags
 * (they select adapted SAQ variants and criteria) and contacts. Trader users
 * belong to exactly one operator and see and edit only that one; the API
 * enforces this with aeo_operator_visible().
 *
 * Volume: a node holds up to ~1 million operators (every importer of a
 * country), ~20,000 of them AEOs. Search is by TIN prefix or a folded name
 * prefix, both indexed.
 *
 * Thread-safe as far as the store is: use the calling thread's connection.
 */
#ifndef CV_AEO_OPERATORS_H
#define CV_AEO_OPERATORS_H

#include "auth/sessions.h"
#include "base/clock.h"
#include "base/ids.h"
#include "store/db.h"

#define AEO_TIN_MAX 17
#define AEO_NAME_MAX 200
#define AEO_ADDRESS_MAX 400
#define AEO_CONTACTS_MAX 4000

/* Supply-chain roles (bit flags). */
enum aeo_operator_role {
	AEO_ROLE_IMPORTER = 1u << 0,
	AEO_ROLE_EXPORTER = 1u << 1,
	AEO_ROLE_MANUFACTURER = 1u << 2,
	AEO_ROLE_CUSTOMS_BROKER = 1u << 3,
	AEO_ROLE_FREIGHT_FORWARDER = 1u << 4,
	AEO_ROLE_CARRIER = 1u << 5,
	AEO_ROLE_WAREHOUSE_OPERATOR = 1u << 6,
	AEO_ROLE_ECOMMERCE_PLATFORM = 1u << 7,
	AEO_ROLE_EXPRESS_OPERATOR = 1u << 8,
};

struct aeo_operator {
	char id[CV_UUID_STR];
	char tin[AEO_TIN_MAX + 1];
	char name[AEO_NAME_MAX * 4 + 1]; /* UTF-8: up to 4 bytes a character */
	char address[AEO_ADDRESS_MAX * 4 + 1];
	char country[3];
	unsigned roles;
	int sme;
	int ecommerce;
	char contacts[AEO_CONTACTS_MAX + 1]; /* JSON array text */
	char created_at[CV_RFC3339_MAX];
	char updated_at[CV_RFC3339_MAX];
};

/* Name of one role bit ("customs_broker"), or NULL. */
const char *aeo_operator_role_name(unsigned role);
/* Parse a role name into its bit; 0 when unknown. */
unsigned aeo_operator_role_parse(const char *name);

/*
 * Check tin against the format for country. CV_EINVAL with field "tin" and
 * a message that gives the expected form and an example.
 */
int aeo_operator_check_tin(struct store_conn *conn, const char *country, const char *tin,
			   struct cv_error *err);

/*
 * Create an operator from op (id and timestamps are set here). Validates
 * every field (CV_EINVAL naming it), refuses a TIN already registered
 * (CV_ECONFLICT). Call inside a write transaction.
 */
int aeo_operator_create(struct store_conn *conn, struct aeo_operator *op, struct cv_error *err);

/* Replace the editable fields of an existing operator (not id, TIN, country). */
int aeo_operator_update(struct store_conn *conn, struct aeo_operator *op, struct cv_error *err);

/* Find by id or TIN; CV_ENOTFOUND when neither matches. */
int aeo_operator_get(struct store_conn *conn, const char *id_or_tin, struct aeo_operator *out);

/*
 * May principal see this operator? Customs, PGA, partner-free roles: yes;
 * a trader: only its own. Callers answer 404 when not, so that a trader
 * cannot even learn which ids exist.
 */
int aeo_operator_visible(const struct auth_principal *principal, const char *operator_id);

/*
 * Search: query matches a TIN prefix or a name prefix (case-folded);
 * "" lists all. Ordered by registration (UUIDv7 ids sort by time); `after`
 * is the id of the last operator of the previous page ("" for the first).
 * A trader principal finds only its own operator.
 */
int aeo_operator_search(struct store_conn *conn, const struct auth_principal *principal,
			const char *query, const char *after, int limit, struct aeo_operator *out,
			int *count);

/* Lower-case fold of ASCII and Cyrillic letters for search (UTF-8 in, UTF-8 out). */
void aeo_fold(const char *in, char *out, size_t size);

#endif
