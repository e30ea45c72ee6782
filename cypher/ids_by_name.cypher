MATCH (n:{kind})
WHERE n.committee_id IN $committee_ids
RETURN n.committee_id AS committee_id, n.name AS name, n.id AS id
ORDER BY id
