/*
 * policy.h — the AEO programme's policy values (table aeo_policy): legal
 * clocks, number formats and periods that each administration sets for
 * itself. Defaults come from the EU Union Customs Code (docs/DOMAIN.md).
 * Read per use: a change takes effect at once and on every server.
 */
#ifndef CV_AEO_POLICY_H
#define CV_AEO_POLICY_H

#include "store/db.h"

#include <stddef.h>

/* The integer value of key; CV_EINTERNAL when missing or not a number. */
int aeo_policy_int(struct store_conn *conn, const char *key, int *out);
/* The numeric value of key (decimals allowed); CV_EINTERNAL when missing or not a number. */
int aeo_policy_double(struct store_conn *conn, const char *key, double *out);
/* The text value of key. */
int aeo_policy_text(struct store_conn *conn, const char *key, char *out, size_t size);

#endif
