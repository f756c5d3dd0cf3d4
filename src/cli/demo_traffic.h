/*
 * demo_traffic.h — the plan of the demo node's single-window traffic, which
 * demo_single_window.c plays through the trade code (internal to `caravan
 * demo`): six traders and what they trade, about 3,000 consignments over
 * the last 90 days with the habits of the trader behind each, and the
 * LPCOs their goods need, planned per trader and flow. Everything is drawn
 * from one fixed seed; the plan is the same for the same end time.
 * Not thread-safe (one plan, one thread).
 */
#ifndef CV_CLI_DEMO_TRAFFIC_H
#define CV_CLI_DEMO_TRAFFIC_H

#include "base/clock.h"
#include "base/ids.h"

#include <jansson.h>

#include <stddef.h>
#include <stdint.h>

#define DEMO_DAYS 90
#define DEMO_MINUTE_MS (60 * 1000LL)
#define DEMO_HOUR_MS (60 * DEMO_MINUTE_MS)
#define DEMO_DAY_MS (24 * DEMO_HOUR_MS)
#define DEMO_MAX_ITEMS 4
#define DEMO_MAX_FLOWS 4
#define DEMO_TRADERS 6
#define DEMO_PARTIES 6

struct demo_goods {
	const char *hs, *description, *unit;
	int min, max;  /* quantity of an item, in unit */
	double kg;     /* net mass of one unit */
	int64_t cents; /* price of one unit, in US cents */
};

/*
 * One line of a trader's business. exporter or importer NULL is the trader
 * itself; every item is one of goods, and needs the LPCO named (NULL: none)
 * on a line for lpco_hs, in the unit of goods[0].
 */
struct demo_flow {
	const char *direction, *procedure, *office, *mode;
	const char *departure, *destination, *origin;
	const char *exporter, *importer;
	const char *currency, *preference;
	const struct demo_goods *goods[DEMO_MAX_ITEMS];
	int max_items;
	const char *lpco_type, *agency, *lpco_hs;
	int lead_min, lead_max; /* hours from lodgement to arrival */
	int weight;             /* share of the trader's declarations */
};

/*
 * The trader's habits: how it pays, how often it lodges before its LPCO is
 * issued, what examinations of its goods find. An AEO's goods are examined
 * first (the "priority" benefit); that its duties are deferred is the
 * node's own finding (trade_assessment), not this table's.
 */
struct demo_trader {
	const char *tin, *code, *name;
	int declarations;
	const struct demo_flow *flows;
	int nflows;
	double pay_after_arrival; /* share paid only once the goods are at the border */
	double short_of_funds;    /* share paid days later */
	double early;             /* share of new LPCOs lodged for before they are issued */
	double findings;          /* share of examinations that find something */
	int aeo;
};

extern const struct demo_trader demo_traders[DEMO_TRADERS];

/* The parties of a joint examination: customs, then the demo agencies. */
extern const char *const demo_parties[DEMO_PARTIES];

/* The index of a party in demo_parties, or -1. */
int demo_party_index(const char *party);

/* What the trader will do besides the usual (struct demo_consignment.plan). */
enum {
	DEMO_PLAN_EARLY = 1 << 0,     /* lodged before its LPCO is issued: amended once it is */
	DEMO_PLAN_CANCEL = 1 << 1,    /* the order falls through before the goods arrive */
	DEMO_PLAN_CORRECT = 1 << 2,   /* the invoice is corrected before arrival */
	DEMO_PLAN_PAY_LATE = 1 << 3,  /* pays once the goods are at the border */
	DEMO_PLAN_NO_PERMIT = 1 << 4, /* its LPCO is refused: cancelled */
	DEMO_PLAN_FORGOT = 1 << 5,    /* the LPCO reference is left out: amended when told */
	DEMO_PLAN_SLOW_PAY = 1 << 6,  /* short of funds: pays days later */
};

/* What the trader's next version of a declaration carries (struct demo_consignment.sent). */
enum {
	DEMO_SENT_CORRECTED = 1 << 0,  /* the corrected invoice value */
	DEMO_SENT_REFERENCED = 1 << 1, /* the LPCO reference it had left out */
};

struct demo_item {
	const struct demo_goods *goods;
	int quantity;
};

/* A consignment: its plan, and (kept by the replay) what became of it. */
struct demo_consignment {
	int trader, flow, nitems;
	struct demo_item items[DEMO_MAX_ITEMS];
	int64_t lodge_at, arrive_at;
	int permit; /* the LPCO its items draw on (or wait for), -1 none */
	int stale;  /* an expired LPCO the trader references when it lodges early, -1 none */
	int serial; /* 1, 2, ... in lodgement order: invoice, vehicle and container numbers */
	unsigned plan;
	unsigned sent;                  /* DEMO_SENT_*: what the trader changed since lodging */
	unsigned state;                 /* the replay's */
	char id[CV_UUID_STR], lane[16]; /* the node's, once lodged */
};

/* An LPCO application: when, for how much, whether it is refused. */
struct demo_permit {
	int trader, flow, refused;
	int64_t apply_at, decide_at;
	int quantity, reserved; /* granted; drawn by the consignments planned on it */
	char valid_from[CV_DATE_MAX], valid_to[CV_DATE_MAX];
	char id[CV_UUID_STR], number[96]; /* the node's, once applied for and issued */
};

struct demo_traffic {
	uint64_t rng;
	int64_t start_ms, end_ms;
	struct demo_consignment *c; /* in lodgement order */
	size_t nc;
	struct demo_permit *p;
	size_t np, cap_p;
};

/* Draw the plan of the DEMO_DAYS days up to end_ms. CV_ENOMEM. */
int demo_traffic_plan(struct demo_traffic *t, int64_t end_ms);

/* Free what the plan holds. */
void demo_traffic_release(struct demo_traffic *t);

/* The plan's generator, for the replay's own draws: [0, 1), [a, b), p, hours in [a, b). */
double demo_uniform(struct demo_traffic *t);
double demo_between(struct demo_traffic *t, double a, double b);
int demo_chance(struct demo_traffic *t, double p);
int64_t demo_hours(struct demo_traffic *t, double a, double b);

/* A rough price conversion from US dollars (customs converts at its own rates). */
double demo_per_usd(const char *currency);

/*
 * The declaration c's trader sends now (the body of POST /api/v1/declarations):
 * its LPCO once issued — before that an expired one referenced by mistake,
 * or none; left out until the trader is told when it forgot — and the
 * corrected invoice value once corrected. Vehicles and containers follow
 * from the serial, so every version names the same. The caller frees it.
 */
json_t *demo_declaration(const struct demo_traffic *t, const struct demo_consignment *c);

#endif
