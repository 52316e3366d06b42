-- Mixed shop traffic for wrk: browsing, search, product pages, cart adds and checkouts, in the
-- proportions of a shop's day. Set by scripts/faults.sh through the environment:
--   OCOP_COOKIE  a signed-in shopper's session cookie ("ocop_session=…")
--   OCOP_SLUGS   product slugs, comma-separated
--   OCOP_LINES   a checkout's lines with the prices shown ("12:1@45000")
local cookie = os.getenv("OCOP_COOKIE") or ""
local slugs = {}
for s in string.gmatch(os.getenv("OCOP_SLUGS") or "", "[^,]+") do slugs[#slugs + 1] = s end
local lines = os.getenv("OCOP_LINES") or ""
local terms = { "tra", "chuoi", "buoi", "ruou", "mat ong", "black bean", "ca tam", "tea" }
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  threads[#threads + 1] = thread
end

local function pick(list) return list[math.random(#list)] end

local function form(body)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["Cookie"] = cookie,
  }, body)
end

function request()
  counter = counter + 1
  local r = math.random(100)
  local html = { ["Accept"] = "text/html", ["Cookie"] = cookie }
  if r <= 30 then
    return wrk.format("GET", (math.random(2) == 1) and "/" or ("/products?page=" .. math.random(3)), html)
  elseif r <= 50 then
    return wrk.format("GET", "/products?q=" .. string.gsub(pick(terms), " ", "+"), html)
  elseif r <= 70 then
    return wrk.format("GET", "/p/" .. pick(slugs), html)
  elseif r <= 80 then
    return wrk.format("GET", "/api/search/suggest?q=" .. string.gsub(pick(terms):sub(1, 3), " ", "+"), { ["Accept"] = "application/json" })
  elseif r <= 90 then
    wrk.path = "/api/orders/add_to_cart"
    return form("slug=" .. pick(slugs) .. "&quantity=1")
  else
    wrk.path = "/api/orders/checkout"
    local key = string.format("load-%d-%d-%08d", id or 0, os.time(), counter)
    return form("form[idempotency_key]=" .. key .. "&form[lines]=" .. lines ..
      "&form[payment]=cod&form[note]=&form[address][full_name]=Lan&form[address][phone]=0912345678" ..
      "&form[address][province]=Tuy%C3%AAn+Quang&form[address][district]=" ..
      "&form[address][commune]=Minh+Xu%C3%A2n&form[address][street]=12")
  end
end

statuses = {}
function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency)
  local all = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses") or {}) do all[status] = (all[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(all) do parts[#parts + 1] = status .. ": " .. n end
  table.sort(parts)
  io.write("statuses " .. table.concat(parts, ", ") .. "\n")
  io.write(string.format("requests %d, errors: connect %d read %d write %d timeout %d; max latency %.2f s, p99 %.0f ms, p50 %.0f ms\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency.max / 1e6, latency:percentile(99) / 1e3, latency:percentile(50) / 1e3))
end
