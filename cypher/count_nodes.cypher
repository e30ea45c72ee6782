MATCH (n:{kind})
RETURN count(n) AS n
