-- The audit chain becomes keyed: rows are sealed with HMAC-SHA256 under a key derived from the
-- vault's key, which lives outside the database, so whoever can write the database can no
-- longer rewrite the chain and recompute it.
--
-- Rows written before keep their unkeyed SHA-256 (mac_version 0) and are still verified that
-- way; new rows carry mac_version 1. They are not re-keyed here: a migration has no key, and
-- re-keying at start would vouch, under the key, for rows that were only ever protected by an
-- unkeyed hash (and rewrite every row of a large log). The first keyed row's MAC covers its link
-- to the last unkeyed one, so the old rows are held in place from then on all the same.
alter table audit_event add column mac_version bigint not null default 0;

-- The head's own MAC over (chain, seq, hash): copying an earlier row's seq and hash into the
-- head no longer makes a shortened chain look whole. Null for heads last written before.
alter table audit_head add column head_mac text;
