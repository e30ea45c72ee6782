MATCH (t:ApiToken {id: $id})
WHERE t.revoked_at IS NULL
SET t.revoked_at = $at
RETURN count(t) AS n
