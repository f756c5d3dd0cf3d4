/*
 * demo_single_window.h — the demo node's single-window traffic: about
 * three thousand declarations of six demo traders over the last 90 days,
 * lodged, decided, examined, paid, released and exited through the trade
 * code the API runs (src/trade), each step at the time it happened, so
 * that every list, worklist and report of a demo node shows real figures.
 * The design is at the top of demo_single_window.c. Single-threaded: it
 * sets the process clock (cv_clock_override) while it runs.
 */
#ifndef CV_CLI_DEMO_SINGLE_WINDOW_H
#define CV_CLI_DEMO_SINGLE_WINDOW_H

#include "base/config.h"
#include "base/err.h"
#include "store/db.h"

#include <stddef.h>

/* What was played: the figures the demo prints. */
struct demo_single_window_stats {
	size_t declarations, amended, released, exited, cancelled, examinations, payments;
	size_t lpcos_issued, lpcos_refused, lpcos_pending;
	int skipped; /* the node had single-window declarations already: nothing done */
};

/*
 * Play the traffic into conn, in one transaction, once: a node that has
 * declarations lodged through the single window already is left alone
 * (stats->skipped). Needs the demo's operators, offices, tariff, agencies,
 * profiles and model. progress (may be NULL) is told the declarations
 * lodged so far.
 */
int demo_single_window_load(struct store_conn *conn, const struct cv_config *config,
			    void (*progress)(void *ctx, size_t done, size_t total),
			    void *progress_ctx, struct demo_single_window_stats *stats,
			    struct cv_error *err);

#endif
