-- Appeals created as fast as the server acknowledges them: POST /api/v1/appeals with
-- `Authorization: Bearer BENCH_TOKEN` (a resident of BENCH_COMMUNITY), cycling over the
-- categories of BENCH_CATEGORIES and the units of BENCH_UNITS (space-separated ids).
--
-- Every acknowledged appeal (status 201 and an `appeal_id` in the body) is written, one id a
-- line, to BENCH_IDS.<thread number> as soon as its response is read (line-buffered: a killed
-- server cannot make the driver forget an id it was given). Any other status is written as
-- `E<status>`. Driven by bench/appeals.py, which reads these files to check that every
-- acknowledged appeal is in the database (also after the server was killed mid-run).
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")

local reqs = {}
local i = 0
local out = nil

local function words(s)
   local t = {}
   for w in string.gmatch(s or "", "%S+") do
      t[#t + 1] = w
   end
   return t
end

function init(args)
   local headers = {
      ["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or ""),
      ["Content-Type"] = "application/json",
   }
   local community = os.getenv("BENCH_COMMUNITY") or "0"
   local cats = words(os.getenv("BENCH_CATEGORIES"))
   local units = words(os.getenv("BENCH_UNITS"))
   -- Enough distinct bodies that consecutive requests differ in category and unit.
   local n = math.max(#cats, 1) * math.max(#units, 1)
   if n > 997 then n = 997 end
   for k = 1, n do
      local cat = cats[(k - 1) % #cats + 1]
      local unit = units[(k - 1) % #units + 1]
      local body = string.format(
         '{"community":%s,"category":%s,"unit":%s,"description":"基准测试：楼道灯不亮，请尽快修理（%d-%d）"}',
         community, cat, unit, thread_no or 0, k)
      reqs[#reqs + 1] = wrk.format("POST", "/api/v1/appeals", headers, body)
   end
   i = (thread_no or 0) * 7
   local prefix = os.getenv("BENCH_IDS")
   if prefix and prefix ~= "" then
      out = io.open(prefix .. "." .. tostring(thread_no or 0), "w")
      out:setvbuf("line")
   end
end

function request()
   i = i % #reqs + 1
   return reqs[i]
end

function response(status, headers, body)
   if out == nil then
      return
   end
   if status == 201 then
      local id = string.match(body, '"appeal_id":(%d+)')
      out:write(id or "E201-no-id", "\n")
   else
      out:write("E", tostring(status), "\n")
   end
end
