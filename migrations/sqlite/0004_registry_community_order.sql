-- PostgreSQL gains an index on registry_resident (community_id, resident_id) here. SQLite does
-- not need it (its rowid is the resident id, and the list walks it already) and would wrongly
-- prefer it for a grid's list, so this file only keeps the two migration histories in step.
select 1;
