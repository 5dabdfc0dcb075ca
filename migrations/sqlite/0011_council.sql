-- The council (西邻红管家议事厅): topics residents raise (说事) and co-sign, their discussion
-- (议事), meetings with attendance and minutes, votes (决事) with the electorate as it stood when
-- the vote opened, ballots, resolutions with their tasks, and what the public board shows.
-- Instants are epoch ms; days are YYYY-MM-DD; areas are hundredths of a square metre.

create table council_topic (
    topic_id integer primary key,
    community_id bigint not null references community (community_id),
    -- building | compound | grid | community
    scope_kind text not null,
    -- the building's or the grid's id; null for a compound (named in scope_label) or the community
    scope_id bigint,
    scope_label text not null,
    title text not null,
    body text not null,
    raised_by bigint references account (account_id),
    raiser_name text not null,
    -- resident | grid_worker | party_member | staff
    raiser_role text not null,
    -- raised | agenda | merged | answered | declined | decided
    status text not null,
    -- the topic it was merged into (no foreign key: no table references itself, see backup)
    merged_into bigint,
    -- staff's direct answer, or the reason it was declined or merged
    answer text not null default '',
    cosigns bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null
);
create index council_topic_list on council_topic (community_id, status, topic_id);

-- Photos attached to a topic.
create table council_topic_file (
    topic_id bigint not null references council_topic (topic_id),
    stored_file_id bigint not null references stored_file (stored_file_id),
    primary key (topic_id, stored_file_id)
);

create table council_cosign (
    topic_id bigint not null references council_topic (topic_id),
    account_id bigint not null references account (account_id),
    created_at bigint not null,
    primary key (topic_id, account_id)
);

-- Comments and replies; an official answer names the party it speaks for.
create table council_comment (
    comment_id integer primary key,
    topic_id bigint not null references council_topic (topic_id),
    -- the comment it replies to (no foreign key, as merged_into)
    parent_id bigint,
    account_id bigint references account (account_id),
    author_name text not null,
    official text not null default '',
    body text not null,
    reports bigint not null default 0,
    -- hidden after enough reports (or by staff) until staff review it
    hidden_at bigint,
    reviewed_at bigint,
    created_at bigint not null
);
create index council_comment_topic on council_comment (topic_id, comment_id);

create table council_comment_report (
    comment_id bigint not null references council_comment (comment_id),
    account_id bigint not null references account (account_id),
    reason text not null default '',
    created_at bigint not null,
    primary key (comment_id, account_id)
);

create table council_meeting (
    meeting_id integer primary key,
    community_id bigint not null references community (community_id),
    title text not null,
    -- deliberation | owners | residents
    kind text not null,
    starts_at bigint not null,
    place text not null,
    -- the parties invited, as typed (物业公司、住建局 …)
    invited text not null default '',
    notice_at bigint not null,
    minutes text not null default '',
    minutes_at bigint,
    -- who may read the minutes on the board: public | residents
    visibility text not null default 'public',
    created_by bigint references account (account_id),
    created_at bigint not null,
    updated_at bigint not null
);
create index council_meeting_community on council_meeting (community_id, starts_at);

create table council_meeting_topic (
    meeting_id bigint not null references council_meeting (meeting_id),
    topic_id bigint not null references council_topic (topic_id),
    primary key (meeting_id, topic_id)
);

-- Who signed in at a meeting: a person of the registry or an account, or a guest by name.
create table council_attendance (
    attendance_id integer primary key,
    meeting_id bigint not null references council_meeting (meeting_id),
    account_id bigint references account (account_id),
    name text not null,
    signed_at bigint not null,
    signed_by bigint references account (account_id)
);
create unique index council_attendance_account on council_attendance (meeting_id, account_id);

create table council_vote (
    vote_id integer primary key,
    community_id bigint not null references community (community_id),
    topic_id bigint references council_topic (topic_id),
    meeting_id bigint references council_meeting (meeting_id),
    title text not null,
    -- owners | residents | poll
    kind text not null,
    -- the rule preset it is counted under (model/rules.rs), kept so a later law does not recount it
    preset text not null,
    -- owners: one of the nine matters of Civil Code art. 278
    matter text not null default '',
    -- residents: adults | households
    entitled text not null default '',
    scope_kind text not null,
    scope_id bigint,
    scope_label text not null,
    -- ballot (each voter's ballot) | hands (a show of hands entered by staff)
    method text not null default 'ballot',
    secret bigint not null default 0,
    changeable bigint not null default 1,
    -- polls: the options as a JSON array of strings, several may be chosen, the quorum ('' or n/d)
    options text not null default '[]',
    multiple bigint not null default 0,
    quorum text not null default '',
    -- draft | open | closed
    status text not null,
    opens_at bigint,
    closes_at bigint not null,
    closed_at bigint,
    electors bigint not null default 0,
    -- the tally at close, as JSON, and whether the motion passed
    result text,
    passed bigint,
    created_by bigint references account (account_id),
    created_at bigint not null,
    updated_at bigint not null
);
create index council_vote_community on council_vote (community_id, status, vote_id);
create index council_vote_topic on council_vote (topic_id);

-- An owners' vote's units as they stood at opening: owner number (0 the developer), area, source.
create table council_vote_unit (
    vote_id bigint not null references council_vote (vote_id),
    household_id bigint not null references household (household_id),
    owner_no bigint not null,
    area_centi_m2 bigint not null,
    area_source text not null default '',
    primary key (vote_id, household_id)
);

-- Who may vote, as it stood at opening, and as which voter: the owner number in an owners' vote,
-- the household in a vote of household representatives, the resident otherwise.
create table council_elector (
    vote_id bigint not null references council_vote (vote_id),
    resident_id bigint not null references registry_resident (resident_id),
    voter_no bigint not null,
    account_id bigint references account (account_id),
    name text not null,
    primary key (vote_id, resident_id)
);
create index council_elector_account on council_elector (vote_id, account_id, resident_id);
create index council_elector_voter on council_elector (vote_id, voter_no);

-- One ballot per voter. A ballot entered from paper (or for a proxy) counts once a second staff
-- member has confirmed it with the same choice.
create table council_ballot (
    ballot_id integer primary key,
    vote_id bigint not null references council_vote (vote_id),
    voter_no bigint not null,
    -- approve | oppose | abstain; '' in a poll
    choice text not null default '',
    -- a poll's chosen options, as a JSON array of indexes
    options text not null default '[]',
    -- phone | paper | proxy
    channel text not null,
    proxy_name text not null default '',
    proxy_file bigint references stored_file (stored_file_id),
    cast_by bigint references account (account_id),
    confirmed_by bigint references account (account_id),
    cast_at bigint not null,
    confirmed_at bigint
);
create unique index council_ballot_voter on council_ballot (vote_id, voter_no);

-- A show of hands at a residents' meeting: entered by one staff member, confirmed by another
-- entering the same figures.
create table council_hands (
    vote_id bigint primary key references council_vote (vote_id),
    present bigint not null,
    approve bigint not null,
    oppose bigint not null,
    abstain bigint not null,
    entered_by bigint not null references account (account_id),
    entered_at bigint not null,
    confirmed_by bigint references account (account_id),
    confirmed_at bigint
);

create table council_resolution (
    resolution_id integer primary key,
    community_id bigint not null references community (community_id),
    vote_id bigint references council_vote (vote_id),
    topic_id bigint references council_topic (topic_id),
    title text not null,
    body text not null default '',
    decided_on text not null,
    -- public | residents
    visibility text not null default 'public',
    created_at bigint not null,
    updated_at bigint not null
);
create unique index council_resolution_vote on council_resolution (vote_id);
create index council_resolution_community on council_resolution (community_id, resolution_id);

create table council_task (
    task_id integer primary key,
    resolution_id bigint not null references council_resolution (resolution_id),
    -- who carries it out, as named (物业公司, 社区居委会, a department)
    party text not null,
    title text not null,
    deadline text not null,
    progress bigint not null default 0,
    done_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index council_task_resolution on council_task (resolution_id);

create table council_task_update (
    update_id integer primary key,
    task_id bigint not null references council_task (task_id),
    progress bigint not null,
    note text not null,
    account_id bigint references account (account_id),
    author_name text not null,
    created_at bigint not null
);
create index council_task_update_task on council_task_update (task_id, update_id);
