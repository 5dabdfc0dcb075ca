-- The residents registry, read as one user: GET each path of BENCH_PATHS (space-separated) in
-- turn, with `Authorization: Bearer BENCH_TOKEN` (the JSON API) or `Cookie: BENCH_COOKIE` (the
-- pages). Driven by bench/registry.py, which checks each path's answer before the load.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")

local token = os.getenv("BENCH_TOKEN") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
local reqs = {}
local i = 0

function init(args)
   local headers = {}
   if token ~= "" then
      headers["Authorization"] = "Bearer " .. token
   end
   if cookie ~= "" then
      headers["Cookie"] = cookie
   end
   for path in string.gmatch(os.getenv("BENCH_PATHS") or "/healthz", "%S+") do
      reqs[#reqs + 1] = wrk.format("GET", path, headers)
   end
end

function request()
   i = i % #reqs + 1
   return reqs[i]
end
