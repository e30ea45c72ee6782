// For why (graph/cypher_why.py): the {rel} edges, whatever their dates, reaching these {kind}
// nodes ($ids), with their sources' properties, as the part of the committees $tree holds
// them (graph/parts.py): every one into a node of the part or from one; into a node outside
// it, also every one when it is a group or organisation where a node of the part sits
// ($memberships: the membership relationship types).
UNWIND $ids AS node_id
MATCH (b:{kind} {id: node_id})<-[r:{rel}]-(a)
WHERE b.committee_id IN $tree OR a.committee_id IN $tree
   OR EXISTS {
     MATCH (i)-[m]->(b)
     WHERE type(m) IN $memberships AND i.committee_id IN $tree
   }
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, properties(a) AS src_props, labels(b) AS dst_labels,
       b.id AS dst, properties(r) AS props
