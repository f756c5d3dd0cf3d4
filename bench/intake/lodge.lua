-- bench/intake/lodge.lua — wrk script for bench/intake/run: POSTs realistic
-- import declarations to /api/v1/declarations and counts the answers by
-- status (only 201 is an accepted declaration).
--
-- The bearer token and Content-Type come from wrk's -H options (wrk.headers).
-- Each wrk thread builds a pool of POOL distinct requests in init() (so the
-- per-request cost on the client is a table lookup, not JSON building: the
-- client shares the server's two cores) and sends them round-robin. Every
-- declaration: 3 to 5 items with different HS 2022 codes that carry no
-- regulatory requirement (no LPCO is needed, so none is documents_required:
-- each goes through checking, numbering, storing, risk assessment, duties
-- and the joint-examination plan), values in USD, EUR, KZT or CNY (the demo
-- node has rates for them), UNECE Rec 20 units, 1 to 3 ISO 6346 container
-- numbers with right check digits, office KZ-KHO or KZ-ALA, importer and
-- declarant the demo trader KZ123456789012, an invoice reference unique in
-- the pool, and an expected arrival 2 to 9 days ahead (pre-arrival).
--
-- done() prints lines for the run script to parse:
--   intake-result: duration_us=N requests=N accepted=N other=N p50_us=N p99_us=N
--                  connect=N read=N write=N timeout=N status_errors=N
--   intake-status: STATUS COUNT          (one per status seen)
--   intake-first-other: STATUS BODY      (the first non-201 answer, cut short)

local POOL = tonumber(os.getenv("INTAKE_POOL") or "") or 500

-- HS 2022 subheadings with national 10-digit extensions, each with a
-- description, a Rec 20 unit, and a typical unit mass (kg) and unit price
-- (USD cents). None is in regulatory_requirements of the demo node (3004
-- medicines or 8703 cars would make the declaration documents_required).
local GOODS = {
	{"8517130000", "Smartphones", "H87", 0.25, 25000},
	{"6403990000", "Footwear, leather uppers", "PR", 0.9, 3500},
	{"8471300000", "Portable computers", "H87", 2.0, 70000},
	{"9403600000", "Wooden furniture", "H87", 25.0, 12000},
	{"6109100000", "T-shirts, cotton, knitted", "H87", 0.2, 400},
	{"8528720000", "Television receivers, colour", "H87", 12.0, 30000},
	{"8450110000", "Washing machines, fully automatic", "H87", 60.0, 25000},
	{"8418100000", "Refrigerator-freezers", "H87", 70.0, 40000},
	{"6204620000", "Women's trousers, cotton", "H87", 0.5, 900},
	{"9503000000", "Toys", "H87", 0.4, 600},
	{"8516500000", "Microwave ovens", "H87", 14.0, 6000},
	{"4011100000", "Tyres for motor cars, new", "H87", 9.0, 5000},
	{"7308900000", "Steel structures", "KGM", 1.0, 150},
	{"3926909709", "Articles of plastics", "KGM", 1.0, 300},
	{"8708299009", "Body parts for motor vehicles", "H87", 5.0, 4000},
	{"6302600000", "Toilet linen, terry, cotton", "KGM", 1.0, 800},
}

-- Origin, departure, exporter: the trading partners of a Kazakh importer.
local PARTNERS = {
	{"CN", "CN-SHENZHEN-001"}, {"CN", "CN-YIWU-TRADE-07"}, {"TR", "TR-ISTANBUL-4411"},
	{"DE", "DE-HAMBURG-2210"}, {"KR", "KR-BUSAN-0093"}, {"UZ", "UZ-TASHKENT-518"},
}

-- Currency and its value in USD cents per minor unit (the demo rates: USD
-- 470 KZT, EUR 510, CNY 65, KZT 1).
local CURRENCIES = {{"USD", 1.0}, {"EUR", 470 / 510}, {"CNY", 470 / 65}, {"KZT", 470}}

local OFFICES = {"KZ-KHO", "KZ-ALA"}
local OWNERS = {"CSQU", "MSKU", "TGHU", "MSCU", "CMAU", "HLXU", "OOLU", "TCNU"}

-- ISO 6346 check digit (as src/trade/lodging.c trade_container_valid).
local LETTER = {}
do
	local v = 10
	for c = string.byte("A"), string.byte("Z") do
		if v % 11 == 0 then v = v + 1 end
		LETTER[string.char(c)] = v
		v = v + 1
	end
end
local function container(owner, serial)
	local s = string.format("%s%06d", owner, serial)
	local sum = 0
	for i = 1, 10 do
		local ch = s:sub(i, i)
		local d = i <= 4 and LETTER[ch] or tonumber(ch)
		sum = sum + d * 2 ^ (i - 1)
	end
	return string.format("%s%d", s, math.floor(sum) % 11 % 10)
end

local function declaration(thread_id, k)
	local partner = PARTNERS[math.random(#PARTNERS)]
	local nitems = math.random(3, 5)
	-- different HS codes: a partial shuffle of GOODS
	local order = {}
	for i = 1, #GOODS do order[i] = i end
	for i = 1, nitems do
		local j = math.random(i, #GOODS)
		order[i], order[j] = order[j], order[i]
	end
	local items = {}
	for i = 1, nitems do
		local g = GOODS[order[i]]
		local cur = CURRENCIES[math.random(#CURRENCIES)]
		local quantity = math.random(10, 2000)
		local mass = math.floor(quantity * g[4] * (0.8 + 0.4 * math.random()) * 10 + 0.5) / 10
		if mass <= 0 then mass = 0.1 end
		local amount = math.floor(quantity * g[5] * (0.7 + 0.6 * math.random()) * cur[2])
		local origin = math.random() < 0.8 and partner[1] or PARTNERS[math.random(#PARTNERS)][1]
		items[i] = string.format(
			'{"hs":"%s","description":"%s","origin":"%s","quantity":%d,"unit":"%s",' ..
			'"net_mass":%.1f,"value":{"amount":%d,"currency":"%s"}}',
			g[1], g[2], origin, quantity, g[3], mass, amount, cur[1])
	end
	local containers = {}
	for i = 1, math.random(1, 3) do
		containers[i] = '"' .. container(OWNERS[math.random(#OWNERS)], math.random(0, 999999)) .. '"'
	end
	local arrival = os.date("!%Y-%m-%dT%H:00:00Z", os.time() + 86400 * math.random(2, 9))
	return string.format(
		'{"direction":"import","procedure":"4000","office":"%s",' ..
		'"declarant":"KZ123456789012","importer":"KZ123456789012",' ..
		'"exporter":"%s","seller":"%s","departure":"%s","destination":"KZ",' ..
		'"transport":{"mode":"3","vehicle":"%03d%s02","containers":[%s]},' ..
		'"expected_arrival":"%s","items":[%s],' ..
		'"documents":[{"type":"INVOICE","reference":"INV-%d-%06d"},' ..
		'{"type":"PACKING-LIST","reference":"PL-%d-%06d"}]}',
		OFFICES[math.random(#OFFICES)], partner[2], partner[2], partner[1],
		math.random(100, 999), ({"ABC", "KZA", "TRK", "BTA"})[math.random(4)],
		table.concat(containers, ","), arrival, table.concat(items, ","),
		thread_id, k, thread_id, k)
end

-- main state ------------------------------------------------------------------
local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("thread_id", #threads)
end

-- thread states ---------------------------------------------------------------
local pool, next_request = {}, 0
statuses, first_other = {}, nil

function init(args)
	math.randomseed(thread_id * 1000003 + os.time())
	for k = 1, POOL do
		pool[k] = wrk.format("POST", "/api/v1/declarations", nil, declaration(thread_id, k))
	end
end

function request()
	next_request = next_request % #pool + 1
	return pool[next_request]
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
	if status ~= 201 and first_other == nil then
		first_other = tostring(status) .. " " .. (body or ""):sub(1, 400):gsub("%s+", " ")
	end
end

-- main state, at the end ----------------------------------------------------------
function done(summary, latency, requests)
	local total, accepted, other, first = {}, 0, 0, nil
	for _, t in ipairs(threads) do
		local s = t:get("statuses") or {}
		for status, n in pairs(s) do
			total[status] = (total[status] or 0) + n
			if status == 201 then accepted = accepted + n else other = other + n end
		end
		first = first or t:get("first_other")
	end
	local e = summary.errors
	io.write(string.format(
		"intake-result: duration_us=%d requests=%d accepted=%d other=%d p50_us=%d p99_us=%d " ..
		"connect=%d read=%d write=%d timeout=%d status_errors=%d\n",
		summary.duration, summary.requests, accepted, other,
		latency:percentile(50), latency:percentile(99),
		e.connect, e.read, e.write, e.timeout, e.status))
	for status, n in pairs(total) do
		io.write(string.format("intake-status: %d %d\n", status, n))
	end
	if first then io.write("intake-first-other: " .. first .. "\n") end
end
