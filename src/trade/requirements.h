/*
 * requirements.h — what goods need before they move: the regulatory
 * requirements (table regulatory_requirements, defaults from the Montreal,
 * Basel, CITES and Rotterdam conventions and national law on medicines,
 * narcotics, tobacco, food, vehicles and explosives) that apply to an HS
 * code moving in a direction from an origin, with the agencies of the node
 * that issue each LPCO. Traders ask before trading; lodging checks that a
 * declaration references each required document.
 */
#ifndef CV_TRADE_REQUIREMENTS_H
#define CV_TRADE_REQUIREMENTS_H

#include "store/db.h"

#include <jansson.h>

/*
 * The requirements for hs (2 to 10 digits) moving in direction (import,
 * export, transit) from origin (ISO 3166, or NULL): a JSON array of {id,
 * name, lpco_type, authority, agencies: [{code, name}], inspection,
 * legal_basis, hs_from, hs_to}.
 */
int trade_requirements_for(struct store_conn *conn, const char *hs, const char *direction,
			   const char *origin, json_t **out);

/*
 * The SQL condition under which the requirement aliased r applies to goods
 * of code hs moving in direction from origin (three SQL expressions): a
 * range compares the code's first digits with each end, so "2903".."2903"
 * is the whole heading. One definition for every query that asks.
 */
#define TRADE_REQUIREMENT_APPLIES(hs, direction, origin)                                           \
	"(r.direction = 'any' OR r.direction = " direction ")"                                     \
	" AND (r.origin IS NULL OR r.origin = " origin ")"                                         \
	" AND substr(" hs ", 1, length(r.hs_from)) >= r.hs_from"                                   \
	" AND substr(" hs ", 1, length(r.hs_to)) <= r.hs_to AND length(" hs                        \
	") >= length(r.hs_from)"

/* The SQL condition that the agency aliased a holds the authority of the requirement aliased r. */
#define TRADE_AGENCY_HOLDS "(',' || a.authorities || ',') LIKE ('%,' || r.authority || ',%')"

#endif
