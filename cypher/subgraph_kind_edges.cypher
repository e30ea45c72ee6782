// Every edge leaving a node of one kind of the given committees, with the properties of
// its far end when that lies outside them (a liaison across committees); the nodes
// inside them come from subgraph_kind_nodes.
UNWIND $committee_ids AS committee_id
MATCH (a:{kind} {committee_id: committee_id})-[r]->(b)
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, b.id AS dst,
       CASE WHEN b.committee_id IN $committee_ids THEN null ELSE properties(b) END AS dst_props,
       properties(r) AS props
