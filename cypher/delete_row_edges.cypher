// Remove the edges derived from the roster rows of these nodes before they are re-added.
UNWIND $ids AS node_id
MATCH (n:{kind} {id: node_id})-[r]->()
WHERE type(r) IN $rels
DELETE r
