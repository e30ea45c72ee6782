// One step of reach (graph/cypher_reach.py): the {rel} edges holding on $day that leave
// these members ($ids) for a target current on $day (a node of the $termed kinds holds
// between its dates; any other always), as the part of the committees $tree holds them
// (graph/parts.py): every one leaving a member of the part; of a member outside it, those
// into the part or into a group or organisation outside it where a node of the part sits
// ($memberships: the membership relationship types).
UNWIND $ids AS member_id
MATCH (m:Member {id: member_id})-[l:{rel}]->(t)
WHERE (l.start_date IS NULL OR l.start_date <= $day)
  AND (l.end_date IS NULL OR $day <= l.end_date)
  AND (NOT any(label IN labels(t) WHERE label IN $termed)
       OR ((t.start_date IS NULL OR t.start_date <= $day) AND (t.end_date IS NULL OR $day <= t.end_date)))
  AND (m.committee_id IN $tree OR t.committee_id IN $tree
       OR EXISTS {
         MATCH (i)-[r]->(t)
         WHERE type(r) IN $memberships AND i.committee_id IN $tree
       })
RETURN m.id AS src, labels(t) AS labels, t.id AS id, t.name AS name, t.committee_id AS committee_id
