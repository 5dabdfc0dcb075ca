-- Facts about the installation itself, one row each: the check value of the secret key the data
-- is sealed with (so that an instance holding another key refuses to start rather than seal
-- new data under it), and the row `/readyz` rewrites to learn whether the database can write.
create table instance_meta (
    meta_key text primary key,
    meta_value text not null
);
