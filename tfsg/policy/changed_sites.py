"""Where an introduced finding points: at a block the change writes (continuity.py asks).

GitHub shows a code-scanning annotation inline only on the lines of the pull request's diff: a
finding that names several blocks (its location and related locations) points at the one the
change adds or edits, when there is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ..graph import FlowGraph
    from .evaluate import Finding


class RuleSites:
    """The blocks and rule resources of the snapshot after, and which of them the change writes
    (a rule whose permission the side before does not have)."""

    def __init__(self, now: "FlowGraph", before: Optional["FlowGraph"]) -> None:
        self.now = now
        self.before = before
        self._sites: Optional[dict[str, list]] = None

    def _index(self) -> dict[str, list]:
        if self._sites is None:
            self._sites = {}
            for rule in self.now.snap.rules:
                site = self.now.snap.rule_locations.get(rule) if rule.inline \
                    else self.now.snap.locations.get(rule.defined_by)
                if site is not None:
                    self._sites.setdefault(str(site), []).append(rule)
        return self._sites

    def point_at_change(self, f: "Finding", old: Optional["Finding"]) -> None:
        """An introduced finding points at what the pull request adds (GitHub shows annotations
        inline on the lines of the diff only): among the blocks it already names, its location
        first, then its related ones, the first that the change writes and that grants a service
        the finding newly reaches, else the first the change writes, else the first that grants
        such a service. Only between rule sites: a location at a module call
        or a resource stays there."""
        if f.location is None or not f.related:
            return
        sites = self._index()
        if f.location not in sites:
            return
        from .continuity import _services

        was = _services(old) if old is not None else None
        now_services = _services(f)
        added = now_services - was if now_services is not None and was is not None else None
        before = {r.identity() for r in self.before.snap.rules} if self.before is not None else set()

        def written(site: str) -> bool:
            return any(r.identity() not in before for r in sites.get(site, ()))

        def grants(site: str) -> bool:
            return added is not None and bool(added) and any(r.services & added for r in sites.get(site, ()))

        for wanted in ((lambda s: grants(s) and written(s)), written, grants):
            if wanted(f.location):
                return
            for i, other in enumerate(f.related):
                if other in sites and wanted(other):
                    f.related = (f.location,) + f.related[:i] + f.related[i + 1:]
                    f.location = other
                    return
