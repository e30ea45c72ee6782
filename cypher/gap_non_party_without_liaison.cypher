// Current non-CPC members with no liaison, holding on $day, from a current CPC member.
// $committee_ids: one committee, or every committee for the whole store, each sought in the
// committee index (an optional filter would make the server scan every member; on ArcadeDB
// UNWIND with an inline map is faster than WHERE … IN).
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})
WHERE m.cpc = false
  AND (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
  AND NOT EXISTS {
    MATCH (s:Member)-[l:LIAISES_WITH]->(m)
    WHERE s.cpc = true
      AND (l.start_date IS NULL OR l.start_date <= $day)
      AND (l.end_date IS NULL OR $day <= l.end_date)
      AND (s.start_date IS NULL OR s.start_date <= $day)
      AND (s.end_date IS NULL OR $day <= s.end_date)
  }
RETURN m.id AS id, m.name AS name, m.committee_id AS committee_id, m.sector AS sector
ORDER BY committee_id, id
