-- Settings that modules declare, per community (see crates/kernel/src/settings.rs). A missing
-- row means the setting's default.
create table community_setting (
    community_id bigint not null references community (community_id),
    key text not null,
    value text not null,
    updated_at bigint not null,
    primary key (community_id, key)
);
