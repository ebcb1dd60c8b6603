"""Where an introduced finding points: at a block the change writes (continuity.py asks).

GitHub shows a code-scanning annotation inline only on the lines of the pull request's diff: a
finding that names several blocks (its location and related locations) points at the one the
change adds or edits, when there is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..model import Rule
from ..netsets import ServiceSet

if TYPE_CHECKING:
    from ..graph import FlowGraph
    from .evaluate import Finding


class RuleSites:
    """The blocks and rule resources of the snapshot after (``file:line``), each with its rules
    and whether the change writes it (a rule whose permission the side before does not have);
    indexed once per check."""

    def __init__(self, now: "FlowGraph", before: Optional["FlowGraph"]) -> None:
        self.now = now
        self.before = before
        self._sites: Optional[dict[str, tuple[list[Rule], bool]]] = None

    def _index(self) -> dict[str, tuple[list[Rule], bool]]:
        if self._sites is None:
            had = {r.identity() for r in self.before.snap.rules} if self.before is not None else set()
            rules: dict[str, list[Rule]] = {}
            for rule in self.now.snap.rules:
                site = self.now.snap.rule_locations.get(rule) if rule.inline \
                    else self.now.snap.locations.get(rule.defined_by)
                if site is not None:
                    rules.setdefault(str(site), []).append(rule)
            self._sites = {site: (rs, any(r.identity() not in had for r in rs)) for site, rs in rules.items()}
        return self._sites

    def point_at_change(self, f: "Finding", added: Optional[ServiceSet]) -> None:
        """An introduced finding points at what the pull request adds (GitHub shows annotations
        inline on the lines of the diff only): among the blocks it already names, its location
        first, then its related ones, the first that the change writes and that grants a service
        of ``added`` (what the finding newly reaches), else the first the change writes, else the
        first that grants such a service. Only between rule sites: a location at a module call
        or a resource stays there."""
        if f.location is None or not f.related:
            return
        sites = self._index()
        if f.location not in sites:
            return

        def written(site: str) -> bool:
            return sites[site][1]

        def grants(site: str) -> bool:
            return bool(added) and any(r.services & added for r in sites[site][0])  # type: ignore[operator]

        for wanted in ((lambda s: grants(s) and written(s)), written, grants):
            if wanted(f.location):
                return
            for i, other in enumerate(f.related):
                if other in sites and wanted(other):
                    f.related = (f.location,) + f.related[:i] + f.related[i + 1:]
                    f.location = other
                    return
