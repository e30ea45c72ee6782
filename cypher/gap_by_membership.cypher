// The gaps of a flagship rule whose members are covered by sitting in a coverer
// (graph/flagship.py: Form, read off the two-coverages policy, gives every name and value):
// current {src} nodes of these committees whose cpc is $cpc, in no {dst} that holds on $day
// through a {rel} edge that holds on $day.
// $committee_ids: one committee, or every committee for the whole store, each sought in the
// committee index (an optional filter would make the server scan every member; on ArcadeDB
// UNWIND with an inline map is faster than WHERE … IN).
UNWIND $committee_ids AS committee_id
MATCH (m:{src} {committee_id: committee_id})
WHERE m.cpc = $cpc
  AND (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
  AND NOT EXISTS {
    MATCH (m)-[r:{rel}]->(o:{dst})
    WHERE (r.start_date IS NULL OR r.start_date <= $day)
      AND (r.end_date IS NULL OR $day <= r.end_date)
      AND (o.start_date IS NULL OR o.start_date <= $day)
      AND (o.end_date IS NULL OR $day <= o.end_date)
  }
RETURN m.id AS id, m.name AS name, m.committee_id AS committee_id, m.sector AS sector
ORDER BY committee_id, id
