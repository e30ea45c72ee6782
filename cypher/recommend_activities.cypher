// The activities of these committees not over on $day (graph/recommend.py proposes a
// temporary branch for one of some kinds, or a long one): their committee, kind and dates.
UNWIND $committee_ids AS committee_id
MATCH (a:Activity {committee_id: committee_id})
WHERE a.end_date >= $day
RETURN a.committee_id AS committee_id, a.kind AS kind, a.start_date AS start_date, a.end_date AS end_date
