// The nodes of one kind that belong to the given committees, found through the kind's
// committee index: a question about one committee reads its part, not the whole graph.
// (UNWIND with an inline map, not WHERE … IN: ArcadeDB then starts from the index.)
UNWIND $committee_ids AS committee_id
MATCH (n:{kind} {committee_id: committee_id})
RETURN labels(n) AS labels, properties(n) AS props
