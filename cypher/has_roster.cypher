// Whether the graph holds a roster: one member is enough (committees alone are not one).
MATCH (m:Member)
RETURN m.id AS id
LIMIT 1
