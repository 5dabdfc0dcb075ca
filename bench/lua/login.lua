-- POST /login with the correct password (a wrong one would trip the throttle): Argon2id verify,
-- a write to clear the throttle, a new session row, a 303 with Set-Cookie. No Origin header, so
-- the cross-site guard lets it through.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

wrk.method = "POST"
wrk.path = "/login"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "username=" .. urlencode(os.getenv("BENCH_USER") or "seed.staff")
   .. "&password=" .. urlencode(os.getenv("BENCH_PASSWORD") or "seed-password-1")
   .. "&next=%2F"
