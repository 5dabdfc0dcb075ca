-- On PostgreSQL the bytes of stored files (photos, logos) live in the database, so that every
-- instance behind a load balancer serves what any of them received; before, each kept them in
-- its own data directory, and a photo sent through one was missing through the others. On
-- SQLite, one machine, they stay in the data directory and this table stays empty. Backups carry
-- the bytes as files either way, not as rows.
create table stored_blob (
    sha256 text primary key references stored_file (sha256),
    bytes bytea not null
);
