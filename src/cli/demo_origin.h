/*
 * demo_origin.h — the demo chamber of commerce's certificates of origin
 * for the demo's exports (see demo_origin.c).
 */
#ifndef CV_CLI_DEMO_ORIGIN_H
#define CV_CLI_DEMO_ORIGIN_H

#include "base/config.h"
#include "base/err.h"
#include "exchange/node.h"
#include "store/db.h"

#include <stddef.h>

/*
 * Issue, once, a certificate for each released export of the demo traffic
 * to a CIS free trade area party, dated the day before its release; node
 * NULL (no key yet) does nothing. *issued counts them. In a write
 * transaction.
 */
int demo_origin_load(struct store_conn *conn, const struct exchange_node *node,
		     const struct cv_config *config, size_t *issued, struct cv_error *err);

#endif
