"""What every pass of the builder may use, declared once for the type checker.

``SnapshotBuilder`` (``__init__.py``) sets this state in its ``__init__``; the passes are
mixins, each in a module of its own, that read and extend it and call each other's methods.
``BuilderBase`` declares both, so that each mixin is checked on its own: the attributes with
their types, and the methods one mixin calls in another as signatures (under
``TYPE_CHECKING``: at run time the mixin that defines a method is the only definition, and a
signature that drifts from it is reported as an incompatible override).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from ...model import Attachment, Peer, Rule, Snapshot, Unknown
    from ...netsets import ServiceSet
    from ..instances import Instance
    from ..placement import Placements
    from ..refs import Configuration, Context, Resolver, Term
    from ..services import ServiceEffects
    from .inline import InlineHints


class BuilderBase:
    """The state ``SnapshotBuilder.__init__`` sets (see there) and the methods shared by the passes."""

    instances: list[Instance]
    sources: Any  # hcl.load.SourceValues, or None
    config: Configuration
    resolver: Resolver
    hints: Optional[InlineHints]
    prior: Optional[Snapshot]
    snap: Snapshot
    id_to_group: dict[str, str]
    name_to_group: dict[str, list[str]]
    subnets: dict[str, Instance]
    vpc_ids: dict[str, str]
    prefix_ids: dict[str, str]
    produced: dict[str, tuple[list[Rule], list[Unknown]]]
    rule_cap: int  # limits.py rules: more rules than this on one side is refused
    reuse: dict[str, tuple[list[Rule], list[Unknown]]]
    services: Optional[ServiceEffects]
    _owned: Optional[set[tuple]]
    _merged_refs: dict[tuple[str, str], tuple[list[str], list[str]]]
    labels: dict[tuple[str, str], str]
    _peers: dict[tuple[str, str], Peer]
    _entries_unread: set[str]
    _defaults: Optional[dict[str, str]]
    _placements: Optional[Placements]
    inline_known: bool
    before_side: bool
    _launched: dict[str, list[str]]
    _prior_atts: Optional[dict[str, Attachment]]
    _indexes: dict[tuple, dict[str, list[Instance]]]
    _by_addr: Optional[dict[str, Instance]]
    _outside_templates: set[str]
    _scope: tuple[str, str]
    _services: Optional[ServiceSet]
    _contexts: dict[str, Context]
    _regions: dict[str, Optional[str]]
    _group_instances: dict[str, Instance]
    beanstalk: dict[str, Any]

    if TYPE_CHECKING:
        # SnapshotBuilder
        def unknown(self, address: str, attribute: str, reason: str,
                    scope: Optional[tuple[str, str]] = None, block: Optional[tuple[int, int]] = None) -> None: ...

        # rules.py, inline.py, rule_resources.py (read in order by sources_split.py)
        def _check_rule_cap(self) -> None: ...

        def _inline_rules(self, inst: Instance, direction: str) -> None: ...

        def _classic_rule(self, inst: Instance) -> None: ...

        def _vpc_rule(self, inst: Instance) -> None: ...

        # terms.py
        def value(self, inst: Instance, path: tuple) -> tuple[bool, Any]: ...

        def known_strings(self, inst: Instance, attr: str) -> Optional[list[str]]: ...

        def setting(self, inst: Instance, path: tuple) -> tuple[bool, Any]: ...

        def referenced(self, inst: Instance, path: tuple, types: tuple[str, ...]) -> list[Instance]: ...

        def indexed(self, types: Optional[tuple[str, ...]], attrs: tuple[str, ...]) -> dict[str, list[Instance]]: ...

        def context(self, inst: Instance) -> Context: ...

        def terms(self, inst: Instance, path: tuple, optional: bool = False, depth: int = 0) -> list[Term]: ...

        def strings(self, terms: Iterable[Term], attr: str = "id", depth: int = 0) -> tuple[list[str], list[str]]: ...

        def _expand(self, inst: Instance, steps: tuple) -> list[tuple]: ...

        # regions.py
        def region_of(self, inst: Instance) -> Optional[str]: ...

        def same_region(self, a: Instance, b: Instance) -> bool: ...

        # groups.py
        def group_keys(self, terms: Iterable[Term], kind: str = "ids",
                       like: Optional[Instance] = None) -> tuple[list[str], list[str]]: ...

        def _group_from_text(self, text: str, kind: str, like: Optional[Instance] = None) -> Optional[str]: ...

        def _default_groups(self) -> dict[str, str]: ...

        def _default_group_of(self, vpc: Instance) -> Optional[str]: ...

        def own_default_group(self, vpc: Instance) -> Optional[str]: ...

        def vpc_default_key(self, vpc: Optional[str]) -> Optional[str]: ...

        # prefix_lists.py
        def _prefix_keys(self, terms: list[Term], unread: Optional[list[str]] = None) -> list[str]: ...

        def _list_key(self, ident: str) -> str: ...

        # rules.py
        def _add_rule(self, inst: Instance, group: str, direction: str, protocol: Any, from_port: Any, to_port: Any,
                      peers: list[Peer], description: Any, inline: bool, attribute: str) -> None: ...

        def peer(self, kind: str, value: str, sensitive: bool = False) -> Peer: ...

        def _cidr_peers(self, inst: Instance, values: list[str], attribute: str,
                        version: Optional[int] = None) -> list[Peer]: ...

        def _prefix_peers_of(self, inst: Instance, attr: str, terms: list[Term]) -> list[Peer]: ...

        # inline.py
        def _manages_inline(self, inst: Instance, direction: str) -> bool: ...
