MATCH (n:{kind})
WHERE n.id IN $ids
RETURN n.id AS id
