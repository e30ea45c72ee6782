// Whether the store holds any node of the model's kinds (records such as tokens aside).
MATCH (n)
WHERE any(label IN labels(n) WHERE label IN $kinds)
RETURN n.id AS id
LIMIT 1
