// The edges of one kind leaving these nodes (as edges_of, through the id index).
UNWIND $ids AS node_id
MATCH (a:{kind} {id: node_id})-[r:{rel}]->(b)
RETURN type(r) AS rel, a.id AS src, labels(b) AS dst_labels, b.id AS dst, properties(r) AS props
