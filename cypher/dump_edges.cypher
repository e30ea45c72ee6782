MATCH (a)-[r]->(b)
WHERE any(label IN labels(a) WHERE label IN $kinds)
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, b.id AS dst, properties(r) AS props
