// For each of these sectors (or other groups: {dst}), its members (every {rel} edge reaching
// it, from any committee, whatever the member's term) and the CPC members among them.
UNWIND $ids AS group_id
MATCH (s:{dst} {id: group_id})<-[r:{rel}]-(m)
RETURN s.id AS id, count(r) AS members, sum(CASE WHEN m.cpc = true THEN 1 ELSE 0 END) AS cpc_members
