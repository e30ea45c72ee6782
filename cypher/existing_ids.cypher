// Which of these ids name a node of one kind (UNWIND with an inline map: ArcadeDB then
// looks each id up in the index, three times faster than WHERE … IN for 5,000 ids).
UNWIND $ids AS node_id
MATCH (n:{kind} {id: node_id})
RETURN n.id AS id
