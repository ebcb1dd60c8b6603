"""What the query mixins of ``FlowGraph`` (flows.py, exposure.py, paths.py) read, declared once
for the type checker.

``FlowGraph.__init__`` (``__init__.py``) sets this state; ``GraphBase`` declares it with its
types so that each mixin is checked on its own. Declarations only: no attribute exists before
``__init__`` sets it (``internet_sources`` asks ``hasattr(self, "hops")``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ..digraph import DiGraph
    from ..model import Attachment, Rule, Snapshot, Unknown
    from ..netsets import AddressSet, ServiceSet
    from . import FlowGraph
    from .coverage import CidrRelation, Coverage
    from .hops import Hops
    from .interfaces import Interfaces
    from .listener_view import ListenerView
    from .records import Exposure, Flow, Path
    from .rules import RuleIndex


class GraphBase:
    """The state ``FlowGraph.__init__`` sets (see there) that the query mixins use."""

    snap: Snapshot
    max_hops: int
    flows: dict[tuple[str, str], Flow]
    unknowns: list[Unknown]
    where: Interfaces
    members: dict[str, list[Attachment]]
    cogroups: dict[str, set[str]]
    cosets: dict[str, list[tuple[tuple[str, ...], set[str]]]]
    rules: RuleIndex
    refs: dict[str, dict[str, dict[str, list[Rule]]]]
    cidrs: dict[str, dict[str, list[tuple[Rule, AddressSet, str]]]]
    coverage: Coverage
    base: Optional[FlowGraph]
    dirty: Optional[set[str]]
    _incoming: Optional[dict[str, list]]
    cidr_flows: CidrRelation
    internet_services: dict[str, ServiceSet]
    internet_family: dict[str, dict[str, ServiceSet]]
    hops: Hops
    exposures: list[Exposure]
    _paths: Optional[list[Path]]
    _group_paths: Optional[list[Path]]
    _resource_paths: Optional[list[Path]]
    _resource_graph: Optional[DiGraph]
    _path_view: Optional[ListenerView]
    _digraph: Optional[DiGraph]

    if TYPE_CHECKING:
        # flows.py, used by paths.py
        def is_group(self, node: str) -> bool: ...
