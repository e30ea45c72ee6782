// The keys of the edges of one kind leaving these nodes (to tell new edges from updates).
MATCH (a:{src})-[r:{rel}]->(b:{dst})
WHERE a.id IN $srcs
RETURN a.id AS src, b.id AS dst, r.key AS key
