-- Messages to the world outside (webhooks, e-mail), written in the transaction of the change
-- they report and delivered afterwards with retries (kernel/src/outbox.rs): a channel that is
-- down delays them, and loses none.
create table outbox (
    outbox_id integer primary key,
    community_id bigint references community (community_id),
    channel text not null,
    target text not null,
    subject text not null default '',
    body text not null,
    -- a webhook's HMAC-SHA256 of the body with the community's secret, computed when written
    signature text not null default '',
    attempts bigint not null default 0,
    next_at bigint not null,
    leased_until bigint,
    sent_at bigint,
    failed_at bigint,
    last_error text not null default '',
    created_at bigint not null
);
create index outbox_due on outbox (next_at) where sent_at is null and failed_at is null;

-- A handling party may be told by e-mail too (a property company that works from its mailbox).
alter table appeal_party add column email text not null default '';
