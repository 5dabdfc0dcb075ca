-- Issue 28: hours count only time given. A credited sign-up keeps the interval it was credited
-- for, so that one person's credited intervals never overlap (three activities at the same hour
-- credit the hour once): a new credit is checked against the volunteer's other credited sign-ups
-- (one lookup through vol_signup_volunteer). Rows credited before this migration (and the
-- seed's) have none; the check reads them as starting at the later of check-in and the shift's
-- start.
alter table vol_signup add column credited_from bigint;
alter table vol_signup add column credited_to bigint;
