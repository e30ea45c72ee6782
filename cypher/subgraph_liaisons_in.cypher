// Every liaison and contact reaching a node of the given committees from a node outside
// them, with the source's properties: a party member of another committee may be the one
// who covers a member here, and the one whose talks with them make it effective.
MATCH (a)-[r:LIAISES_WITH|CONTACTED]->(b)
WHERE b.committee_id IN $committee_ids
  AND NOT a.committee_id IN $committee_ids
  AND any(label IN labels(b) WHERE label IN $kinds)
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, properties(a) AS src_props, labels(b) AS dst_labels,
       properties(b) AS dst_props, properties(r) AS props
