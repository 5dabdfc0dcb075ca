-- GET / (the staff console's home page) with the session cookie of a community_staff account.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")
wrk.method = "GET"
wrk.path = "/"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
