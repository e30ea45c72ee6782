// Every node of the given committees (all nodes when $committee_ids is null).
MATCH (n)
WHERE ($committee_ids IS NULL OR n.committee_id IN $committee_ids)
  AND any(label IN labels(n) WHERE label IN $kinds)
RETURN labels(n) AS labels, properties(n) AS props
