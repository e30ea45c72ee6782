MATCH (t:ApiToken)
RETURN properties(t) AS props
ORDER BY t.created_at, t.id
