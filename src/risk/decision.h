/*
 * decision.h — the lane of a declaration: green (release), blue (release,
 * then post-clearance audit), yellow (documentary check), red (physical
 * examination), decided before the goods arrive, with its reasons.
 *
 * Per item: the scores of the profiles it hits, plus the learned model's
 * score times its weight, minus the AEO reduction of the declaration's
 * trader (per type, and for partner AEOs recognised under an MRA), minus the
 * consignment-memory reduction when the last examinations of similar
 * consignments were all clean. The item's lane is the strictest of the
 * profiles' lanes and the lane its score reaches on the office's thresholds;
 * the declaration's lane is the strictest over its items. Then the random
 * draw: HMAC-SHA256(node secret, declaration id) mapped to [0, 1) —
 * unpredictable to traders, reproducible for auditors — sends the
 * declaration to red when it falls under the office's minimum random rate
 * (lower for AEOs).
 *
 * Everything that differs between offices is in struct risk_office_params
 * (data, with defaults). The explanation records every component. Pure
 * functions: thread-safe.
 */
#ifndef CV_RISK_DECISION_H
#define CV_RISK_DECISION_H

#include "risk/profile.h"

#include <jansson.h>
#include <stddef.h>

enum risk_aeo {
	RISK_AEO_NONE,
	RISK_AEO_C,
	RISK_AEO_S,
	RISK_AEO_F,
	RISK_AEO_PARTNER,
	RISK_AEO_KINDS
};

struct risk_office_params {
	double blue_threshold, yellow_threshold, red_threshold; /* item score reaching each lane */
	double random_rate;                   /* minimum random examination rate */
	double random_rate_aeo;               /* the same for AEO declarations */
	double aeo_reduction[RISK_AEO_KINDS]; /* score points off per AEO status */
	double memory_reduction;              /* off when recent examinations were clean */
	int memory_examinations;              /* K: how many clean examinations it takes */
	int memory_days;                      /* D: how far back they count */
	double model_weight;                  /* weight of the learned score */
	/* The share of declarations expected per lane, for the statistics. */
	double expected_blue, expected_yellow, expected_red;
};

/*
 * Defaults: thresholds 15/40/70, random 2 % and 0.5 %, reductions C 10,
 * S 20, F 25, partner 15, memory 3 clean within 180 days → 15, model weight
 * 1, expected lanes blue 5 %, yellow 10 %, red 8 %.
 */
void risk_office_params_defaults(struct risk_office_params *params);

struct risk_declaration {
	const char *id;    /* the declaration's id: the random draw's input */
	enum risk_aeo aeo; /* the trader's AEO status */
	const struct risk_item *items;
	size_t nitems;
	const double *model_scores;    /* per item, 0..100, or NULL without a model */
	json_t *const *model_features; /* per item, the model's strongest features (JSON), or NULL */
	/*
	 * Consignment memory: how many of the latest examinations of similar
	 * consignments (the office's K within D days) were clean in a row — per
	 * item in item_clean_examinations, or, when that is NULL, the same
	 * clean_examinations for every item.
	 */
	const int *item_clean_examinations;
	int clean_examinations;
};

/* The draw in [0, 1) for a declaration id under the node's secret. */
double risk_random_draw(const unsigned char *secret, size_t secret_len, const char *declaration_id);

/* Parse "none", "AEOC", "AEOS", "AEOF", "partner"; -1 when unknown. */
int risk_aeo_parse(const char *name);

/*
 * Decide the lane. *explanation (may be NULL) receives the reasons as JSON:
 * lane, per item its hits (profile, title, score, lane, note), model score,
 * reductions, item score and lane; the random draw, the rate and whether it
 * selected; the thresholds used.
 */
enum risk_lane risk_decide(const struct risk_profile_set *set,
			   const struct risk_office_params *params,
			   const struct risk_declaration *declaration, const unsigned char *secret,
			   size_t secret_len, risk_in_list_fn in_list, void *list_ctx,
			   json_t **explanation);

#endif
