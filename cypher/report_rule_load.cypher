// For a rule's capacity (graph/cypher_report.py): the current {src} nodes of these committees
// the rule's $by selects, each with how many of the rule's items it covers through a liaison
// holding on $day (into the item, or into a current group the item sits in through one of
// $via): the items are the current {dst} nodes $covers selects in the same committees ($all:
// every committee). Only those above $high or below $low are returned. The parameters are
// those of report_rule_items.cypher.
UNWIND $committee_ids AS committee_id
MATCH (c:{src} {committee_id: committee_id})
WHERE (NOT any(label IN labels(c) WHERE label IN $termed)
       OR ((c.start_date IS NULL OR c.start_date <= $day) AND (c.end_date IS NULL OR $day <= c.end_date)))
  AND ($by.cpc IS NULL OR coalesce(c.cpc, false) = $by.cpc)
  AND ($by.party_group IS NULL OR (c.party_group_role IS NOT NULL AND c.party_group_role <> $blank) = $by.party_group)
  AND ($by.standing IS NULL OR (CASE WHEN c.position IS NULL OR c.position = $blank THEN $default_position ELSE c.position END IN $standing) = $by.standing)
  AND ($by.chair_council IS NULL OR (CASE WHEN c.position IS NULL OR c.position = $blank THEN $default_position ELSE c.position END IN $chair_council) = $by.chair_council)
  AND ($by.positions IS NULL OR CASE WHEN c.position IS NULL OR c.position = $blank THEN $default_position ELSE c.position END IN $by.positions)
  AND ($by.kinds IS NULL OR c.kind IN $by.kinds)
WITH c,
     [(c)-[l:LIAISES_WITH]->(n:{dst}) WHERE $liaison AND (l.start_date IS NULL OR l.start_date <= $day) AND (l.end_date IS NULL OR $day <= l.end_date) | n]
     + [(c)-[l:LIAISES_WITH]->(g)<-[m]-(n:{dst})
        WHERE type(m) IN $via AND (l.start_date IS NULL OR l.start_date <= $day) AND (l.end_date IS NULL OR $day <= l.end_date)
          AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
          AND (NOT any(label IN labels(g) WHERE label IN $termed)
       OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
        | n] AS reached
UNWIND CASE WHEN size(reached) = 0 THEN [null] ELSE reached END AS n
WITH c, count(DISTINCT CASE
       WHEN n IS NOT NULL AND ($all OR n.committee_id IN $committee_ids)
        AND (NOT any(label IN labels(n) WHERE label IN $termed)
       OR ((n.start_date IS NULL OR n.start_date <= $day) AND (n.end_date IS NULL OR $day <= n.end_date)))
        AND ($covers.cpc IS NULL OR coalesce(n.cpc, false) = $covers.cpc)
  AND ($covers.party_group IS NULL OR (n.party_group_role IS NOT NULL AND n.party_group_role <> $blank) = $covers.party_group)
  AND ($covers.standing IS NULL OR (CASE WHEN n.position IS NULL OR n.position = $blank THEN $default_position ELSE n.position END IN $standing) = $covers.standing)
  AND ($covers.chair_council IS NULL OR (CASE WHEN n.position IS NULL OR n.position = $blank THEN $default_position ELSE n.position END IN $chair_council) = $covers.chair_council)
  AND ($covers.positions IS NULL OR CASE WHEN n.position IS NULL OR n.position = $blank THEN $default_position ELSE n.position END IN $covers.positions)
  AND ($covers.kinds IS NULL OR n.kind IN $covers.kinds)
       THEN n END) AS load
WHERE ($high IS NOT NULL AND load > $high) OR ($low IS NOT NULL AND load < $low)
RETURN c {.id, .name, .committee_id, .sector} AS item, load
