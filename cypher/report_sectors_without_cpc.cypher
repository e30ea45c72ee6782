// For a policy report (graph/cypher_report.py): the sectors of these committees with no
// current CPC member on $day, each with how many current members sit in it (a membership of
// one of $memberships holding on $day: one count a membership, as graph/view.py counts them).
UNWIND $committee_ids AS committee_id
MATCH (s:Sector {committee_id: committee_id})
WITH s, [(s)<-[r]-(m:Member)
         WHERE type(r) IN $memberships
           AND (r.start_date IS NULL OR r.start_date <= $day) AND (r.end_date IS NULL OR $day <= r.end_date)
           AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
         | coalesce(m.cpc, false)] AS cpc
WHERE NOT any(one IN cpc WHERE one)
RETURN s.id AS id, s.name AS name, s.committee_id AS committee_id, size(cpc) AS members
