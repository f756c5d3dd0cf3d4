/*
 * demo_traffic.c — see demo_traffic.h.
 *
 * The traders and their flows are a picture of a Kazakh border: apples and
 * mandarins from China through Khorgos, tomatoes from Uzbekistan, potatoes
 * from Kyrgyzstan and frozen beef from Belarus under the EAEU preference,
 * all needing the agriculture ministry's certificates and inspection;
 * phones and laptops by road and by rail through Dostyk, some in transit
 * to Uzbekistan; cars that need a type approval and parts that do not;
 * medicines by air under a registration, codeine under a narcotics
 * permit; copper scrap and spent batteries exported under a Basel
 * consent; wheat exported; HFC refrigerant under an ozone licence. Two of
 * the six traders are AEOs (AEOC, deferred payment): Eurasia Electronics
 * and Almaty Fresh Foods, whose flows match Dala Fruit Import's, so that
 * the release-time report compares like with like.
 *
 * Consignments are spread over the DEMO_DAYS days up to the end time:
 * lodged in office hours, fewer at weekends, and more as the weeks go by
 * (traders moved to the single window progressively). The LPCOs are
 * planned in lodgement order per trader and flow: the current one serves
 * while it is valid and has enough left; a consignment of one item takes
 * what is left when that is a fair part of its goods (the LPCO is then
 * used up); otherwise the trader applies again — usually ahead of need,
 * sometimes only after lodging (the declaration waits, documents
 * required); one application in twelve is refused. Agencies take hours
 * (certificates) to days (approvals, permits) to decide.
 */
#include "cli/demo_traffic.h"

#include "base/err.h"
#include "base/mem.h"
#include "trade/lodging.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_SEED 0x5EED2026CA7A7A4ULL

/* ---- what the demo traders trade ------------------------------------------------ */

static const struct demo_goods
	apples = {"0808108000", "Fresh apples, Fuji", "KGM", 8000, 20000, 1, 80},
	mandarins = {"0805210000", "Fresh mandarins", "KGM", 6000, 18000, 1, 110},
	tomatoes = {"0702000000", "Fresh tomatoes", "KGM", 5000, 16000, 1, 70},
	potatoes = {"0701900000", "Potatoes, fresh", "KGM", 10000, 22000, 1, 25},
	beef = {"0202300000", "Frozen boneless beef", "KGM", 12000, 22000, 1, 460},
	phones = {"8517130000", "Smartphones", "H87", 100, 800, 0.25, 15000},
	laptops = {"8471300000", "Laptops", "H87", 50, 400, 2.2, 45000},
	routers = {"8517620000", "Network routers", "H87", 200, 1500, 0.6, 3000},
	tvs = {"8528720000", "LED televisions", "H87", 50, 300, 14, 25000},
	cars = {"8703230000", "Passenger cars, petrol, 1.5 to 3 l", "H87", 2, 12, 1450, 1800000},
	ecars = {"8703800000", "Electric passenger cars", "H87", 1, 8, 1900, 2600000},
	parts = {"8708990000", "Vehicle parts", "KGM", 200, 2000, 1, 800},
	brakes = {"8708300000", "Brake pads and discs", "KGM", 100, 800, 1, 1200},
	tyres = {"4011100000", "Tyres for passenger cars", "H87", 100, 1000, 9, 4500},
	medicines = {"3004900000", "Medicaments in retail packs", "KGM", 50, 800, 1, 12000},
	antibiotics = {"3004200000", "Antibiotics in retail packs", "KGM", 20, 300, 1, 9000},
	codeine = {"2939110000", "Codeine phosphate", "KGM", 5, 40, 1, 200000},
	copper = {"7404000000", "Copper waste and scrap", "KGM", 20000, 60000, 1, 600},
	wheat = {"1001990000", "Milling wheat", "KGM", 60000, 68000, 1, 25},
	hfc = {"2903450000", "HFC-134a refrigerant", "KGM", 1000, 8000, 1, 500},
	batteries = {"8549110000", "Spent lead-acid batteries", "KGM", 10000, 20000, 1, 90};

#define PHYTO "PHYTOSANITARY-CERTIFICATE"

/*
 * direction, procedure, office, mode, departure, destination, origin,
 * exporter, importer, currency, preference; goods, items at most; LPCO
 * type, agency, line; hours to arrival; weight.
 */
// clang-format off
static const struct demo_flow fresh_foods[] = {
	{"import", "4000", "KZ-KHO", "3", "CN", "KZ", "CN", "CN-YANTAI-FRUIT", NULL, "USD", NULL,
	 {&apples}, 1, PHYTO, "KZ-MOA", "0808", 6, 36, 4},
	{"import", "4000", "KZ-KHO", "3", "CN", "KZ", "CN", "CN-GUANGXI-CITRUS", NULL, "USD", NULL,
	 {&mandarins}, 1, PHYTO, "KZ-MOA", "0805", 8, 40, 2},
	{"import", "4000", "KZ-AST", "3", "RU", "KZ", "BY", "BY-MINSK-MEAT", NULL, "RUB", "EAEU",
	 {&beef}, 1, "VETERINARY-CERTIFICATE", "KZ-MOA", "0202", 20, 60, 2},
	{"import", "4000", "KZ-ALA", "3", "UZ", "KZ", "UZ", "UZ-SAMARKAND-AGRO", NULL, "USD", NULL,
	 {&tomatoes}, 1, PHYTO, "KZ-MOA", "0702", 10, 30, 2},
};

static const struct demo_flow dala[] = {
	{"import", "4000", "KZ-KHO", "3", "CN", "KZ", "CN", "CN-AKSU-ORCHARDS", NULL, "USD", NULL,
	 {&apples}, 1, PHYTO, "KZ-MOA", "0808", 6, 36, 4},
	{"import", "4000", "KZ-ALA", "3", "UZ", "KZ", "UZ", "UZ-FERGANA-FRUIT", NULL, "USD", NULL,
	 {&tomatoes}, 1, PHYTO, "KZ-MOA", "0702", 10, 30, 3},
	{"import", "4000", "KZ-ALA", "3", "KG", "KZ", "KG", "KG-CHUY-AGRO", NULL, "USD", "EAEU",
	 {&potatoes}, 1, PHYTO, "KZ-MOA", "0701", 6, 24, 2},
	{"import", "4000", "KZ-KHO", "3", "CN", "KZ", "CN", "CN-GUANGXI-CITRUS", NULL, "USD", NULL,
	 {&mandarins}, 1, PHYTO, "KZ-MOA", "0805", 8, 40, 1},
};

static const struct demo_flow electronics[] = {
	{"import", "4000", "KZ-KHO", "3", "CN", "KZ", "CN", "CN-SHENZHEN-ELEC", NULL, "USD", NULL,
	 {&phones, &laptops, &routers, &tvs}, 4, NULL, NULL, NULL, 4, 24, 5},
	{"import", "4000", "KZ-DOS", "2", "CN", "KZ", "CN", "CN-SHENZHEN-ELEC", NULL, "USD", NULL,
	 {&phones, &laptops, &routers, &tvs}, 4, NULL, NULL, NULL, 12, 48, 3},
	{"transit", "8000", "KZ-DOS", "2", "CN", "UZ", "CN", "CN-SHENZHEN-ELEC", "UZ-TASHKENT-DIGITAL",
	 "USD", NULL, {&phones, &laptops, &tvs}, 3, NULL, NULL, NULL, 12, 48, 2},
};

static const struct demo_flow motors[] = {
	{"import", "4000", "KZ-KHO", "3", "CN", "KZ", "CN", "CN-CHONGQING-AUTO", NULL, "USD", NULL,
	 {&cars, &ecars}, 2, "VEHICLE-TYPE-APPROVAL", "KZ-MIT", "8703", 8, 40, 3},
	{"import", "4000", "KZ-KHO", "3", "CN", "KZ", "CN", "CN-GUANGZHOU-PARTS", NULL, "CNY", NULL,
	 {&parts, &brakes, &tyres}, 3, NULL, NULL, NULL, 6, 30, 3},
	{"import", "4000", "KZ-AST", "2", "RU", "KZ", "KR", "KR-INCHEON-MOTORS", NULL, "USD", NULL,
	 {&cars}, 1, "VEHICLE-TYPE-APPROVAL", "KZ-MIT", "8703", 24, 72, 1},
};

static const struct demo_flow pharma[] = {
	{"import", "4000", "KZ-ALA-AIR", "4", "DE", "KZ", "DE", "DE-FRANKFURT-PHARMA", NULL, "EUR", NULL,
	 {&medicines, &antibiotics}, 2, "MEDICINE-REGISTRATION", "KZ-MOH", "3004", 3, 18, 4},
	{"import", "4000", "KZ-ALA-AIR", "4", "IN", "KZ", "IN", "IN-HYDERABAD-PHARMA", NULL, "USD", NULL,
	 {&medicines, &antibiotics}, 2, "MEDICINE-REGISTRATION", "KZ-MOH", "3004", 3, 18, 3},
	{"import", "4000", "KZ-ALA-AIR", "4", "IN", "KZ", "IN", "IN-HYDERABAD-PHARMA", NULL, "USD", NULL,
	 {&codeine}, 1, "NARCOTICS-PERMIT", "KZ-MIA", "2939", 3, 18, 1},
};

static const struct demo_flow metals[] = {
	{"export", "1000", "KZ-DOS", "2", "KZ", "CN", "KZ", NULL, "CN-JIANGXI-COPPER", "USD", NULL,
	 {&copper}, 1, "BASEL-CONSENT", "KZ-MEN", "7404", 4, 30, 3},
	{"export", "1000", "KZ-AST", "2", "KZ", "UZ", "KZ", NULL, "UZ-TASHKENT-FLOUR", "USD", NULL,
	 {&wheat}, 1, NULL, NULL, NULL, 4, 30, 2},
	{"import", "4000", "KZ-KHO", "3", "CN", "KZ", "CN", "CN-ZHEJIANG-CHEM", NULL, "USD", NULL,
	 {&hfc}, 1, "ODS-LICENCE", "KZ-MEN", "290345", 6, 36, 1},
	{"export", "1000", "KZ-AST", "3", "KZ", "RU", "KZ", NULL, "RU-CHELYABINSK-RECYCLING", "USD", NULL,
	 {&batteries}, 1, "BASEL-CONSENT", "KZ-MEN", "8549", 4, 30, 1},
};
// clang-format on

#define FLOWS(f) f, (int)(sizeof(f) / sizeof(f[0]))

const struct demo_trader demo_traders[DEMO_TRADERS] = {
	{"KZ510700800900", "EAE", "Eurasia Electronics", 880, FLOWS(electronics), 0, 0, 0, 0.05, 1},
	{"KZ600700800900", "AFF", "Almaty Fresh Foods", 520, FLOWS(fresh_foods), 0, 0, 0.1, 0.06, 1},
	{"KZ210400500600", "DFI", "Dala Fruit Import", 520, FLOWS(dala), 0.35, 0.1, 0.2, 0.2, 0},
	{"KZ410600700800", "KTM", "Khan Tengri Motors", 430, FLOWS(motors), 0.4, 0.12, 0.4, 0.22, 0},
	{"KZ310500600700", "TPH", "Tengri Pharm", 330, FLOWS(pharma), 0.2, 0.08, 0.4, 0.12, 0},
	{"KZ610800900100", "KME", "Kazakh Metals Export", 320, FLOWS(metals), 0.3, 0.12, 0.35, 0.15,
	 0},
};

/* The parties of a joint examination, and who speaks for each. */
const char *const demo_parties[DEMO_PARTIES] = {"customs", "KZ-MOA", "KZ-MOH",
						"KZ-MEN",  "KZ-MIT", "KZ-MIA"};

/* Hours an agency takes to decide an LPCO application: certificates fast, approvals slow. */
static const double decision_hours[][2] = {{0, 0},    {2, 30},   {24, 168},
					   {24, 120}, {24, 168}, {48, 168}};

/* Rough rates for pricing goods in the flow's currency (customs converts at its own). */
double demo_per_usd(const char *currency)
{
	return !strcmp(currency, "EUR")   ? 0.92
	       : !strcmp(currency, "CNY") ? 7.2
	       : !strcmp(currency, "RUB") ? 90
					  : 1;
}

/* ---- the plan --------------------------------------------------------------------- */

/* splitmix64: small, fast, and the same sequence on every machine. */
static uint64_t next_random(struct demo_traffic *s)
{
	uint64_t z = (s->rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

double demo_uniform(struct demo_traffic *s)
{
	return (double)(next_random(s) >> 11) / 9007199254740992.0;
}

double demo_between(struct demo_traffic *s, double a, double b)
{
	return a + (b - a) * demo_uniform(s);
}

int demo_chance(struct demo_traffic *s, double p) { return demo_uniform(s) < p; }

int64_t demo_hours(struct demo_traffic *s, double a, double b)
{
	return (int64_t)(demo_between(s, a, b) * DEMO_HOUR_MS);
}

static int weighted_flow(struct demo_traffic *s, const struct demo_trader *t)
{
	int total = 0, r;

	for (int i = 0; i < t->nflows; i++)
		total += t->flows[i].weight;
	r = (int)(demo_uniform(s) * total);
	for (int i = 0; i < t->nflows; i++) {
		if (r < t->flows[i].weight)
			return i;
		r -= t->flows[i].weight;
	}
	return t->nflows - 1;
}

/*
 * A lodgement time: office hours (09:00-20:00 in Kazakhstan, UTC+5), fewer
 * at weekends, and more as the weeks go by — traders moved to the single
 * window progressively (half the average rate 90 days ago, 1.5 times now).
 */
static int64_t lodgement_time(struct demo_traffic *s)
{
	for (;;) {
		double x = demo_uniform(s);
		int64_t day = s->start_ms / DEMO_DAY_MS + (int64_t)(x * DEMO_DAYS);
		int weekday = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday: 0 is Sunday */
		int64_t at = day * DEMO_DAY_MS + demo_hours(s, 4, 15);

		if (!demo_chance(s, (0.5 + x) / 1.5) || (weekday == 0 && !demo_chance(s, 0.25)) ||
		    (weekday == 6 && !demo_chance(s, 0.5)))
			continue;
		if (at >= s->start_ms && at < s->end_ms - 20 * DEMO_MINUTE_MS)
			return at;
	}
}

static void draw_consignment(struct demo_traffic *s, int t, struct demo_consignment *c)
{
	const struct demo_trader *tr = &demo_traders[t];
	const struct demo_flow *f;
	int ngoods = 0;

	memset(c, 0, sizeof(*c));
	c->trader = t;
	c->flow = weighted_flow(s, tr);
	f = &tr->flows[c->flow];
	while (ngoods < DEMO_MAX_ITEMS && f->goods[ngoods])
		ngoods++;
	c->nitems = 1 + (int)(demo_uniform(s) * f->max_items);
	for (int i = 0; i < c->nitems; i++) {
		const struct demo_goods *g = f->goods[(int)(demo_uniform(s) * ngoods)];
		int q = (int)demo_between(s, g->min, g->max + 1);
		c->items[i].goods = g;
		/* Kilograms by the 10 kg, as weighbridges print them. */
		c->items[i].quantity = strcmp(g->unit, "KGM") || q < 100 ? q : q / 10 * 10;
	}
	c->lodge_at = lodgement_time(s);
	c->arrive_at = c->lodge_at + demo_hours(s, f->lead_min, f->lead_max);
	c->permit = c->stale = -1;
	if (demo_chance(s, 0.015))
		c->plan |= DEMO_PLAN_CANCEL;
	if (demo_chance(s, 0.05))
		c->plan |= DEMO_PLAN_CORRECT;
	if (demo_chance(s, tr->pay_after_arrival))
		c->plan |= DEMO_PLAN_PAY_LATE;
	if (demo_chance(s, tr->short_of_funds))
		c->plan |= DEMO_PLAN_SLOW_PAY;
	if (f->lpco_type && demo_chance(s, 0.06))
		c->plan |= DEMO_PLAN_FORGOT;
}

static int by_lodgement(const void *a, const void *b)
{
	const struct demo_consignment *x = a, *y = b;

	return (x->lodge_at > y->lodge_at) - (x->lodge_at < y->lodge_at);
}

static int need_of(const struct demo_consignment *c)
{
	int need = 0;

	for (int i = 0; i < c->nitems; i++)
		need += c->items[i].quantity;
	return need;
}

int demo_party_index(const char *party)
{
	for (size_t i = 0; i < DEMO_PARTIES; i++)
		if (!strcmp(demo_parties[i], party))
			return (int)i;
	return -1;
}

/* How long the agency takes; one application in ten waits weeks for documents it asked for. */
static int64_t decision_delay(struct demo_traffic *s, const struct demo_consignment *c)
{
	const double *h =
		decision_hours[demo_party_index(demo_traders[c->trader].flows[c->flow].agency)];

	return demo_chance(s, 0.1) ? demo_hours(s, 7 * 24, 21 * 24) : demo_hours(s, h[0], h[1]);
}

static int add_permit(struct demo_traffic *s, const struct demo_consignment *c, int64_t apply_at)
{
	struct demo_permit *p;

	if (s->np == s->cap_p) {
		size_t cap = s->cap_p ? s->cap_p * 2 : 64;
		struct demo_permit *grown = cv_realloc(s->p, cap * sizeof(*grown));
		if (!grown)
			return -1;
		s->p = grown;
		s->cap_p = cap;
	}
	p = &s->p[s->np];
	memset(p, 0, sizeof(*p));
	p->trader = c->trader;
	p->flow = c->flow;
	p->apply_at = apply_at;
	p->decide_at = apply_at + decision_delay(s, c);
	return (int)s->np++;
}

/* The agency grants several consignments' worth, for 40 to 150 days from the earlier of both dates. */
static void size_permit(struct demo_traffic *s, struct demo_permit *p,
			const struct demo_consignment *c, int need)
{
	const char *unit = demo_traders[c->trader].flows[c->flow].goods[0]->unit;
	int64_t from = p->apply_at < c->lodge_at ? p->apply_at : c->lodge_at;
	double q = need * demo_between(s, 3, 10);

	p->quantity = !strcmp(unit, "KGM") ? (int)(q / 100) * 100 + 100 : (int)q + 1;
	cv_date_from_ms(from, p->valid_from);
	cv_date_add_days(p->valid_from, (int)demo_between(s, 40, 150), p->valid_to);
}

/* c draws need from LPCO q; lodged before q is decided, it waits for it (documents required). */
static void reserve(struct demo_traffic *s, struct demo_consignment *c, int q, int need,
		    const char *date)
{
	struct demo_permit *p = &s->p[q];

	c->permit = q;
	p->reserved += need;
	if (p->decide_at > c->lodge_at - 10 * DEMO_MINUTE_MS) {
		c->plan |= DEMO_PLAN_EARLY;
		/* The LPCO must be valid on the day the declaration was lodged. */
		if (strcmp(p->valid_from, date) > 0)
			snprintf(p->valid_from, sizeof(p->valid_from), "%s", date);
	}
}

static int usable(const struct demo_permit *p, const char *date, int need)
{
	return !p->refused && strcmp(p->valid_to, date) >= 0 && p->quantity - p->reserved >= need;
}

/*
 * A new LPCO for c: applied for days ahead, or (early) after lodging; one
 * application in twelve is refused — ahead of need, the trader applies
 * again; lodged early, it cancels the declaration.
 */
static int plan_new_permit(struct demo_traffic *s, struct demo_consignment *c, int *current,
			   int need, const char *date)
{
	const struct demo_trader *tr = &demo_traders[c->trader];
	int early = demo_chance(s, tr->early), refused = demo_chance(s, 0.08), q, again;
	int64_t delay = decision_delay(s, c);
	/* Ahead of need: decided some hours to days before the goods are declared. */
	int64_t apply_at = early ? c->lodge_at + demo_hours(s, 0.5, 3)
				 : c->lodge_at - demo_hours(s, 2, 72) - delay;

	if (*current >= 0 && strcmp(s->p[*current].valid_to, date) < 0)
		c->stale = *current; /* expired: referenced by mistake when lodging early */
	q = add_permit(s, c, apply_at);
	if (q < 0)
		return CV_ENOMEM;
	s->p[q].decide_at = apply_at + delay;
	size_permit(s, &s->p[q], c, need);
	if (refused) {
		s->p[q].refused = 1;
		if (early) {
			c->plan |= DEMO_PLAN_EARLY | DEMO_PLAN_NO_PERMIT;
			c->permit = q;
			*current = -1;
			return CV_OK;
		}
		/* Refused ahead of need: the trader applies again, with what was missing. */
		again = add_permit(s, c, s->p[q].decide_at + demo_hours(s, 2, 20));
		if (again < 0)
			return CV_ENOMEM;
		q = again;
		size_permit(s, &s->p[q], c, need);
	}
	*current = q;
	reserve(s, c, q, need, date);
	return CV_OK;
}

/*
 * The LPCOs of each trader's flows, in the order the consignments are
 * lodged: the current one serves while it is valid and has enough left;
 * a single-item consignment takes what is left when that is a fair part
 * of its goods (the LPCO is then used up); otherwise a new one.
 */
static int plan_permits(struct demo_traffic *s)
{
	int current[DEMO_TRADERS][DEMO_MAX_FLOWS];

	for (size_t t = 0; t < DEMO_TRADERS; t++)
		for (int f = 0; f < DEMO_MAX_FLOWS; f++)
			current[t][f] = -1;
	for (size_t i = 0; i < s->nc; i++) {
		struct demo_consignment *c = &s->c[i];
		const struct demo_flow *f = &demo_traders[c->trader].flows[c->flow];
		int *cur = &current[c->trader][c->flow], need = need_of(c), rc;
		char date[CV_DATE_MAX];

		if (!f->lpco_type)
			continue;
		cv_date_from_ms(c->lodge_at, date);
		if (*cur >= 0 && usable(&s->p[*cur], date, need)) {
			reserve(s, c, *cur, need, date);
			continue;
		}
		if (*cur >= 0 && c->nitems == 1 && !s->p[*cur].refused &&
		    strcmp(s->p[*cur].valid_to, date) >= 0 &&
		    s->p[*cur].quantity - s->p[*cur].reserved >= need * 3 / 10 &&
		    s->p[*cur].quantity > s->p[*cur].reserved) {
			c->items[0].quantity = s->p[*cur].quantity - s->p[*cur].reserved;
			reserve(s, c, *cur, c->items[0].quantity, date);
			continue;
		}
		rc = plan_new_permit(s, c, cur, need, date);
		if (rc)
			return rc;
	}
	return CV_OK;
}

/* ---- what traders send ---------------------------------------------------------- */

/* An ISO 6346 container number: an owner code, a serial, and the check digit the node checks. */
static void container_number(unsigned serial, char out[32])
{
	static const char *const owners[] = {"CSQU", "MSKU", "TGHU", "CAIU"};

	for (unsigned digit = 0; digit < 10; digit++) {
		snprintf(out, 32, "%s%06u%u", owners[serial % 4], serial % 1000000, digit);
		if (trade_container_valid(out))
			return;
	}
}

/* Vehicles and containers follow from the serial: every version of a declaration names the same. */
static json_t *transport(const struct demo_flow *f, const struct demo_consignment *c)
{
	unsigned serial = (unsigned)c->serial;
	json_t *t = json_pack("{s:s}", "mode", f->mode), *boxes = json_array();
	char vehicle[32], box[32];

	if (!strcmp(f->mode, "4"))
		snprintf(vehicle, sizeof(vehicle), "KC%04u", 900 + serial % 100);
	else if (!strcmp(f->mode, "2"))
		snprintf(vehicle, sizeof(vehicle), "TRAIN%05u", serial % 100000);
	else
		snprintf(vehicle, sizeof(vehicle), "%03u%c%c%c02", serial % 1000, 'A' + serial % 26,
			 'A' + serial / 26 % 26, 'A' + serial / 676 % 26);
	json_object_set_new(t, "vehicle", json_string(vehicle));
	for (unsigned k = 0; k < (!strcmp(f->mode, "2") ? 1 + serial % 3 : serial % 3 == 0); k++) {
		container_number(serial * 3 + k, box);
		json_array_append_new(boxes, json_string(box));
	}
	if (json_array_size(boxes))
		json_object_set_new(t, "containers", boxes);
	else
		json_decref(boxes);
	return t;
}

static json_t *lpco_reference(const struct demo_flow *f, const struct demo_permit *p)
{
	return json_pack("{s:s, s:s}", "type", f->lpco_type, "reference", p->number);
}

/*
 * The declaration as the trader sends it now (see demo_traffic.h): the LPCO once it is issued
 * (before that, an expired one referenced by mistake, or none; or left out
 * until the trader is told), the corrected invoice value once corrected.
 */
json_t *demo_declaration(const struct demo_traffic *s, const struct demo_consignment *c)
{
	const struct demo_trader *t = &demo_traders[c->trader];
	const struct demo_flow *f = &t->flows[c->flow];
	const struct demo_permit *p = c->permit >= 0 ? &s->p[c->permit] : NULL;
	double factor = c->sent & DEMO_SENT_CORRECTED ? 1.04 : 1;
	int left_out = (c->plan & (DEMO_PLAN_FORGOT | DEMO_PLAN_EARLY)) == DEMO_PLAN_FORGOT &&
		       !(c->sent & DEMO_SENT_REFERENCED);
	json_t *items = json_array(), *docs = json_array(), *doc;
	char arrival[CV_RFC3339_MAX], ref[64];

	for (int i = 0; i < c->nitems; i++) {
		const struct demo_goods *g = c->items[i].goods;
		int64_t amount = llround(c->items[i].quantity * g->cents *
					 demo_per_usd(f->currency) * factor);
		json_t *it = json_pack("{s:s, s:s, s:s, s:i, s:s, s:f, s:{s:I, s:s}}", "hs", g->hs,
				       "description", g->description, "origin", f->origin,
				       "quantity", c->items[i].quantity, "unit", g->unit,
				       "net_mass", c->items[i].quantity * g->kg, "value", "amount",
				       (json_int_t)amount, "currency", f->currency);
		if (f->preference) {
			snprintf(ref, sizeof(ref), "%s-CT1-2026-%06d", f->origin, c->serial);
			json_object_set_new(it, "preference", json_string(f->preference));
			json_object_set_new(it, "certificate_of_origin", json_string(ref));
		}
		json_array_append_new(items, it);
	}
	snprintf(ref, sizeof(ref), "INV-%s-%06d", t->code, c->serial);
	json_array_append_new(docs, json_pack("{s:s, s:s}", "type", "INVOICE", "reference", ref));
	if (p && !p->refused && *p->number && !left_out)
		json_array_append_new(docs, lpco_reference(f, p));
	else if (c->stale >= 0 && *s->p[c->stale].number)
		json_array_append_new(docs, lpco_reference(f, &s->p[c->stale]));
	cv_clock_format_rfc3339(c->arrive_at, arrival, sizeof(arrival));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o}",
			"direction", f->direction, "procedure", f->procedure, "office", f->office,
			"declarant", t->tin, "importer", f->importer ? f->importer : t->tin,
			"exporter", f->exporter ? f->exporter : t->tin, "seller",
			f->exporter ? f->exporter : t->tin, "departure", f->departure,
			"destination", f->destination, "transport", transport(f, c),
			"expected_arrival", arrival, "items", items, "documents", docs);
	return doc;
}

int demo_traffic_plan(struct demo_traffic *s, int64_t end_ms)
{
	size_t n = 0, k = 0;

	memset(s, 0, sizeof(*s));
	s->rng = DEMO_SEED;
	s->end_ms = end_ms;
	s->start_ms = end_ms - DEMO_DAYS * DEMO_DAY_MS;
	for (size_t t = 0; t < DEMO_TRADERS; t++)
		n += (size_t)demo_traders[t].declarations;
	s->c = cv_calloc(n, sizeof(*s->c));
	if (!s->c)
		return CV_ENOMEM;
	s->nc = n;
	for (size_t t = 0; t < DEMO_TRADERS; t++)
		for (int d = 0; d < demo_traders[t].declarations; d++)
			draw_consignment(s, (int)t, &s->c[k++]);
	qsort(s->c, s->nc, sizeof(*s->c), by_lodgement);
	for (size_t i = 0; i < s->nc; i++)
		s->c[i].serial = (int)i + 1;
	return plan_permits(s);
}

void demo_traffic_release(struct demo_traffic *s)
{
	cv_free(s->c);
	cv_free(s->p);
	memset(s, 0, sizeof(*s));
}
