-- The deadline watch reads only the appeals whose next instant has come (model/watch.rs), through
-- a small index, instead of every open appeal past a deadline on each tick: with a backlog of
-- warned or escalated appeals the old query read them all, and starved the newer ones.
alter table appeal add column watch_at bigint;
create index appeal_watch on appeal (watch_at) where watch_at is not null;
drop index appeal_dispatch_due;
drop index appeal_reply_due;
-- The next instant of the open appeals already here, as model/watch.rs computes it: warned a
-- quarter of the span ahead (at most a day), marked overdue at the deadline, escalated a day later.
update appeal set watch_at = case
    when warned_at is null and overdue_at is null
        then least((case when status in ('submitted', 'accepted') then dispatch_due_at else coalesce(reply_due_at, dispatch_due_at) end) - least(((case when status in ('submitted', 'accepted') then dispatch_due_at else coalesce(reply_due_at, dispatch_due_at) end) - (case when status in ('submitted', 'accepted') then created_at else coalesce(dispatched_at, created_at) end)) / 4, 86400000), (case when status in ('submitted', 'accepted') then dispatch_due_at else coalesce(reply_due_at, dispatch_due_at) end))
    when overdue_at is null then (case when status in ('submitted', 'accepted') then dispatch_due_at else coalesce(reply_due_at, dispatch_due_at) end)
    when escalation < 2 then overdue_at + 86400000
    end
where status in ('submitted', 'accepted', 'dispatched', 'in_progress', 'return_requested');

-- A party's queue holds its open appeals, newest first: this index walks them without the
-- finished ones, which are most of a party's appeals after a year.
create index appeal_open_party on appeal (party_id, appeal_id)
where status not in ('closed', 'declined', 'rated');
