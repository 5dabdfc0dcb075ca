-- The foundation: tenancy and community structure, accounts and roles, audit.
-- Instants are epoch milliseconds (UTC). Every community-scoped table carries community_id and its
-- indexes lead with it, so the data can later be distributed by community.

create table district (
    district_id integer primary key,
    code text not null unique,
    name text not null,
    created_at bigint not null,
    updated_at bigint not null,
    retired_at bigint
);

create table subdistrict (
    subdistrict_id integer primary key,
    district_id bigint not null references district (district_id),
    code text not null unique,
    name text not null,
    created_at bigint not null,
    updated_at bigint not null,
    retired_at bigint
);
create index subdistrict_district on subdistrict (district_id);

create table community (
    community_id integer primary key,
    district_id bigint not null references district (district_id),
    subdistrict_id bigint not null references subdistrict (subdistrict_id),
    code text not null unique,
    name text not null,
    brand text not null default '',
    time_zone text not null default 'Asia/Shanghai',
    logo text,
    address text not null default '',
    created_at bigint not null,
    updated_at bigint not null,
    retired_at bigint
);
create index community_subdistrict on community (subdistrict_id);
create index community_district on community (district_id);

create table grid (
    grid_id integer primary key,
    community_id bigint not null references community (community_id),
    code text not null,
    name text not null,
    description text not null default '',
    created_at bigint not null,
    updated_at bigint not null,
    retired_at bigint,
    unique (community_id, code)
);
create index grid_live on grid (community_id, grid_id, retired_at);

create table building (
    building_id integer primary key,
    community_id bigint not null references community (community_id),
    grid_id bigint not null references grid (grid_id),
    code text not null,
    name text not null,
    compound text not null default '',
    floors bigint,
    created_at bigint not null,
    updated_at bigint not null,
    retired_at bigint,
    unique (community_id, code)
);
create index building_grid on building (community_id, grid_id, retired_at);

create table unit (
    unit_id integer primary key,
    community_id bigint not null references community (community_id),
    grid_id bigint not null references grid (grid_id),
    building_id bigint not null references building (building_id),
    code text not null,
    name text not null,
    created_at bigint not null,
    updated_at bigint not null,
    retired_at bigint,
    unique (building_id, code)
);
create index unit_grid on unit (community_id, grid_id, retired_at);

create table household (
    household_id integer primary key,
    community_id bigint not null references community (community_id),
    grid_id bigint not null references grid (grid_id),
    building_id bigint not null references building (building_id),
    unit_id bigint not null references unit (unit_id),
    -- the room number, e.g. 302
    code text not null,
    name text not null default '',
    created_at bigint not null,
    updated_at bigint not null,
    retired_at bigint,
    unique (unit_id, code)
);
create index household_grid on household (community_id, grid_id, retired_at);

create table account (
    account_id integer primary key,
    username text not null unique,
    display_name text not null,
    phone text not null default '',
    password_hash text not null,
    locale text not null default 'zh-CN',
    status text not null default 'active',
    must_change_password bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null,
    password_changed_at bigint not null
);

-- A role held over a scope. The ancestors of the scope are copied in (district .. grid), so a
-- query can test reach with plain comparisons.
create table account_role (
    account_role_id integer primary key,
    account_id bigint not null references account (account_id),
    role text not null,
    scope_kind text not null,
    scope_id bigint,
    district_id bigint references district (district_id),
    subdistrict_id bigint references subdistrict (subdistrict_id),
    community_id bigint references community (community_id),
    grid_id bigint references grid (grid_id),
    created_at bigint not null,
    revoked_at bigint
);
create index account_role_account on account_role (account_id);
create index account_role_community on account_role (community_id, role);
create index account_role_grid on account_role (grid_id, role);

create table account_session (
    session_hash text primary key,
    account_id bigint not null references account (account_id),
    created_at bigint not null,
    expires_at bigint not null,
    last_seen_at bigint not null
);
create index account_session_account on account_session (account_id);

create table account_token (
    account_token_id integer primary key,
    token_hash text not null unique,
    kind text not null,
    account_id bigint references account (account_id),
    community_id bigint references community (community_id),
    name text not null,
    created_at bigint not null,
    last_used_at bigint,
    revoked_at bigint
);

-- Failed logins counted per account and per address, in the database so that every instance
-- behind a load balancer sees the same counts.
create table account_throttle (
    throttle_key text primary key,
    failures bigint not null,
    window_start bigint not null,
    locked_until bigint not null default 0
);

-- The head of each audit chain (one chain per community, chain 0 for the platform).
create table audit_head (
    chain_id bigint primary key,
    seq bigint not null,
    hash text not null
);

create table audit_event (
    audit_event_id integer primary key,
    chain_id bigint not null,
    seq bigint not null,
    at bigint not null,
    actor_account_id bigint,
    actor_label text not null,
    action text not null,
    entity text not null,
    entity_id text not null,
    community_id bigint,
    before_json text,
    after_json text,
    purpose text,
    prev_hash text not null,
    hash text not null,
    unique (chain_id, seq)
);
create index audit_event_community on audit_event (community_id, at);
create index audit_event_actor on audit_event (actor_account_id, at);
create index audit_event_entity on audit_event (entity, entity_id);

-- Stored files (photos, documents, logos): the bytes live under the data directory, named by
-- their SHA-256; this row holds what the server needs to serve them.
create table stored_file (
    stored_file_id integer primary key,
    sha256 text not null unique,
    mime text not null,
    size_bytes bigint not null,
    created_at bigint not null
);
