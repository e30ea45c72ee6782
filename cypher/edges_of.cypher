// Every edge leaving these nodes.
MATCH (a:{kind})-[r]->(b)
WHERE a.id IN $ids
RETURN type(r) AS rel, a.id AS src, labels(b) AS dst_labels, b.id AS dst, properties(r) AS props
