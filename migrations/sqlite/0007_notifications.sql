-- The in-app inbox: what concerns each account (an appeal dispatched to their party, a step on
-- their own appeal, a deadline near or past). The message is a translation key and its
-- arguments, shown in the reader's language.
create table notification (
    notification_id integer primary key,
    community_id bigint references community (community_id),
    account_id bigint not null references account (account_id),
    kind text not null,
    args text not null default '{}',
    link text not null default '',
    created_at bigint not null,
    read_at bigint
);
create index notification_account on notification (account_id, read_at, notification_id);
