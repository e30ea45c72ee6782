// Every edge leaving a node of one kind of the given committees, with its far end's
// properties (the far end may lie outside them: a liaison across committees).
MATCH (a:{kind})-[r]->(b)
WHERE a.committee_id IN $committee_ids
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, properties(b) AS dst_props,
       properties(r) AS props
