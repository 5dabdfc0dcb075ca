-- Maps: a grid's boundary and a building's place, both WGS-84 (as GPS and Open311 give them;
-- a map over GCJ-02 tiles shifts them when it draws). The boundary is a GeoJSON geometry
-- (Polygon or MultiPolygon) as text; a point is degrees × 10^6, as an appeal's is.
alter table grid add column boundary text;
alter table building add column lat_e6 bigint;
alter table building add column long_e6 bigint;
