// One rule of a policy report (graph/cypher_report.py compiles the rule into the parameters):
// the {dst} nodes of these committees the rule covers on $day, counted by committee, by the
// groups they count in ($group: the membership type of the breakdown; $self_group: the items
// are the groups; $township: the item's own township, none when it has none) and by the
// reason code of each covered item (null: uncovered), with, for $affinity, how many are covered by someone sharing such a group; and the uncovered ones.
// A node of the $termed kinds is current between its dates, any other always; a selection
// ($covers, $by) holds the values of graph/policy.py's Select (null: either way; $blank: the empty text).
// Coverers (current {src} nodes $by selects): a liaison holding on $day into the item
// ($liaison) or into a current group the item sits in through one of $via; the item sits in
// them, or they in it ($membership, through one of $memberships); or ($masses_way, alone in its
// rule) the item itself, when it has contacts on or before $day (none under review) with at
// least $people people of the masses (a person: a name under the item). Every pattern is
// written from a node already bound, outwards.
// The reason code (graph/requirement.py: reason, judge; $reason names the codes) of a covered
// item is the least of its coverers': a membership, or a liaison from an organisation, is
// effective; a member's liaison is judged on its mechanism ($mechanisms; null: every one),
// the pair's shared $affinity group ($affinity_required; for a member item only), then the
// least over the pair's contacts with the item (a group: with each of its current members):
// those on or before $day, in either direction (a loop once), none under review. No contact;
// none of $modes (null: every mode; a contact without one is of $mode_default); fewer than
// $at_least of them from $b and in [$a, $b); none from $a. An item covering itself ($masses_way)
// judges its contacts with each of its people so, and takes the $people-th least code.
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
  AND ($covers.kinds IS NULL OR n.kind IN $covers.kinds)
WITH n,
     [(n)<-[l:LIAISES_WITH]-(c:{src})
      WHERE $liaison AND (l.start_date IS NULL OR l.start_date <= $day) AND (l.end_date IS NULL OR $day <= l.end_date)
      | {c: c, mechanism: l.mechanism}]
     + [(n)-[m]->(g)<-[l:LIAISES_WITH]-(c:{src})
        WHERE type(m) IN $via
          AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
          AND (NOT any(label IN labels(g) WHERE label IN $termed)
               OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
          AND (l.start_date IS NULL OR l.start_date <= $day) AND (l.end_date IS NULL OR $day <= l.end_date)
        | {c: c, mechanism: l.mechanism}] AS liaising,
     [(n)-[m]->(c:{src})
      WHERE $membership AND n:Member AND type(m) IN $memberships
        AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
      | c]
     + [(n)<-[m]-(c:{src})
        WHERE $membership AND c:Member AND type(m) IN $memberships
          AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
        | c] AS sitting,
     [(n)-[k:CONTACTED_MASSES]->()
      WHERE $masses_way AND k.date <= $day AND k.review IS NULL
      | {person: k.person, date: CASE WHEN $modes IS NULL OR (CASE WHEN k.mode IS NULL OR k.mode = $blank
                                                                   THEN $mode_default ELSE k.mode END) IN $modes
                                      THEN k.date END}] AS masses
// each of the item's people with their contacts: a qualifying contact as its date, another as null
WITH n, liaising, sitting,
     [person IN reduce(names = [], x IN masses | CASE WHEN x.person IN names THEN names ELSE names + [x.person] END)
      | [x IN masses WHERE x.person = person | x.date]] AS people
WITH n, liaising, sitting, people, CASE WHEN $masses_way AND size(people) >= $people THEN [n] ELSE [] END AS own
WITH n, liaising, sitting, people, own,
     [c IN [x IN liaising | x.c] + sitting + own
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
        AND ($by.kinds IS NULL OR c.kind IN $by.kinds)] AS eligible
WITH n, people, [x IN liaising WHERE x.c IN eligible] AS liaising, [c IN sitting WHERE c IN eligible] AS sitting,
     [c IN own WHERE c IN eligible] AS own
WITH n, people, liaising, sitting, own, size(liaising) + size(sitting) + size(own) > 0 AS covered,
     [x IN liaising WHERE $member IN labels(x.c) | x.c] AS members,
     CASE WHEN n:Member THEN [n]
          ELSE [(n)<-[m]-(o:Member)
                WHERE type(m) IN $memberships
                  AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
                  AND (o.start_date IS NULL OR o.start_date <= $day) AND (o.end_date IS NULL OR $day <= o.end_date)
                | o]
     END AS targets,
     CASE WHEN $affinity IS NULL OR NOT n:Member THEN []
          ELSE [c IN [x IN liaising | x.c] + sitting + own
                WHERE c:Member AND EXISTS {
                  MATCH (n)-[its]->(g)
                  WHERE type(its) = $affinity
                    AND (its.start_date IS NULL OR its.start_date <= $day) AND (its.end_date IS NULL OR $day <= its.end_date)
                    AND (NOT any(label IN labels(g) WHERE label IN $termed)
                         OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
                    // a pattern of its own: the item covered through its own group shares it with itself
                    AND EXISTS {
                      MATCH (g)<-[theirs]-(c)
                      WHERE type(theirs) = $affinity
                        AND (theirs.start_date IS NULL OR theirs.start_date <= $day)
                        AND (theirs.end_date IS NULL OR $day <= theirs.end_date)
                    }
                }]
     END AS sharing
// each member coverer's contacts with each target, as the item's with its people (the rule has
// no liaison to judge beside them): a qualifying contact as its date, another as null
WITH n, liaising, sitting, own, people, covered, sharing,
     [c IN members | {c: c, ledgers: [t IN targets |
        [(c)-[k:CONTACTED]->(t) WHERE k.date <= $day AND k.review IS NULL
         | CASE WHEN $modes IS NULL OR (CASE WHEN k.mode IS NULL OR k.mode = $blank THEN $mode_default
                                             ELSE k.mode END) IN $modes THEN k.date END]
        + [(c)<-[k:CONTACTED]-(t) WHERE k.date <= $day AND k.review IS NULL AND c <> t
           | CASE WHEN $modes IS NULL OR (CASE WHEN k.mode IS NULL OR k.mode = $blank THEN $mode_default
                                               ELSE k.mode END) IN $modes THEN k.date END]]}]
     + [c IN own | {c: c, ledgers: people}] AS contacted
WITH n, liaising, sitting, own, covered, sharing,
     [p IN contacted | {c: p.c, codes: [dates IN p.ledgers | CASE
        WHEN size(dates) = 0 THEN $reason.no_contact
        WHEN none(d IN dates WHERE d IS NOT NULL) THEN $reason.wrong_mode
        WHEN size([d IN dates WHERE $b <= d]) >= $at_least
          OR size([d IN dates WHERE $a <= d AND d < $b]) >= $at_least THEN $reason.effective
        WHEN any(d IN dates WHERE $a <= d) THEN $reason.too_few
        ELSE $reason.too_long_ago END]}] AS judged
WITH n, covered, sharing,
     CASE WHEN NOT covered THEN null
          WHEN size(sitting) > 0 THEN $reason.effective
          // the $people-th least of its people's codes: the least code that many are at or below
          WHEN size(own) > 0 THEN [code IN range($reason.effective, $reason.no_contact)
                                   WHERE size([c IN [j IN judged WHERE j.c = n][0].codes WHERE c <= code])
                                         >= $people][0]
          ELSE reduce(least = $reason.wrong_mechanism, code IN [x IN liaising | CASE
                 WHEN NOT $member IN labels(x.c) THEN $reason.effective
                 WHEN $mechanisms IS NOT NULL AND NOT coalesce(x.mechanism IN $mechanisms, false)
                   THEN $reason.wrong_mechanism
                 WHEN $affinity_required AND $affinity IS NOT NULL AND n:Member AND NOT x.c IN sharing
                   THEN $reason.no_affinity
                 ELSE reduce(least = $reason.no_contact, c IN [j IN judged WHERE j.c = x.c][0].codes
                             | CASE WHEN c < least THEN c ELSE least END) END]
               | CASE WHEN code < least THEN code ELSE least END)
     END AS code
WITH n, covered, code,
     $affinity IS NOT NULL AND n:Member AND covered AS paired,
     size(sharing) > 0 AS matched,
     CASE WHEN $self_group THEN [n.id]
          WHEN $township THEN [t IN [n.township] WHERE t IS NOT NULL AND t <> $blank]
          WHEN $group IS NULL OR NOT n:Member THEN []
          ELSE [(n)-[m]->(g)
                WHERE type(m) = $group
                  AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
                  AND (NOT any(label IN labels(g) WHERE label IN $termed)
                       OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
                | g.id]
     END AS groups
RETURN n.committee_id AS committee_id, groups, code, count(n) AS total,
       sum(CASE WHEN covered THEN 1 ELSE 0 END) AS covered,
       sum(CASE WHEN paired THEN 1 ELSE 0 END) AS paired,
       sum(CASE WHEN matched THEN 1 ELSE 0 END) AS matched,
       collect(CASE WHEN NOT covered THEN n {.id, .name, .committee_id, .sector} END) AS uncovered
