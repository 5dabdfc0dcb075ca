-- The structure JSON API with a bearer token, alternating between the paths in BENCH_PATHS
-- (space-separated; by default a community's grids and a grid's buildings).
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")

local token = os.getenv("BENCH_TOKEN") or ""
local reqs = {}
local i = 0

function init(args)
   for path in string.gmatch(os.getenv("BENCH_PATHS") or "/api/v1/communities", "%S+") do
      reqs[#reqs + 1] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
   end
end

function request()
   i = i % #reqs + 1
   return reqs[i]
end
