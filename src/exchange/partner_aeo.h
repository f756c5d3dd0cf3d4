/*
 * partner_aeo.h — the register of partner administrations' AEOs (mutual
 * recognition): what their signed AEO status credentials said, newest
 * first, for the selectivity engine (aeo = partner) and for officers.
 */
#ifndef CV_EXCHANGE_PARTNER_AEO_H
#define CV_EXCHANGE_PARTNER_AEO_H

#include "base/err.h"
#include "store/db.h"

#include <jansson.h>

/* One partner AEO as a status credential states it. */
struct partner_aeo {
	const char *country;     /* ISO 3166 alpha-2 of the issuing administration */
	const char *operator_id; /* identification number in that country */
	const char *name;
	const char *aeo_number;
	const char *aeo_type;    /* AEOC, AEOS, AEOF */
	const char *status;      /* valid, suspended, revoked, expired */
	const char *valid_from;  /* date */
	const char *valid_until; /* date or NULL */
	const char *credential_id;
	const char *issued_at; /* RFC 3339: a credential older than the stored one changes nothing */
};

/*
 * Record what a credential says, in the caller's transaction. *applied: 1
 * when it replaced or added the entry, 0 when an equally new or newer
 * credential already stands (a replay, or an older one delivered late).
 * CV_EINVAL naming the bad member.
 */
int partner_aeo_record(struct store_conn *conn, const struct partner_aeo *entry, const char *now,
		       int *applied, struct cv_error *err);

/*
 * Is operator_id, dispatching from country, a partner AEO in good standing
 * on date (valid, within its dates)? 1 yes, 0 no, negative on error.
 */
int partner_aeo_recognised(struct store_conn *conn, const char *country, const char *operator_id,
			   const char *date);

/* The register as a JSON array, filtered by country and/or operator id ("" or NULL: all). */
int partner_aeo_list(struct store_conn *conn, const char *country, const char *operator_id,
		     json_t **out);

#endif
