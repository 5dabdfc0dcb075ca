-- Imports come in kinds: the residents' sheet and the owners' register (业主名册). A register
-- row carries a unit's owners and areas, not a person, so the stored rows say which kind they are.
alter table registry_import add column kind text not null default 'residents';

-- A remark on an accepted row for the preview, e.g. that it repeats an earlier row and is kept
-- once: JSON like the errors, empty when there is none.
alter table registry_import_row add column note text not null default '';
