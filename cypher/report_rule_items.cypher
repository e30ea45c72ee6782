// One rule of a policy report (graph/cypher_report.py compiles the rule into the parameters):
// the {dst} nodes of these committees the rule covers on $day, counted by committee and by
// the groups they count in ($group: the membership type of the breakdown; $self_group: the
// items are the groups), with how many are covered, effectively covered and, for $affinity,
// covered by someone sharing such a group; and the uncovered ones.
// A node of the $termed kinds is current between its dates, any other always; a selection
// ($covers, $by) holds the values of graph/policy.py's Select (null: either way; $blank: the empty text).
// Coverers (current {src} nodes $by selects): a liaison holding on $day into the item
// ($liaison) or into a current group the item sits in through one of $via; the item sits in
// them, or they in it ($membership, through one of $memberships). A liaison counts as
// effective when its member source contacted the item (a group: one of its current members)
// from $since to $day; a membership, or a liaison from an organisation, always. Every pattern
// is written from a node already bound, outwards.
UNWIND $committee_ids AS committee_id
MATCH (n:{dst} {committee_id: committee_id})
WHERE (NOT any(label IN labels(n) WHERE label IN $termed)
       OR ((n.start_date IS NULL OR n.start_date <= $day) AND (n.end_date IS NULL OR $day <= n.end_date)))
  AND ($covers.cpc IS NULL OR coalesce(n.cpc, false) = $covers.cpc)
  AND ($covers.party_group IS NULL OR (n.party_group_role IS NOT NULL AND n.party_group_role <> $blank) = $covers.party_group)
  AND ($covers.standing IS NULL OR (CASE WHEN n.position IS NULL OR n.position = $blank THEN $default_position
                                         ELSE n.position END IN $standing) = $covers.standing)
  AND ($covers.chair_council IS NULL OR (CASE WHEN n.position IS NULL OR n.position = $blank THEN $default_position
                                              ELSE n.position END IN $chair_council) = $covers.chair_council)
  AND ($covers.positions IS NULL OR CASE WHEN n.position IS NULL OR n.position = $blank THEN $default_position
                                         ELSE n.position END IN $covers.positions)
  AND ($covers.party_org_kinds IS NULL OR n.kind IN $covers.party_org_kinds)
WITH n,
     [(n)<-[l:LIAISES_WITH]-(c:{src})
      WHERE $liaison AND (l.start_date IS NULL OR l.start_date <= $day) AND (l.end_date IS NULL OR $day <= l.end_date)
      | c]
     + [(n)-[m]->(g)<-[l:LIAISES_WITH]-(c:{src})
        WHERE type(m) IN $via
          AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
          AND (NOT any(label IN labels(g) WHERE label IN $termed)
               OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
          AND (l.start_date IS NULL OR l.start_date <= $day) AND (l.end_date IS NULL OR $day <= l.end_date)
        | c] AS liaising,
     [(n)-[m]->(c:{src})
      WHERE $membership AND n:Member AND type(m) IN $memberships
        AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
      | c]
     + [(n)<-[m]-(c:{src})
        WHERE $membership AND c:Member AND type(m) IN $memberships
          AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
        | c] AS sitting
WITH n, liaising, sitting,
     [c IN liaising + sitting
      WHERE (NOT any(label IN labels(c) WHERE label IN $termed)
             OR ((c.start_date IS NULL OR c.start_date <= $day) AND (c.end_date IS NULL OR $day <= c.end_date)))
        AND ($by.cpc IS NULL OR coalesce(c.cpc, false) = $by.cpc)
        AND ($by.party_group IS NULL OR (c.party_group_role IS NOT NULL AND c.party_group_role <> $blank) = $by.party_group)
        AND ($by.standing IS NULL OR (CASE WHEN c.position IS NULL OR c.position = $blank THEN $default_position
                                           ELSE c.position END IN $standing) = $by.standing)
        AND ($by.chair_council IS NULL OR (CASE WHEN c.position IS NULL OR c.position = $blank THEN $default_position
                                                ELSE c.position END IN $chair_council) = $by.chair_council)
        AND ($by.positions IS NULL OR CASE WHEN c.position IS NULL OR c.position = $blank THEN $default_position
                                           ELSE c.position END IN $by.positions)
        AND ($by.party_org_kinds IS NULL OR c.kind IN $by.party_org_kinds)] AS eligible
WITH n, [c IN liaising WHERE c IN eligible] AS liaising, [c IN sitting WHERE c IN eligible] AS sitting
WITH n, liaising, sitting, size(liaising) + size(sitting) > 0 AS covered
WITH n, covered,
     size(sitting) > 0
     OR any(c IN liaising
            WHERE NOT c:Member
               OR (n:Member AND EXISTS {
                     MATCH (c)-[k:CONTACTED]-(n)
                     WHERE $since <= k.date AND k.date <= $day
                   })
               OR (NOT n:Member AND EXISTS {
                     MATCH (c)-[k:CONTACTED]-(o:Member)-[m]->(n)
                     WHERE $since <= k.date AND k.date <= $day AND type(m) IN $memberships
                       AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
                       AND (o.start_date IS NULL OR o.start_date <= $day) AND (o.end_date IS NULL OR $day <= o.end_date)
                   })) AS effective,
     $affinity IS NOT NULL AND n:Member AND covered AS paired,
     $affinity IS NOT NULL AND n:Member
     AND any(c IN liaising + sitting
             WHERE c:Member AND EXISTS {
               MATCH (n)-[a]->(g)<-[b]-(c)
               WHERE type(a) = $affinity AND type(b) = $affinity
                 AND (a.start_date IS NULL OR a.start_date <= $day) AND (a.end_date IS NULL OR $day <= a.end_date)
                 AND (b.start_date IS NULL OR b.start_date <= $day) AND (b.end_date IS NULL OR $day <= b.end_date)
                 AND (NOT any(label IN labels(g) WHERE label IN $termed)
                      OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
             }) AS matched,
     CASE WHEN $self_group THEN [n.id]
          WHEN $group IS NULL OR NOT n:Member THEN []
          ELSE [(n)-[m]->(g)
                WHERE type(m) = $group
                  AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
                  AND (NOT any(label IN labels(g) WHERE label IN $termed)
                       OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
                | g.id]
     END AS groups
RETURN n.committee_id AS committee_id, groups, count(n) AS total,
       sum(CASE WHEN covered THEN 1 ELSE 0 END) AS covered,
       sum(CASE WHEN covered AND effective THEN 1 ELSE 0 END) AS effective,
       sum(CASE WHEN paired THEN 1 ELSE 0 END) AS paired,
       sum(CASE WHEN matched THEN 1 ELSE 0 END) AS matched,
       collect(CASE WHEN NOT covered THEN n {.id, .name, .committee_id, .sector} END) AS uncovered
