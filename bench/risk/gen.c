/*
 * gen.c — the data of bench-risk: one canonical rule set, rendered for each
 * engine, the watchlists and the declaration items.
 *
 * usage: gen OUT_DIR PROFILES ITEMS SEED
 *
 * The canonical rule set is a neutral description: per rule an id, a score
 * and a conjunction of conditions from
 *   hs startswith P | hs between A and B | origin = X | origin in (X, Y..)
 *   | value > N | unit_value < N | importer in watchlist W | direction = import
 * It is written once as rules.canon and rendered three ways from the same
 * structs:
 *   profiles.txt  caravan's profile language (docs/RISK.md)
 *   rules.clp     CLIPS deftemplates and defrules (bench/peers/clips)
 *   rules.json    json-rules-engine rules (bench/peers/json-rules-engine)
 * plus
 *   watchlists.txt     "LIST importer" per line (4 lists, hundreds of ids each)
 *   items.tsv          one item per line: hs origin value net_mass importer direction
 *   declarations.jsonl the same items as declaration JSON, one declaration
 *                      (1 to 6 items sharing importer and direction) per line
 *
 * The mix is meant to look like a customs administration's set: most rules
 * anchored on an HS prefix of 2 to 8 digits (a chapter-wide rule always has
 * another condition), some HS ranges, some on origin with a value test, some
 * watchlists, a few value thresholds and undervaluation tests that apply to
 * every item. Item HS codes are drawn, skewed, from a universe of 10-digit
 * codes, and the rules' prefixes from the same universe, so a realistic
 * fraction of items hits something. Deterministic: the same arguments give
 * the same files.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HS_UNIVERSE 6000
#define IMPORTERS 50000
#define MAX_CONDS 5
#define MAX_ORIGINS 3

static unsigned long long rng = 88172645463325252ULL;

static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

static int below(int n) { return (int)(uniform() * n); }

static double normal(void)
{
	double u = uniform(), v = uniform();
	return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* Countries of origin with a rough share of a Central Asian node's imports. */
static const struct {
	const char *code;
	int weight;
} origins[] = {
	{"CN", 300}, {"RU", 250}, {"TR", 60}, {"DE", 50}, {"UZ", 45}, {"KR", 40},
	{"US", 30},  {"IT", 25},  {"IN", 25}, {"BY", 20}, {"JP", 18}, {"FR", 15},
	{"PL", 12},  {"KG", 12},  {"AE", 10}, {"VN", 10}, {"GB", 8},  {"NL", 8},
	{"IR", 8},   {"ES", 6},   {"TM", 6},  {"TJ", 5},  {"AZ", 5},  {"BR", 4},
	{"TH", 4},   {"MY", 3},   {"PK", 3},  {"AF", 2},  {"GE", 2},  {"AM", 2},
};
#define NORIGINS (sizeof(origins) / sizeof(origins[0]))

static const char *pick_origin(void)
{
	int total = 0, r;
	for (size_t i = 0; i < NORIGINS; i++)
		total += origins[i].weight;
	r = below(total);
	for (size_t i = 0; i < NORIGINS; i++) {
		if (r < origins[i].weight)
			return origins[i].code;
		r -= origins[i].weight;
	}
	return origins[0].code;
}

static const char *const watchlists[] = {"DENIED-PARTIES", "HIGH-RISK-IMPORTERS", "NEW-TRADERS",
					 "UNDERVALUATION-WATCH"};
static const int watchlist_sizes[] = {300, 500, 200, 800};
#define NWATCHLISTS 4

enum cond_kind {
	C_DIRECTION,
	C_HS_PREFIX,
	C_HS_BETWEEN,
	C_ORIGIN,
	C_VALUE_GT,
	C_UNIT_VALUE_LT,
	C_WATCHLIST
};

struct cond {
	enum cond_kind kind;
	char a[32], b[32];                /* prefix; between's bounds */
	const char *origins[MAX_ORIGINS]; /* origin = X (n 1), origin in (...) */
	int norigins;
	double number; /* value > N, unit_value < N */
	int list;      /* watchlist */
};

struct rule {
	char id[16];
	int score;
	struct cond conds[MAX_CONDS];
	int nconds;
};

static char universe[HS_UNIVERSE][32];

/* Chapters 01..97 (77 is reserved), skewed towards the low-numbered draws. */
static int pick_chapter(void)
{
	static int chapters[96];
	static int n;
	if (!n)
		for (int c = 1; c <= 97; c++)
			if (c != 77)
				chapters[n++] = c;
	/* A fixed shuffle so busy chapters are spread over the nomenclature. */
	double u = uniform();
	int i = (int)(u * u * n);
	return chapters[(i * 37 + 11) % n];
}

static void make_universe(void)
{
	for (int i = 0; i < HS_UNIVERSE; i++) {
		int ch = pick_chapter(), hd = 1 + (int)(pow(uniform(), 2) * 30);
		int sh = 10 * (1 + below(9)) + (uniform() < 0.5 ? 0 : below(10));
		int nat = 100 * below(10) + (uniform() < 0.6 ? 0 : 10 * below(10));
		snprintf(universe[i], sizeof(universe[i]), "%02d%02d%02d%04d", ch % 100, hd % 100,
			 sh % 100, nat % 10000);
	}
}

/* An item's code: a Zipf-like draw over the universe (a few codes are very common). */
static const char *pick_item_hs(void)
{
	double u = uniform();
	int i = (int)(pow(u, 3.0) * HS_UNIVERSE);
	return universe[i];
}

static double lognormal(double mu, double sigma) { return exp(mu + sigma * normal()); }

static const double value_thresholds[] = {20000, 50000, 100000, 250000, 500000, 1000000};
static const double unit_thresholds[] = {0.05, 0.1, 0.2, 0.5, 1};

static void add_cond(struct rule *r, struct cond c) { r->conds[r->nconds++] = c; }

static struct cond direction_import(void)
{
	struct cond c = {.kind = C_DIRECTION};
	return c;
}

/* Origins for a rule: by trade share when it narrows an HS rule, uniformly (a country of concern) otherwise. */
static struct cond origin_cond(int max, int by_share)
{
	struct cond c = {.kind = C_ORIGIN};
	int n = 1 + below(max);
	while (c.norigins < n) {
		const char *o = by_share ? pick_origin() : origins[below((int)NORIGINS)].code;
		int dup = 0;
		for (int i = 0; i < c.norigins; i++)
			dup |= !strcmp(c.origins[i], o);
		if (!dup)
			c.origins[c.norigins++] = o;
	}
	return c;
}

static struct cond value_cond(void)
{
	struct cond c;
	memset(&c, 0, sizeof(c));
	if (uniform() < 0.65) {
		c.kind = C_VALUE_GT;
		c.number = value_thresholds[below(6)];
	} else {
		c.kind = C_UNIT_VALUE_LT;
		c.number = unit_thresholds[below(5)];
	}
	return c;
}

static struct cond watchlist_cond(void)
{
	struct cond c = {.kind = C_WATCHLIST};
	c.list = below(NWATCHLISTS);
	return c;
}

static void make_rule(struct rule *r, int index, int profiles)
{
	double kind = (double)index / profiles, u;
	struct cond c;

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "R%04d", index + 1);
	r->score = 5 * (1 + below(20));
	memset(&c, 0, sizeof(c));
	/* Analysts often write the direction first. */
	int direction = uniform() < 0.25;
	if (kind < 0.66) {
		/* An HS prefix: 2 (5 %), 4 (30 %), 6 (40 %) or 8 (25 %) digits. */
		u = uniform();
		int len = u < 0.05 ? 2 : u < 0.35 ? 4 : u < 0.75 ? 6 : 8;
		if (direction)
			add_cond(r, direction_import());
		c.kind = C_HS_PREFIX;
		memcpy(c.a, universe[below(HS_UNIVERSE)], (size_t)len);
		add_cond(r, c);
		int extra = 0;
		if (uniform() < 0.35) {
			add_cond(r, origin_cond(MAX_ORIGINS, 1));
			extra++;
		}
		if (uniform() < 0.30 || (len == 2 && !extra)) {
			add_cond(r, value_cond());
			extra++;
		}
		if (uniform() < 0.05)
			add_cond(r, watchlist_cond());
	} else if (kind < 0.74) {
		/* A range of subheadings within a heading: 290341.. to 290369.., */
		const char *base = universe[below(HS_UNIVERSE)];
		int lo = 1 + below(4), hi = lo + 1 + below(9 - lo);
		if (direction)
			add_cond(r, direction_import());
		c.kind = C_HS_BETWEEN;
		snprintf(c.a, sizeof(c.a), "%.4s%d%d0000", base, lo, below(10));
		snprintf(c.b, sizeof(c.b), "%.4s%d%d9999", base, hi, below(10));
		add_cond(r, c);
		if (uniform() < 0.3)
			add_cond(r, origin_cond(2, 1));
		if (uniform() < 0.3)
			add_cond(r, value_cond());
	} else if (kind < 0.86) {
		/* Origin with a value test. */
		if (direction)
			add_cond(r, direction_import());
		add_cond(r, origin_cond(2, 0));
		add_cond(r, value_cond());
	} else if (kind < 0.92) {
		/* A watchlist, usually written after the direction. */
		if (uniform() < 0.6)
			add_cond(r, direction_import());
		add_cond(r, watchlist_cond());
		if (uniform() < 0.5)
			add_cond(r, value_cond());
	} else if (kind < 0.97) {
		/* Large imports. */
		add_cond(r, direction_import());
		c.kind = C_VALUE_GT;
		c.number = value_thresholds[3 + below(3)];
		add_cond(r, c);
	} else {
		/* Undervaluation of large consignments: checked on every item. */
		c.kind = C_UNIT_VALUE_LT;
		c.number = unit_thresholds[below(3)];
		add_cond(r, c);
		memset(&c, 0, sizeof(c));
		c.kind = C_VALUE_GT;
		c.number = value_thresholds[below(3)];
		add_cond(r, c);
	}
}

/* Shuffle the rules' order so the kinds are interleaved, as in a real set; ids follow the new order. */
static void shuffle(struct rule *rules, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = below(i + 1);
		struct rule t = rules[i];
		rules[i] = rules[j];
		rules[j] = t;
	}
	for (int i = 0; i < n; i++)
		snprintf(rules[i].id, sizeof(rules[i].id), "R%04d", i + 1);
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void close_out(FILE *f)
{
	if (ferror(f) || fclose(f)) {
		perror("gen: write");
		exit(1);
	}
}

/* ---- renderers ---------------------------------------------------------- */

static void write_canon(FILE *f, const struct rule *rules, int n)
{
	fprintf(f, "# bench-risk canonical rule set: id score condition... (all must hold)\n");
	for (int i = 0; i < n; i++) {
		const struct rule *r = &rules[i];
		fprintf(f, "%s score=%d", r->id, r->score);
		for (int k = 0; k < r->nconds; k++) {
			const struct cond *c = &r->conds[k];
			switch (c->kind) {
			case C_DIRECTION: fprintf(f, " direction=import"); break;
			case C_HS_PREFIX: fprintf(f, " hs^%s", c->a); break;
			case C_HS_BETWEEN: fprintf(f, " hs[%s..%s]", c->a, c->b); break;
			case C_ORIGIN:
				fprintf(f, " origin=");
				for (int j = 0; j < c->norigins; j++)
					fprintf(f, "%s%s", j ? "," : "", c->origins[j]);
				break;
			case C_VALUE_GT: fprintf(f, " value>%.15g", c->number); break;
			case C_UNIT_VALUE_LT: fprintf(f, " unit_value<%.15g", c->number); break;
			case C_WATCHLIST: fprintf(f, " importer@%s", watchlists[c->list]); break;
			}
		}
		fprintf(f, "\n");
	}
}

static void write_caravan(FILE *f, const struct rule *rules, int n)
{
	fprintf(f, "# bench-risk: generated by bench/risk/gen.c from rules.canon\n");
	for (int i = 0; i < n; i++) {
		const struct rule *r = &rules[i];
		fprintf(f, "profile %s \"bench rule %d\"\n  when ", r->id, i + 1);
		for (int k = 0; k < r->nconds; k++) {
			const struct cond *c = &r->conds[k];
			if (k)
				fprintf(f, " and ");
			switch (c->kind) {
			case C_DIRECTION: fprintf(f, "direction = \"import\""); break;
			case C_HS_PREFIX: fprintf(f, "hs startswith \"%s\"", c->a); break;
			case C_HS_BETWEEN:
				fprintf(f, "hs between \"%s\" and \"%s\"", c->a, c->b);
				break;
			case C_ORIGIN:
				if (c->norigins == 1) {
					fprintf(f, "origin = \"%s\"", c->origins[0]);
					break;
				}
				fprintf(f, "origin in (");
				for (int j = 0; j < c->norigins; j++)
					fprintf(f, "%s\"%s\"", j ? ", " : "", c->origins[j]);
				fprintf(f, ")");
				break;
			case C_VALUE_GT: fprintf(f, "value > %.15g", c->number); break;
			case C_UNIT_VALUE_LT: fprintf(f, "unit_value < %.15g", c->number); break;
			case C_WATCHLIST:
				fprintf(f, "importer in list \"%s\"", watchlists[c->list]);
				break;
			}
		}
		fprintf(f, "\n  then score %d\nend\n", r->score);
	}
}

/*
 * CLIPS: the item is one fact whose HS code also comes cut into prefixes
 * (h2, h4, h6, h8), so an HS prefix is a constant test on a slot — what the
 * Rete network hashes — rather than a function call per rule. A range adds
 * its bounds' common prefix as such a slot test (it is implied by the
 * range). A watchlist is a join with (watch (list L) (id ?importer)) facts.
 * A hit calls the driver's function (hit ITEM RULE).
 */
static void write_clips(FILE *f, const struct rule *rules, int n)
{
	fprintf(f,
		";; bench-risk: generated by bench/risk/gen.c from rules.canon\n"
		"(deftemplate item (slot id) (slot hs) (slot h2) (slot h4) (slot h6) (slot h8)\n"
		"  (slot origin) (slot value) (slot unit-value) (slot importer) (slot direction))\n"
		"(deftemplate watch (slot list) (slot id))\n");
	for (int i = 0; i < n; i++) {
		const struct rule *r = &rules[i];
		int watch = -1;
		fprintf(f, "(defrule %s\n  (item (id ?i)", r->id);
		for (int k = 0; k < r->nconds; k++) {
			const struct cond *c = &r->conds[k];
			size_t common = 0;
			switch (c->kind) {
			case C_DIRECTION: fprintf(f, " (direction \"import\")"); break;
			case C_HS_PREFIX: fprintf(f, " (h%zu \"%s\")", strlen(c->a), c->a); break;
			case C_HS_BETWEEN:
				while (c->a[common] && c->a[common] == c->b[common])
					common++;
				common &= ~(size_t)1; /* the slots hold even-length prefixes */
				if (common >= 2)
					fprintf(f, " (h%zu \"%.*s\")", common, (int)common, c->a);
				fprintf(f,
					" (hs ?hs&:(>= (str-compare ?hs \"%s\") 0)&:(<= (str-compare ?hs \"%s\") 0))",
					c->a, c->b);
				break;
			case C_ORIGIN:
				fprintf(f, " (origin ");
				for (int j = 0; j < c->norigins; j++)
					fprintf(f, "%s\"%s\"", j ? "|" : "", c->origins[j]);
				fprintf(f, ")");
				break;
			case C_VALUE_GT: fprintf(f, " (value ?v&:(> ?v %.15g))", c->number); break;
			case C_UNIT_VALUE_LT:
				fprintf(f, " (unit-value ?u&:(< ?u %.15g))", c->number);
				break;
			case C_WATCHLIST:
				fprintf(f, " (importer ?imp)");
				watch = c->list;
				break;
			}
		}
		fprintf(f, ")\n");
		if (watch >= 0)
			fprintf(f, "  (watch (list \"%s\") (id ?imp))\n", watchlists[watch]);
		fprintf(f, "  =>\n  (hit ?i %d))\n", i + 1);
	}
}

/* json-rules-engine: "all" of conditions; startsWith, textBetween and inWatchlist are operators the peer adds. */
static void write_jre(FILE *f, const struct rule *rules, int n)
{
	fprintf(f, "[\n");
	for (int i = 0; i < n; i++) {
		const struct rule *r = &rules[i];
		fprintf(f, "{\"name\":\"%s\",\"conditions\":{\"all\":[", r->id);
		for (int k = 0; k < r->nconds; k++) {
			const struct cond *c = &r->conds[k];
			if (k)
				fprintf(f, ",");
			switch (c->kind) {
			case C_DIRECTION:
				fprintf(f,
					"{\"fact\":\"direction\",\"operator\":\"equal\",\"value\":\"import\"}");
				break;
			case C_HS_PREFIX:
				fprintf(f,
					"{\"fact\":\"hs\",\"operator\":\"startsWith\",\"value\":\"%s\"}",
					c->a);
				break;
			case C_HS_BETWEEN:
				fprintf(f,
					"{\"fact\":\"hs\",\"operator\":\"textBetween\",\"value\":[\"%s\",\"%s\"]}",
					c->a, c->b);
				break;
			case C_ORIGIN:
				if (c->norigins == 1) {
					fprintf(f,
						"{\"fact\":\"origin\",\"operator\":\"equal\",\"value\":\"%s\"}",
						c->origins[0]);
					break;
				}
				fprintf(f, "{\"fact\":\"origin\",\"operator\":\"in\",\"value\":[");
				for (int j = 0; j < c->norigins; j++)
					fprintf(f, "%s\"%s\"", j ? "," : "", c->origins[j]);
				fprintf(f, "]}");
				break;
			case C_VALUE_GT:
				fprintf(f,
					"{\"fact\":\"value\",\"operator\":\"greaterThan\",\"value\":%.15g}",
					c->number);
				break;
			case C_UNIT_VALUE_LT:
				fprintf(f,
					"{\"fact\":\"unit_value\",\"operator\":\"lessThan\",\"value\":%.15g}",
					c->number);
				break;
			case C_WATCHLIST:
				fprintf(f,
					"{\"fact\":\"importer\",\"operator\":\"inWatchlist\",\"value\":\"%s\"}",
					watchlists[c->list]);
				break;
			}
		}
		fprintf(f, "]},\"event\":{\"type\":\"hit\",\"params\":{\"rule\":%d}}}%s\n", i + 1,
			i + 1 < n ? "," : "");
	}
	fprintf(f, "]\n");
}

/* ---- items -------------------------------------------------------------- */

static void importer_id(char *out, size_t size, int i)
{
	snprintf(out, size, "KZ%012d", 100000 + i * 7);
}

static void write_watchlists(FILE *f)
{
	for (int l = 0; l < NWATCHLISTS; l++) {
		char *taken = calloc(IMPORTERS, 1);
		for (int k = 0; k < watchlist_sizes[l];) {
			/* Any trader may be listed, busy or not. */
			int i = below(IMPORTERS);
			char id[32];
			if (taken[i])
				continue;
			taken[i] = 1;
			importer_id(id, sizeof(id), i);
			fprintf(f, "%s %s\n", watchlists[l], id);
			k++;
		}
		free(taken);
	}
}

static void write_items(FILE *tsv, FILE *json, long nitems)
{
	long written = 0, declaration = 0;

	while (written < nitems) {
		int n = 1 + below(6);
		double u = uniform(), d = uniform();
		const char *direction = d < 0.85 ? "import" : d < 0.95 ? "export" : "transit";
		char importer[32];

		importer_id(importer, sizeof(importer), (int)(u * u * IMPORTERS));
		if (n > nitems - written)
			n = (int)(nitems - written);
		fprintf(json,
			"{\"id\":\"BENCH-%08ld\",\"direction\":\"%s\",\"importer\":\"%s\",\"items\":[",
			++declaration, direction, importer);
		for (int k = 0; k < n; k++) {
			const char *hs = pick_item_hs(), *origin = pick_origin();
			long value = 1 + (long)lognormal(8.5, 1.6);
			long mass = 1 + (long)lognormal(5.0, 1.8);
			fprintf(tsv, "%s\t%s\t%ld\t%ld\t%s\t%s\n", hs, origin, value, mass,
				importer, direction);
			fprintf(json,
				"%s{\"hs\":\"%s\",\"origin\":\"%s\",\"value\":%ld,\"net_mass\":%ld}",
				k ? "," : "", hs, origin, value, mass);
		}
		fprintf(json, "]}\n");
		written += n;
	}
}

int main(int argc, char **argv)
{
	int profiles;
	long items;
	struct rule *rules;
	FILE *f, *g;

	if (argc != 5) {
		fprintf(stderr, "usage: gen OUT_DIR PROFILES ITEMS SEED\n");
		return 2;
	}
	profiles = atoi(argv[2]);
	items = atol(argv[3]);
	rng ^= strtoull(argv[4], NULL, 10) * 0x9E3779B97F4A7C15ULL;
	if (profiles < 1 || items < 1 || !rng) {
		fprintf(stderr, "gen: PROFILES and ITEMS must be at least 1\n");
		return 2;
	}
	make_universe();
	rules = calloc((size_t)profiles, sizeof(*rules));
	if (!rules)
		return 1;
	for (int i = 0; i < profiles; i++)
		make_rule(&rules[i], i, profiles);
	shuffle(rules, profiles);

	write_canon(f = open_out(argv[1], "rules.canon"), rules, profiles);
	close_out(f);
	write_caravan(f = open_out(argv[1], "profiles.txt"), rules, profiles);
	close_out(f);
	write_clips(f = open_out(argv[1], "rules.clp"), rules, profiles);
	close_out(f);
	write_jre(f = open_out(argv[1], "rules.json"), rules, profiles);
	close_out(f);
	write_watchlists(f = open_out(argv[1], "watchlists.txt"));
	close_out(f);
	f = open_out(argv[1], "items.tsv");
	g = open_out(argv[1], "declarations.jsonl");
	write_items(f, g, items);
	close_out(f);
	close_out(g);
	free(rules);
	return 0;
}
