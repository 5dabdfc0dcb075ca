-- Appeals and work orders (民情驿站 · 大管家). Contact phone numbers are sealed like the
-- registry's (contact_sealed, AES-256-GCM; contact_masked for display). Instants are epoch ms.

-- Who handles appeals: a community team, the property company, a named department.
create table appeal_party (
    party_id integer primary key,
    community_id bigint not null references community (community_id),
    kind text not null,
    name text not null,
    phone text not null default '',
    retired_at bigint,
    created_at bigint not null
);
create unique index appeal_party_name on appeal_party (community_id, name);

-- The accounts that work a party's queue.
create table appeal_party_member (
    party_id bigint not null references appeal_party (party_id),
    account_id bigint not null references account (account_id),
    community_id bigint not null references community (community_id),
    primary key (party_id, account_id)
);
create index appeal_party_member_account on appeal_party_member (account_id);

-- The service catalogue: categories with a default handling party and a deadline tier.
create table appeal_category (
    category_id integer primary key,
    community_id bigint not null references community (community_id),
    code text not null,
    name text not null,
    description text not null default '',
    keywords text not null default '',
    party_id bigint not null references appeal_party (party_id),
    tier text not null,
    -- extra questions (Open311 attributes), a JSON list; see model/attributes.rs
    attributes text not null default '[]',
    retired_at bigint,
    created_at bigint not null
);
create unique index appeal_category_code on appeal_category (community_id, code);

-- Routing rules: a category in a grid (or one building of it) goes to another party.
create table appeal_route (
    route_id integer primary key,
    community_id bigint not null references community (community_id),
    category_id bigint not null references appeal_category (category_id),
    grid_id bigint not null references grid (grid_id),
    building_id bigint references building (building_id),
    party_id bigint not null references appeal_party (party_id),
    created_at bigint not null
);
create index appeal_route_category on appeal_route (community_id, category_id);

create table appeal (
    appeal_id integer primary key,
    community_id bigint not null references community (community_id),
    category_id bigint not null references appeal_category (category_id),
    kind text not null,
    channel text not null,
    status text not null,
    description text not null,
    -- where: a place in the structure, an address, a point (degrees × 10^6)
    grid_id bigint references grid (grid_id),
    building_id bigint references building (building_id),
    unit_id bigint references unit (unit_id),
    household_id bigint references household (household_id),
    address text not null default '',
    lat_e6 bigint,
    long_e6 bigint,
    -- answers to the category's questions (JSON object), and a photo's URL given by an Open311 client
    attributes text not null default '{}',
    media_url text not null default '',
    -- who: the account that raised it (a resident), or staff on someone's behalf
    anonymous integer not null default 0,
    requester_account_id bigint references account (account_id),
    requester_name text not null default '',
    contact_sealed text,
    contact_masked text not null default '',
    recorded_by bigint references account (account_id),
    -- handling
    party_id bigint references appeal_party (party_id),
    tier text not null,
    dispatch_due_at bigint not null,
    reply_due_at bigint,
    accepted_at bigint,
    dispatched_at bigint,
    taken_at bigint,
    replied_at bigint,
    verified_at bigint,
    rated_at bigint,
    closed_at bigint,
    answer text not null default '',
    rating text,
    rating_comment text not null default '',
    -- deadline watch (see sweep.rs): warned before the current deadline, marked overdue after
    -- it, escalated to the community's administrators (1) and then the subdistrict (2)
    warned_at bigint,
    overdue_at bigint,
    escalation bigint not null default 0,
    redo_count integer not null default 0,
    urge_count integer not null default 0,
    supervised integer not null default 0,
    -- the appeal this one duplicates (no foreign key: a restore may meet it first)
    duplicate_of bigint,
    decline_reason text,
    version integer not null default 1,
    created_at bigint not null,
    updated_at bigint not null
);
create index appeal_community on appeal (community_id, status, created_at);
create index appeal_party_queue on appeal (party_id, status, appeal_id);
create index appeal_requester on appeal (requester_account_id, created_at);
create index appeal_month on appeal (community_id, created_at);
create index appeal_dispatch_due on appeal (status, dispatch_due_at);
create index appeal_reply_due on appeal (status, reply_due_at);

-- Parties asked to help with an appeal (协办).
create table appeal_cohandler (
    appeal_id bigint not null references appeal (appeal_id),
    party_id bigint not null references appeal_party (party_id),
    community_id bigint not null references community (community_id),
    created_at bigint not null,
    primary key (appeal_id, party_id)
);
create index appeal_cohandler_party on appeal_cohandler (party_id);

-- Every step of an appeal: who, when, what; the public note is shown to the requester, the
-- internal note only to those who handle it.
create table appeal_step (
    step_id integer primary key,
    community_id bigint not null references community (community_id),
    appeal_id bigint not null references appeal (appeal_id),
    at bigint not null,
    actor_account_id bigint,
    actor_label text not null,
    action text not null,
    from_status text not null,
    to_status text not null,
    party_id bigint,
    public_note text not null default '',
    internal_note text not null default ''
);
create index appeal_step_appeal on appeal_step (appeal_id, step_id);

-- Photos of an appeal: what the requester saw, the handler's evidence. Stored files (by hash,
-- EXIF stripped) served only to those who may see the appeal.
create table appeal_photo (
    photo_id integer primary key,
    community_id bigint not null references community (community_id),
    appeal_id bigint not null references appeal (appeal_id),
    sha256 text not null references stored_file (sha256),
    status text not null,
    added_by_label text not null,
    created_at bigint not null
);
create index appeal_photo_appeal on appeal_photo (appeal_id, photo_id);
