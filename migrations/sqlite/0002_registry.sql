-- The residents registry (居民台账). Residents, tags and holdings find their grid through their
-- household, which the structure may move between grids; visits keep the grid they were made in.
-- Columns ending in _sealed hold AES-256-GCM ciphertext and
-- those ending in _blind a keyed HMAC index for exact lookups: the key lives outside the
-- database, so this file never holds an ID number, a phone number, a care-group tag or a health
-- note in clear. _masked columns hold what anyone allowed to see the row may see.

create table registry_resident (
    resident_id integer primary key,
    community_id bigint not null references community (community_id),
    household_id bigint not null references household (household_id),
    name text not null,
    -- male | female | unknown
    gender text not null,
    -- YYYY-MM-DD
    birth_date text,
    -- GB/T 3304 two-digit code; 97 other, 98 foreign national
    ethnicity text not null default '',
    -- citizen | hmt_permit | passport | other | none
    id_type text not null,
    id_sealed text,
    id_blind text,
    id_masked text not null default '',
    phone_sealed text,
    phone_blind text,
    phone_masked text not null default '',
    phone2_sealed text,
    phone2_blind text,
    phone2_masked text not null default '',
    -- head | spouse | child | parent | grandchild | grandparent | sibling | in_law | tenant | other
    relation text not null,
    -- registered_living | living_unregistered | registered_away | moved_out | deceased
    residence text not null,
    moved_in_on text,
    occupation text not null default '',
    employer text not null default '',
    -- party_member | league_member | masses
    political text not null default 'masses',
    party_branch text not null default '',
    veteran bigint not null default 0,
    health_sealed text,
    notes text not null default '',
    -- the resident's own account, for viewing their data and asking for corrections
    account_id bigint references account (account_id),
    -- the record this duplicate was merged into (no foreign key: restore order is by id)
    merged_into bigint,
    created_at bigint not null,
    updated_at bigint not null,
    -- set when the person moved out, died or was merged into another record
    left_at bigint
);
create index registry_resident_name on registry_resident (community_id, left_at, name);
create index registry_resident_household on registry_resident (household_id, left_at);
create index registry_resident_id_blind on registry_resident (community_id, id_blind);
create index registry_resident_phone_blind on registry_resident (community_id, phone_blind);
create index registry_resident_phone2_blind on registry_resident (community_id, phone2_blind);
create index registry_resident_account on registry_resident (account_id);

-- A care-group tag (特殊群体) with its period. The kind is sealed too; kind_blind (keyed by the
-- community) lets counts and filters work without it.
create table registry_care_tag (
    care_tag_id integer primary key,
    community_id bigint not null references community (community_id),
    resident_id bigint not null references registry_resident (resident_id),
    kind_blind text not null,
    kind_sealed text not null,
    detail_sealed text,
    starts_on text not null,
    ends_on text,
    created_at bigint not null,
    updated_at bigint not null
);
create index registry_care_tag_kind on registry_care_tag (community_id, kind_blind);
create index registry_care_tag_resident on registry_care_tag (resident_id);

-- Owners and tenants of a dwelling (household). Owners carry the exclusive area that owners'
-- votes are weighed by (DOMAIN.md §1), in 0.01 m², and where the figure comes from.
create table registry_holding (
    holding_id integer primary key,
    community_id bigint not null references community (community_id),
    household_id bigint not null references household (household_id),
    resident_id bigint references registry_resident (resident_id),
    holder_name text not null,
    -- owner | tenant
    kind text not null,
    area_centi_m2 bigint,
    -- register | survey | contract
    area_source text,
    developer bigint not null default 0,
    starts_on text,
    ends_on text,
    created_at bigint not null,
    updated_at bigint not null
);
create index registry_holding_household on registry_holding (community_id, household_id);

-- The history of households and residents: moves, departures, merges, corrections. Details
-- hold masked values only.
create table registry_event (
    event_id integer primary key,
    community_id bigint not null references community (community_id),
    household_id bigint,
    resident_id bigint,
    at bigint not null,
    actor_account_id bigint,
    actor_label text not null,
    kind text not null,
    detail text not null default ''
);
create index registry_event_household on registry_event (community_id, household_id, at);
create index registry_event_resident on registry_event (community_id, resident_id, at);

-- A door visit (走访) to a household.
create table registry_visit (
    visit_id integer primary key,
    community_id bigint not null references community (community_id),
    grid_id bigint not null references grid (grid_id),
    household_id bigint not null references household (household_id),
    visitor_account_id bigint references account (account_id),
    visitor_label text not null,
    visited_at bigint not null,
    met text not null default '',
    findings_sealed text,
    follow_up_sealed text,
    -- set by the appeals module when the visit raised an appeal
    appeal_id bigint,
    created_at bigint not null
);
create index registry_visit_grid on registry_visit (community_id, grid_id, visited_at);
create index registry_visit_household on registry_visit (household_id, visited_at);

-- A resident's request to correct their data or to have a copy of it (PIPL arts 45–46).
create table registry_request (
    request_id integer primary key,
    community_id bigint not null references community (community_id),
    resident_id bigint not null references registry_resident (resident_id),
    account_id bigint not null references account (account_id),
    -- correction | copy
    kind text not null,
    body text not null,
    -- open | done | refused
    status text not null default 'open',
    answer text not null default '',
    answered_by bigint references account (account_id),
    created_at bigint not null,
    answered_at bigint
);
create index registry_request_community on registry_request (community_id, status, created_at);

-- An import: the file is parsed and every row checked into registry_import_row (sealed, since
-- rows hold ID numbers) before anything is written, so a closed browser can come back to it.
create table registry_import (
    import_id integer primary key,
    community_id bigint not null references community (community_id),
    account_id bigint not null references account (account_id),
    file_name text not null,
    -- previewed | committed | cancelled
    status text not null,
    total_rows bigint not null,
    accepted_rows bigint not null,
    created_at bigint not null,
    committed_at bigint
);
create index registry_import_community on registry_import (community_id, created_at);

create table registry_import_row (
    import_id bigint not null references registry_import (import_id),
    row_no bigint not null,
    data_sealed text not null,
    -- JSON: [{"column": "...", "code": "...", "args": {...}}]; empty when the row is accepted
    errors text not null default '',
    primary key (import_id, row_no)
);
