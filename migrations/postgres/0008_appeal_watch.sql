-- The deadline watch reads only the appeals whose next instant has come (model/watch.rs), through
-- a small index, instead of every open appeal past a deadline on each tick: with a backlog of
-- warned or escalated appeals the old query read them all, and starved the newer ones.
alter table appeal add column watch_at bigint;
create index appeal_watch on appeal (watch_at) where watch_at is not null;
drop index appeal_dispatch_due;
drop index appeal_reply_due;
-- Open appeals already here are looked at once; the watch then sets each one's next instant.
update appeal set watch_at = 0
where status in ('submitted', 'accepted', 'dispatched', 'in_progress', 'return_requested')
  and (warned_at is null or overdue_at is null or escalation < 2);

-- A party's queue holds its open appeals, newest first: this index walks them without the
-- finished ones, which are most of a party's appeals after a year.
create index appeal_open_party on appeal (party_id, appeal_id)
where status not in ('closed', 'declined', 'rated');
