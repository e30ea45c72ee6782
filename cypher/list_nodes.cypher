// A list of the nodes of one kind of the given committees that the filter keeps (a filter
// left null keeps everything), sorted by committee and id: how many, and the page from
// $offset, at most $limit (graph/lookups.py: NodeFilter). Each committee is sought in the
// kind's committee index (UNWIND with an inline map: ArcadeDB then starts from the index).
UNWIND $committee_ids AS committee_id
MATCH (n:{kind} {committee_id: committee_id})
WHERE ($day IS NULL OR ((n.start_date IS NULL OR n.start_date <= $day) AND (n.end_date IS NULL OR $day <= n.end_date)))
  AND ($sector IS NULL OR n.sector = $sector)
  AND ($cpc IS NULL OR coalesce(n.cpc, false) = $cpc)
  AND ($q IS NULL OR n.name CONTAINS $q OR n.id = $q)
  AND ($activity_group IS NULL OR n.activity_group = $activity_group)
  AND ($special_committee IS NULL OR $special_committee IN coalesce(n.special_committees, []))
WITH n
ORDER BY n.committee_id, n.id
WITH collect(n) AS found
RETURN size(found) AS total, [x IN found[$offset..($offset + $limit)] | properties(x)] AS items
