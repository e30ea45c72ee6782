// For reach (graph/cypher_reach.py): of these members ($ids, outside the committees $tree),
// those the committees' part holds with their memberships: who have a {rel} edge, whatever
// its dates, into the part or into a group or organisation outside it where a node of the
// part sits (graph/parts.py: complete_part).
UNWIND $ids AS member_id
MATCH (o:Member {id: member_id})-[:{rel}]->(x)
WHERE x.committee_id IN $tree
   OR EXISTS {
     MATCH (i)-[r]->(x)
     WHERE type(r) IN $memberships AND i.committee_id IN $tree
   }
RETURN DISTINCT o.id AS id
