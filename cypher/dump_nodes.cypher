MATCH (n)
WHERE any(label IN labels(n) WHERE label IN $kinds)
RETURN labels(n) AS labels, properties(n) AS props
