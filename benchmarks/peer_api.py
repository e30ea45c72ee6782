"""The SQLite peer served on the product's own stack: FastAPI on uvicorn, a bearer token
checked on every request, N worker processes, each answering on its event loop (a query of
a tenth of a millisecond needs no thread) from one read-only connection to the peer's file (the indexed tables ``benchmarks/suite.py::sqlite_peer`` loads). It answers one
county's gap list (``COUNTY_GAPS``, which uses the committee index) and, as its whole-store
report, the two coverages by committee (``COVERAGE_BY_COMMITTEE``), so that
``benchmarks/api_scale.py`` measures it as it measures the product.

    uvicorn benchmarks.peer_api:app --factory --workers N   (PEER_API_DB=FILE PEER_API_DAY=YYYYMMDD)
"""

import os
import sqlite3
import sys
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

PEER_DB, PEER_DAY = "PEER_API_DB", "PEER_API_DAY"
TOKEN = "peer-token"

# a CPC member's liaison to member m, current on day :d
LINKED = """EXISTS (SELECT 1 FROM l JOIN m s ON s.id = l.src WHERE l.dst = m.id AND s.cpc = 1
                    AND l.s <= :d AND l.e >= :d AND s.s <= :d AND s.e >= :d)"""
# two statements, as an analyst writes them: `(:c IS NULL OR m.cid = :c)` in one would keep
# SQLite from its committee index and scan every member for one county's question
GAPS = "SELECT m.id FROM m WHERE m.cpc = 0 AND {where}m.s <= :d AND m.e >= :d AND NOT {linked} ORDER BY m.cid, m.id"
COUNTY_GAPS = GAPS.format(where="m.cid = :c AND ", linked=LINKED)
WHOLE_GAPS = GAPS.format(where="", linked=LINKED)
COVERAGE_BY_COMMITTEE = f"""SELECT m.cid, sum(m.cpc = 0), sum(m.cpc = 0 AND {LINKED}), sum(m.cpc = 1),
               sum(m.cpc = 1 AND EXISTS (SELECT 1 FROM mo JOIN o ON o.id = mo.org WHERE mo.member = m.id
                                         AND o.s <= :d AND o.e >= :d))
               FROM m WHERE m.s <= :d AND m.e >= :d GROUP BY m.cid"""


def app():
    """One worker's application (uvicorn calls this in each worker process)."""
    path, day = os.environ[PEER_DB], int(os.environ[PEER_DAY])
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    bearer = HTTPBearer(auto_error=False)

    async def caller(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        if credentials is None or credentials.credentials != TOKEN:
            raise HTTPException(401)

    api = FastAPI()

    @api.get("/readyz")
    async def ready():
        return {"ready": True}

    @api.get("/api/v1/gaps/{rule}", dependencies=[Depends(caller)])
    async def gaps(rule: str, committee_id: str):
        items = [{"id": mid} for (mid,) in db.execute(COUNTY_GAPS, {"c": committee_id, "d": day})]
        return {"rule": rule, "count": len(items), "items": items}

    @api.get("/report", dependencies=[Depends(caller)])
    async def report():
        rows = db.execute(COVERAGE_BY_COMMITTEE, {"d": day}).fetchall()
        return {"committees": [list(r) for r in rows]}

    return api


def serving_peer(db: Path, day: int, port: int, workers: int, timeout: float = 60.0):
    """The peer's application on 127.0.0.1:port with that many workers, stopped on exit."""
    from benchmarks.api_load import running

    cmd = [sys.executable, "-m", "uvicorn", f"{__name__}:app", "--factory", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--log-level", "warning"]
    return running(cmd, {**os.environ, PEER_DB: str(db), PEER_DAY: str(day)}, port, timeout)
