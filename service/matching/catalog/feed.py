"""Following the change feed: every profile write appends to it, every worker replays it.

Change-feed ids are taken from a sequence when a transaction writes, but become visible when it
commits, so a lower id can appear after a higher one was applied. Ids skipped over ("gaps") are
watched for a while; a rolled-back transaction leaves a hole that never fills.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session, sessionmaker

from service.repositories import changes as change_feed

GAP_TIMEOUT_SECONDS = 120.0
GAP_LIMIT = 100_000
# On a fresh build, ids this far below the feed head that are not yet visible are watched as gaps.
STARTUP_WINDOW = 2_000
FEED_BATCH = 1000

# Called with an open session and the lawyers whose profiles changed (in feed order, once each).
ApplyChanges = Callable[[Session, list[int]], None]


def invisible_ids(session: Session, position: int) -> list[int]:
    """Feed ids just below the head that are not visible yet: transactions still in flight."""
    low = max(0, position - STARTUP_WINDOW)
    seen = {change.id for change in change_feed.since(session, low, limit=STARTUP_WINDOW + 1) if change.id <= position}
    return [i for i in range(low + 1, position + 1) if i not in seen]


class FeedFollower:
    """The last feed id applied, and the ids skipped over (not yet visible) with since when."""

    def __init__(self) -> None:
        self.position = 0
        self.gaps: dict[int, float] = {}
        self._lock = threading.Lock()

    def start_at(self, position: int, gaps: Iterable[int], *, keep_ahead: bool = False) -> None:
        """Stand at ``position`` with these gaps; ``keep_ahead``: never move back, keep known gaps
        (a rebuild of a catalog that was already following)."""
        now = time.monotonic()
        fresh = dict.fromkeys((int(g) for g in gaps), now)
        if keep_ahead:
            self.position = max(self.position, position)
            self.gaps = self.gaps | fresh
        else:
            self.position = position
            self.gaps = fresh

    def follow(self, factory: sessionmaker[Session], apply: ApplyChanges) -> int:
        """Apply changes past the position, and late commits that fill gaps left behind it;
        returns how many changes were applied."""
        with self._lock:
            return self._follow(factory, apply)

    def _follow(self, factory: sessionmaker[Session], apply: ApplyChanges) -> int:
        applied = 0
        now = time.monotonic()
        for gap in [g for g, since in self.gaps.items() if now - since > GAP_TIMEOUT_SECONDS]:
            del self.gaps[gap]
        cursor = min(self.position, min(self.gaps, default=self.position + 1) - 1)
        while True:
            with factory() as session:
                batch = change_feed.since(session, cursor, limit=FEED_BATCH)
                if not batch:
                    return applied
                fresh = [c for c in batch if c.id > self.position or c.id in self.gaps]
                if fresh:
                    apply(session, list(dict.fromkeys(change.lawyer_id for change in fresh)))
                expected = self.position + 1
                for change in batch:
                    self.gaps.pop(change.id, None)
                    if change.id > self.position:
                        self.gaps.update(dict.fromkeys(range(expected, change.id), now))
                        expected = change.id + 1
                if len(self.gaps) > GAP_LIMIT:
                    for gap in sorted(self.gaps)[: len(self.gaps) - GAP_LIMIT]:
                        del self.gaps[gap]
                self.position = max(self.position, batch[-1].id)
                cursor = batch[-1].id
                applied += len(fresh)
                if len(batch) < FEED_BATCH:
                    return applied
