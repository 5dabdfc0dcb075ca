-- Requests cycling over the paths of BENCH_PATHS (space-separated), with BENCH_METHOD (GET by
-- default) and, for writes, the JSON body BENCH_BODY; signed in with a bearer token
-- (BENCH_TOKEN) or a session cookie (BENCH_COOKIE). Each wrk thread starts at a different
-- path, so that two threads do not write to the same row in step. Used by bench/budget.py.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")

local reqs = {}
local i = 0

function init(args)
   local headers = {}
   local token = os.getenv("BENCH_TOKEN") or ""
   if token ~= "" then
      headers["Authorization"] = "Bearer " .. token
   end
   local cookie = os.getenv("BENCH_COOKIE") or ""
   if cookie ~= "" then
      headers["Cookie"] = cookie
   end
   local body = os.getenv("BENCH_BODY") or ""
   if body == "" then
      body = nil
   else
      headers["Content-Type"] = "application/json"
   end
   local method = os.getenv("BENCH_METHOD") or "GET"
   for path in string.gmatch(os.getenv("BENCH_PATHS") or "/healthz", "%S+") do
      reqs[#reqs + 1] = wrk.format(method, path, headers, body)
   end
   i = ((thread_no or 1) - 1) * math.floor(#reqs / 2)
end

function request()
   i = i % #reqs + 1
   return reqs[i]
end
