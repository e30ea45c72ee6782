// The nodes of one kind that belong to the given committees, found through the kind's
// committee index: a question about one committee reads its part, not the whole graph.
MATCH (n:{kind})
WHERE n.committee_id IN $committee_ids
RETURN labels(n) AS labels, properties(n) AS props
