-- A community's working-day calendar (see crates/kernel/src/calendar.rs): the days that differ
-- from the Monday-to-Friday week. working = 0 is a holiday, 1 a make-up working day (调休).
create table community_day (
    community_id bigint not null references community (community_id),
    day text not null,
    working bigint not null,
    primary key (community_id, day)
);
