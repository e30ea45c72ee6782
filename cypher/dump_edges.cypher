MATCH (a)-[r]->(b)
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, b.id AS dst, properties(r) AS props
