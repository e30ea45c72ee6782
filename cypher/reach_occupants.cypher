// One step of reach (graph/cypher_reach.py): the members current on $day who sit in these
// {kind} nodes ($ids) through a membership ($memberships) holding on $day. Which of them
// the part of a committee holds is decided by the caller (graph/parts.py).
UNWIND $ids AS container_id
MATCH (o:Member)-[r]->(c:{kind} {id: container_id})
WHERE type(r) IN $memberships
  AND (r.start_date IS NULL OR r.start_date <= $day)
  AND (r.end_date IS NULL OR $day <= r.end_date)
  AND (o.start_date IS NULL OR o.start_date <= $day)
  AND (o.end_date IS NULL OR $day <= o.end_date)
RETURN c.id AS container, o.id AS id, o.name AS name, o.committee_id AS committee_id
