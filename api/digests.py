"""The service's digest sender (``liaison serve --digest-webhook URL``): every
``--digest-every`` hours, in a thread of the serving process, the digest of a committee
(``api/verbs/digest.py``) since the last one it sent is POSTed as JSON to the office's
address; the first covers the week before, or goes on from where the last one sent left
off before a restart (an audit record ``digest.sent`` names its cursor). A refused or failed
POST is logged and the same digest period is sent again at the next turn (the cursor moves
only when one is taken). The thread opens the store on its own and stops with the service."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from liaison_graph.api.answers import as_json
from liaison_graph.api.answers_ledger import DigestOut
from liaison_graph.api.verbs import digest as digesting
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import WHOLE

log = logging.getLogger(__name__)


class DigestSender(threading.Thread):
    def __init__(self, opener, url: str, every_hours: float, committee_id: str | None, policy: str | None):
        super().__init__(name="digest-sender", daemon=True)
        self.opener, self.url, self.every = opener, url, every_hours * 3600
        self.committee_id, self.policy = committee_id, policy
        self.since: str | None = None
        self.sent = 0  # digests the webhook took
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            with self.opener() as store:  # where the last one sent before a restart left off
                self.since = digesting.last_sent(store, self.committee_id)
        except Exception as exc:
            log.warning("digest sender could not read where it left off: %s", exc)
        while not self.stopping.is_set():
            self.turn()
            self.stopping.wait(self.every)

    def turn(self) -> None:
        try:
            with self.opener() as store:
                result = digesting.digest(store, WHOLE, PolicyAsked(self.policy), dt.date.today(), self.committee_id,
                                          self.since)
                status = digesting.post(self.url, as_json(DigestOut, result))
                if 200 <= status < 300:
                    digesting.sent(store, self.committee_id, result["cursor"], self.url)
        except Exception as exc:  # a store or a webhook that fails this turn is tried again at the next
            log.warning("digest not sent to %s: %s", self.url, exc)
            return
        if 200 <= status < 300:
            self.since, self.sent = result["cursor"], self.sent + 1
            log.info("digest sent to %s: %s items, cursor %s", self.url, len(result["items"]), self.since)

    def stop(self) -> None:
        self.stopping.set()
