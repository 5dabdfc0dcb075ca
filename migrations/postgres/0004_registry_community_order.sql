-- A whole community's residents in id order (the staff list and the API's keyset paging).
-- Without it PostgreSQL started from the households and sorted every resident of a large
-- community: about a second at 20 000 residents.
create index registry_resident_community on registry_resident (community_id, resident_id);
