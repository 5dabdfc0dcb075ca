-- Volunteers (小蜜蜂驿站 · 爱之翼): teams, volunteer profiles, activities with shifts, sign-ups
-- with attendance, and two double-entry ledgers (service minutes, points). Instants are epoch
-- ms; service time is counted in minutes. Ledger rows are only ever inserted: a correction is a
-- new transaction, and a balance is the sum of an account's entries.

create table vol_team (
    team_id integer primary key,
    community_id bigint not null references community (community_id),
    name text not null,
    description text not null default '',
    retired_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create unique index vol_team_name on vol_team (community_id, name);

-- The grids a team is placed in.
create table vol_team_grid (
    team_id bigint not null references vol_team (team_id),
    grid_id bigint not null references grid (grid_id),
    primary key (team_id, grid_id)
);

-- A volunteer: a resident of the registry, or someone from outside (a cadre sent down, a
-- property-company employee). A minor takes part only with a guardian's consent.
create table volunteer (
    volunteer_id integer primary key,
    community_id bigint not null references community (community_id),
    account_id bigint references account (account_id),
    resident_id bigint references registry_resident (resident_id),
    name text not null,
    -- resident | outside
    origin text not null,
    organisation text not null default '',
    -- YYYY-MM-DD
    birth_date text,
    phone_sealed text,
    phone_masked text not null default '',
    -- comma-separated, as typed
    skills text not null default '',
    availability text not null default '',
    contact_consent bigint not null default 0,
    -- may be named to other volunteers and the public (rosters, thanks)
    publish_consent bigint not null default 0,
    guardian_name text not null default '',
    guardian_consent_at bigint,
    -- a party member reporting back to the community (双报到)
    report_back bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null,
    left_at bigint
);
create unique index volunteer_account on volunteer (community_id, account_id);
-- a signed-in person's volunteer profiles, across communities
create index volunteer_account_only on volunteer (account_id);
create index volunteer_name on volunteer (community_id, left_at, name);

create table vol_member (
    team_id bigint not null references vol_team (team_id),
    volunteer_id bigint not null references volunteer (volunteer_id),
    community_id bigint not null references community (community_id),
    -- leader | member
    role text not null,
    -- applied | active | declined | left
    status text not null,
    note text not null default '',
    applied_at bigint not null,
    decided_at bigint,
    decided_by bigint,
    primary key (team_id, volunteer_id)
);
create index vol_member_volunteer on vol_member (volunteer_id);

create table vol_activity (
    activity_id integer primary key,
    community_id bigint not null references community (community_id),
    team_id bigint references vol_team (team_id),
    title text not null,
    -- culture | publicity | mediation | skills | care_visit | sanitation | other
    kind text not null,
    place text not null,
    description text not null default '',
    starts_at bigint not null,
    ends_at bigint not null,
    min_age bigint not null default 0,
    -- comma-separated skills a volunteer must have
    skills text not null default '',
    -- sign-ups may be cancelled until starts_at minus this
    cancel_before_ms bigint not null,
    points_per_hour bigint not null,
    -- people served, entered by the leader afterwards
    served bigint not null default 0,
    -- the minutes credited to its sign-ups and how many sign-ups have some, moved by the
    -- difference in the transaction that credits a sign-up: the reports read these
    minutes bigint not null default 0,
    attendances bigint not null default 0,
    -- published | cancelled
    status text not null,
    created_by bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index vol_activity_when on vol_activity (community_id, starts_at);
create index vol_activity_team on vol_activity (team_id, starts_at);

create table vol_activity_grid (
    activity_id bigint not null references vol_activity (activity_id),
    grid_id bigint not null references grid (grid_id),
    primary key (activity_id, grid_id)
);

create table vol_shift (
    shift_id integer primary key,
    activity_id bigint not null references vol_activity (activity_id),
    community_id bigint not null references community (community_id),
    starts_at bigint not null,
    ends_at bigint not null,
    capacity bigint not null
);
create index vol_shift_activity on vol_shift (activity_id, starts_at);
create index vol_shift_starts on vol_shift (starts_at);

create table vol_signup (
    signup_id integer primary key,
    community_id bigint not null references community (community_id),
    activity_id bigint not null references vol_activity (activity_id),
    shift_id bigint not null references vol_shift (shift_id),
    volunteer_id bigint not null references volunteer (volunteer_id),
    -- confirmed | waiting | cancelled
    status text not null,
    created_at bigint not null,
    cancelled_at bigint,
    reminded_at bigint,
    checked_in_at bigint,
    -- qr | leader
    checked_in_by text,
    checked_out_at bigint,
    checked_out_by text,
    -- the minutes credited so far (the ledger holds the entries; this is where the roster reads them)
    minutes bigint,
    recorded_at bigint
);
create unique index vol_signup_once on vol_signup (shift_id, volunteer_id);
create index vol_signup_shift on vol_signup (shift_id, status, created_at);
-- the reports sum the minutes of an activity's sign-ups from this index alone
create index vol_signup_activity on vol_signup (activity_id, status, volunteer_id, minutes);
create index vol_signup_volunteer on vol_signup (volunteer_id, created_at);

-- An account of a ledger: a volunteer's, or one of the community's own counter accounts
-- (service: minutes given; issued: points awarded; redeemed: points spent at the merchant
-- alliance). floor: the lowest balance allowed, none when null.
create table vol_ledger_account (
    ledger_account_id integer primary key,
    community_id bigint not null references community (community_id),
    -- hours | points
    ledger text not null,
    -- volunteer | service | issued | redeemed
    holder text not null,
    volunteer_id bigint references volunteer (volunteer_id),
    floor bigint,
    created_at bigint not null
);
create unique index vol_ledger_account_holder on vol_ledger_account (community_id, ledger, holder, coalesce(volunteer_id, 0));
create index vol_ledger_account_volunteer on vol_ledger_account (volunteer_id, ledger);

-- A transaction: its entries sum to zero.
create table vol_txn (
    txn_id integer primary key,
    community_id bigint not null references community (community_id),
    ledger text not null,
    -- service | correction | earned | bonus | spend
    kind text not null,
    memo text not null default '',
    activity_id bigint references vol_activity (activity_id),
    signup_id bigint references vol_signup (signup_id),
    actor_account_id bigint,
    created_at bigint not null
);
create index vol_txn_activity on vol_txn (activity_id);
create index vol_txn_signup on vol_txn (signup_id);
create index vol_txn_community on vol_txn (community_id, ledger, created_at);

create table vol_entry (
    entry_id integer primary key,
    txn_id bigint not null references vol_txn (txn_id),
    ledger_account_id bigint not null references vol_ledger_account (ledger_account_id),
    amount bigint not null
);
create index vol_entry_account on vol_entry (ledger_account_id, entry_id, amount);
create index vol_entry_txn on vol_entry (txn_id);

-- A certificate as issued: what it shows is kept as issued, so the public verification page
-- shows exactly that, however the record changes afterwards.
create table vol_certificate (
    certificate_id integer primary key,
    community_id bigint not null references community (community_id),
    volunteer_id bigint not null references volunteer (volunteer_id),
    code text not null,
    minutes bigint not null,
    -- JSON: name, community, recording unit, services, hours, star level
    shows text not null,
    issued_by bigint,
    issued_at bigint not null
);
create unique index vol_certificate_code on vol_certificate (code);
create index vol_certificate_volunteer on vol_certificate (volunteer_id, issued_at);
