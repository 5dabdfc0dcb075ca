-- GET /healthz: no I/O, the ceiling the other scenarios are compared with.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")
wrk.method = "GET"
wrk.path = "/healthz"
