// Current CPC members in no party organisation that holds on $day.
// $committee_ids: one committee, or every committee for the whole store, each sought in the
// committee index (an optional filter would make the server scan every member; on ArcadeDB
// UNWIND with an inline map is faster than WHERE … IN).
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})
WHERE m.cpc = true
  AND (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
  AND NOT EXISTS {
    MATCH (m)-[r:IN_PARTY_ORG]->(o:PartyOrg)
    WHERE (r.start_date IS NULL OR r.start_date <= $day)
      AND (r.end_date IS NULL OR $day <= r.end_date)
      AND (o.start_date IS NULL OR o.start_date <= $day)
      AND (o.end_date IS NULL OR $day <= o.end_date)
  }
RETURN m.id AS id, m.name AS name, m.committee_id AS committee_id, m.sector AS sector
ORDER BY committee_id, id
