-- Wishes (心愿驿站) and pairing care (结对帮扶). A wish's public text is its category, title,
-- description and value; who wished it, their household and any care group stay in the columns
-- the wall never reads, and the contact a claimant is given is sealed. Visit notes are sealed
-- like the registry's (DOMAIN.md §5). Instants are epoch ms; days are YYYY-MM-DD.

create table care_wish (
    wish_id integer primary key,
    community_id bigint not null references community (community_id),
    -- the household's grid, so that its grid worker may post, confirm and see it
    grid_id bigint references grid (grid_id),
    household_id bigint references household (household_id),
    resident_id bigint references registry_resident (resident_id),
    -- the wisher's own account, when they have one: they confirm and thank
    wisher_account_id bigint references account (account_id),
    raised_by bigint references account (account_id),
    raiser_name text not null,
    -- 1 when a grid worker or staff posted it for the wisher
    on_behalf bigint not null default 0,
    -- study | daily | repair | companionship | job | health | other
    category text not null,
    title text not null,
    body text not null,
    value_yuan bigint not null default 0,
    -- the name and phone the claimant is given, sealed
    contact_sealed text not null,
    -- submitted | declined | published | claimed | fulfilled | confirmed | thanked
    status text not null,
    decline_reason text not null default '',
    proof_note text not null default '',
    thanks text not null default '',
    published_at bigint,
    fulfilled_at bigint,
    confirmed_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index care_wish_list on care_wish (community_id, status, wish_id);

-- Photos of the wish (kind wish) and of its fulfilment (kind proof).
create table care_wish_file (
    wish_id bigint not null references care_wish (wish_id),
    stored_file_id bigint not null references stored_file (stored_file_id),
    kind text not null,
    primary key (wish_id, stored_file_id, kind)
);

-- Claims, the open one (ended_at null) and those released, expired or fulfilled.
create table care_wish_claim (
    claim_id integer primary key,
    wish_id bigint not null references care_wish (wish_id),
    community_id bigint not null references community (community_id),
    -- volunteer | team | party_member | merchant | company
    claimant_kind text not null,
    account_id bigint not null references account (account_id),
    claimant_name text not null,
    -- the volunteer credited on confirmation, and the team claimed for
    volunteer_id bigint references volunteer (volunteer_id),
    team_id bigint references vol_team (team_id),
    claimed_at bigint not null,
    due_at bigint not null,
    ended_at bigint,
    -- open | released | expired | fulfilled
    outcome text not null default 'open',
    credited_minutes bigint not null default 0
);
-- One open claim a wish: of two claims at once, one wins.
create unique index care_wish_claim_open on care_wish_claim (wish_id) where ended_at is null;
create index care_wish_claim_account on care_wish_claim (account_id, ended_at);
create index care_wish_claim_due on care_wish_claim (community_id, ended_at, due_at);

-- What happened to a wish, for its page and for the fulfilment times.
create table care_wish_step (
    step_id integer primary key,
    wish_id bigint not null references care_wish (wish_id),
    at bigint not null,
    actor_account_id bigint,
    actor_name text not null,
    action text not null,
    note text not null default ''
);
create index care_wish_step_wish on care_wish_step (wish_id, at);

-- A household paired with a carer: a party member, a volunteer or a grid worker. due_on is the
-- next visit's day, kept with the last visit that reached the person so that the overdue scan
-- reads one row a pairing.
create table care_pairing (
    pairing_id integer primary key,
    community_id bigint not null references community (community_id),
    household_id bigint not null references household (household_id),
    carer_account_id bigint not null references account (account_id),
    carer_name text not null,
    -- party_member | volunteer | grid_worker
    carer_kind text not null,
    reason text not null default '',
    -- 1 when the household had no care-group tag when paired (allowed with a reason, flagged)
    untagged bigint not null default 0,
    interval_days bigint not null,
    starts_on text not null,
    ends_on text,
    last_visit_on text,
    due_on text not null,
    created_by bigint references account (account_id),
    created_at bigint not null,
    updated_at bigint not null,
    ended_at bigint
);
create index care_pairing_due on care_pairing (community_id, ended_at, due_on);
create index care_pairing_carer on care_pairing (carer_account_id, ended_at, due_on);
create index care_pairing_household on care_pairing (household_id, ended_at);
create unique index care_pairing_once on care_pairing (household_id, carer_account_id) where ended_at is null;

-- A care visit, logged by the household's carer.
create table care_visit (
    visit_id integer primary key,
    community_id bigint not null references community (community_id),
    pairing_id bigint not null references care_pairing (pairing_id),
    household_id bigint not null references household (household_id),
    carer_account_id bigint not null references account (account_id),
    visited_on text not null,
    -- met | phoned | not_home | unreachable
    outcome text not null,
    condition_sealed text,
    needs_sealed text,
    follow_up_sealed text,
    appeal_id bigint references appeal (appeal_id),
    wish_id bigint references care_wish (wish_id),
    created_at bigint not null
);
create index care_visit_pairing on care_visit (pairing_id, visited_on);
create index care_visit_community on care_visit (community_id, visited_on);
-- a household's visits by all its carers, newest first (its pairing's page)
create index care_visit_household on care_visit (household_id, visited_on);

-- An alert sent about a pairing: each tier once for each overdue due day, and at once for a
-- visit that could not reach the person.
create table care_alert (
    alert_id integer primary key,
    community_id bigint not null references community (community_id),
    pairing_id bigint not null references care_pairing (pairing_id),
    -- overdue | unreachable
    reason text not null,
    -- carer | grid_worker | community
    tier text not null,
    -- the day the visit was due, or the unreachable visit's day
    due_on text not null,
    visit_id bigint references care_visit (visit_id),
    created_at bigint not null
);
create unique index care_alert_once on care_alert (pairing_id, reason, due_on, tier);
create index care_alert_community on care_alert (community_id, created_at);
