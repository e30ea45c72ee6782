MATCH (a:AuditEntry)
WHERE a.seq > $since
RETURN properties(a) AS props
ORDER BY a.seq
LIMIT $limit
