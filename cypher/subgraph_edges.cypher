// Every edge leaving a node of the given committees, with its far end's properties
// (the far end may lie outside them: a liaison across committees).
MATCH (a)-[r]->(b)
WHERE ($committee_ids IS NULL OR a.committee_id IN $committee_ids)
  AND any(label IN labels(a) WHERE label IN $kinds)
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, properties(b) AS dst_props,
       properties(r) AS props
