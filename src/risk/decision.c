/* decision.c — see decision.h. */
#include "risk/decision.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define MAX_HITS 256

void risk_office_params_defaults(struct risk_office_params *p)
{
	memset(p, 0, sizeof(*p));
	p->blue_threshold = 15;
	p->yellow_threshold = 40;
	p->red_threshold = 70;
	p->random_rate = 0.02;
	p->random_rate_aeo = 0.005;
	p->aeo_reduction[RISK_AEO_C] = 10;
	p->aeo_reduction[RISK_AEO_S] = 20;
	p->aeo_reduction[RISK_AEO_F] = 25;
	p->aeo_reduction[RISK_AEO_PARTNER] = 15;
	p->memory_reduction = 15;
	p->memory_examinations = 3;
	p->memory_days = 180;
	p->model_weight = 1.0;
	p->expected_blue = 0.05;
	p->expected_yellow = 0.10;
	p->expected_red = 0.08;
}

static const char *const aeo_names[RISK_AEO_KINDS] = {"none", "AEOC", "AEOS", "AEOF", "partner"};

int risk_aeo_parse(const char *name)
{
	const char *const *names = aeo_names;

	for (int i = 0; name && i < RISK_AEO_KINDS; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

double risk_random_draw(const unsigned char *secret, size_t secret_len, const char *id)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	uint64_t v = 0;

	crypto_auth_hmacsha256_init(&st, secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_final(&st, mac);
	/* The first 53 bits: every double in [0, 1) of that precision is equally likely. */
	for (int i = 0; i < 8; i++)
		v = (v << 8) | mac[i];
	return (double)(v >> 11) / 9007199254740992.0;
}

static enum risk_lane lane_of_score(const struct risk_office_params *p, double score)
{
	return score >= p->red_threshold      ? RISK_RED
	       : score >= p->yellow_threshold ? RISK_YELLOW
	       : score >= p->blue_threshold   ? RISK_BLUE
					      : RISK_GREEN;
}

enum risk_lane risk_decide(const struct risk_profile_set *set, const struct risk_office_params *p,
			   const struct risk_declaration *d, const unsigned char *secret,
			   size_t secret_len, risk_in_list_fn in_list, void *list_ctx,
			   json_t **explanation)
{
	double aeo_off = (unsigned)d->aeo < RISK_AEO_KINDS ? p->aeo_reduction[d->aeo] : 0;
	double rate = d->aeo != RISK_AEO_NONE ? p->random_rate_aeo : p->random_rate;
	double draw = risk_random_draw(secret, secret_len, d->id), top = -1e300;
	enum risk_lane lane = RISK_GREEN;
	json_t *items = explanation ? json_array() : NULL;
	size_t hits[MAX_HITS];

	for (size_t i = 0; i < d->nitems; i++) {
		size_t n = risk_eval(set, &d->items[i], in_list, list_ctx, hits, MAX_HITS);
		double score = 0, model = d->model_scores ? d->model_scores[i] * p->model_weight : 0;
		int clean = d->item_clean_examinations ? d->item_clean_examinations[i]
						       : d->clean_examinations;
		double memory_off = p->memory_examinations > 0 && clean >= p->memory_examinations
					    ? p->memory_reduction
					    : 0;
		enum risk_lane item_lane = RISK_GREEN;
		json_t *hit_list = items ? json_array() : NULL;

		for (size_t h = 0; h < n && h < MAX_HITS; h++) {
			const struct risk_profile_info *info = risk_profile_info(set, hits[h]);
			score += info->score;
			if (info->lane > item_lane)
				item_lane = info->lane;
			if (hit_list)
				json_array_append_new(hit_list,
						      /* No lane action: null, not "green". */
						      json_pack("{s:s, s:s, s:f, s:s?, s:s}",
								"profile", info->id, "title",
								info->title, "score", info->score,
								"lane",
								info->lane > RISK_GREEN
									? risk_lane_name(info->lane)
									: NULL,
								"note", info->note));
		}
		score += model - aeo_off - memory_off;
		if (score > top)
			top = score;
		if (lane_of_score(p, score) > item_lane)
			item_lane = lane_of_score(p, score);
		if (item_lane > lane)
			lane = item_lane;
		if (items)
			json_array_append_new(items,
					      json_pack("{s:I, s:o, s:{s:f, s:f, s:O?}, s:{s:i, s:f}, s:f, s:s}",
							"item", (json_int_t)i + 1, "hits", hit_list,
							"model", "score",
							d->model_scores ? d->model_scores[i] : 0.0,
							"weighted", model, "features",
							d->model_features ? d->model_features[i]
									  : NULL,
							"memory", "clean_examinations", clean,
							"reduction", memory_off, "score", score,
							"lane", risk_lane_name(item_lane)));
	}
	/* The random sample examines physically, whatever the scores said. */
	if (draw < rate && lane < RISK_RED)
		lane = RISK_RED;
	if (explanation)
		*explanation =
			json_pack("{s:s, s:f, s:o, s:{s:s, s:f}, s:{s:i, s:i, s:f}, s:{s:f, s:f, s:b},"
				  " s:{s:f, s:f, s:f}, s:f}",
				  "lane", risk_lane_name(lane), "score", d->nitems ? top : 0.0,
				  "items", items, "aeo", "status",
				  (unsigned)d->aeo < RISK_AEO_KINDS ? aeo_names[d->aeo] : "none",
				  "reduction", aeo_off, "memory", "needed", p->memory_examinations,
				  "days", p->memory_days, "reduction", p->memory_reduction, "random",
				  "draw", draw, "rate", rate, "selected", draw < rate, "thresholds",
				  "blue", p->blue_threshold, "yellow", p->yellow_threshold, "red",
				  p->red_threshold, "model_weight", p->model_weight);
	return lane;
}
