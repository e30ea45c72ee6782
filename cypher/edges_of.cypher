// Every edge leaving these nodes. (UNWIND with an inline map, not WHERE … IN: ArcadeDB
// then starts from the id index instead of expanding every node of the kind.)
UNWIND $ids AS node_id
MATCH (a:{kind} {id: node_id})-[r]->(b)
RETURN type(r) AS rel, a.id AS src, labels(b) AS dst_labels, b.id AS dst, properties(r) AS props
