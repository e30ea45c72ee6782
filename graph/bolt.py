"""The Bolt store, assembled: the Neo4j storage (``graph/bolt_storage.py``) with its answers
computed in the database: the flagship gaps, the Cypher gap queries (``graph/projections.py``),
reach (``graph/cypher_reach.py``), why a member is covered or not (``graph/cypher_why.py``), the
diff between two days (``graph/cypher_diff.py``), the slice the network figures read
(``graph/cypher_network.py``), the policy report (``graph/cypher_report.py``) and the
recommendation's counts (``graph/cypher_recommend.py``)."""

from __future__ import annotations

from liaison_graph.graph.bolt_storage import BoltStorage
from liaison_graph.graph.cypher_diff import CypherDiff
from liaison_graph.graph.cypher_network import CypherNetwork
from liaison_graph.graph.cypher_reach import CypherReach
from liaison_graph.graph.cypher_recommend import CypherRecommend
from liaison_graph.graph.cypher_report import CypherReport
from liaison_graph.graph.cypher_why import CypherWhy
from liaison_graph.graph.projections import CypherGaps


class BoltStore(BoltStorage):
    def __init__(self, uri: str, user: str | None = None, password: str | None = None, database: str | None = None,
                 batch_size: int = 5000, schema: str = "require", tx_rows: int = 20_000):
        super().__init__(uri, user, password, database, batch_size,
                         projections=(CypherGaps(), CypherReach(), CypherWhy(), CypherDiff(), CypherNetwork(),
                                      CypherReport(), CypherRecommend()),
                         schema=schema, tx_rows=tx_rows)
