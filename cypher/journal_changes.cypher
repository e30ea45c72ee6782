MATCH (c:ChangeEntry)
WHERE c.seq > $since
RETURN properties(c) AS props
ORDER BY c.seq
LIMIT $limit
