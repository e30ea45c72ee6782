// For reach (graph/cypher_reach.py): the {kind} nodes these members ($ids) sit in through a
// {rel} edge holding on $day. Which the part of a committee holds is decided by the caller.
UNWIND $ids AS member_id
MATCH (m:Member {id: member_id})-[r:{rel}]->(s:{kind})
WHERE (r.start_date IS NULL OR r.start_date <= $day)
  AND (r.end_date IS NULL OR $day <= r.end_date)
RETURN m.id AS member, s.id AS id, s.name AS name, s.committee_id AS committee_id
