// The gaps of a flagship rule whose members are covered by a liaison (graph/flagship.py:
// Form, read off the two-coverages policy, gives every name and value): current {dst} nodes
// of these committees whose cpc is $cpc, with no {rel} edge holding on $day from a current
// {src} whose cpc is one of $by_cpc.
// $committee_ids: one committee, or every committee for the whole store, each sought in the
// committee index (an optional filter would make the server scan every member; on ArcadeDB
// UNWIND with an inline map is faster than WHERE … IN).
UNWIND $committee_ids AS committee_id
MATCH (m:{dst} {committee_id: committee_id})
WHERE m.cpc = $cpc
  AND (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
  AND NOT EXISTS {
    MATCH (s:{src})-[l:{rel}]->(m)
    WHERE s.cpc IN $by_cpc
      AND (l.start_date IS NULL OR l.start_date <= $day)
      AND (l.end_date IS NULL OR $day <= l.end_date)
      AND (s.start_date IS NULL OR s.start_date <= $day)
      AND (s.end_date IS NULL OR $day <= s.end_date)
  }
RETURN m.id AS id, m.name AS name, m.committee_id AS committee_id, m.sector AS sector
ORDER BY committee_id, id
