"""Fill in, from the .tf sources beside a plan, values that plan JSON does not record.

Kept apart from ``load`` so that a plan read with its sources pays for the HCL modules only
when a value is actually missing.
"""

from __future__ import annotations

from typing import Any, Optional

from ...model import Address
from ..instances import Instance
from ..refs import Lit, Res, Term, Unk


class SourceValues:
    """The .tf sources beside a plan, evaluated on first need, for values plan JSON drops.

    Plan JSON records a reference's text but not the value of ``each.value`` when for_each
    iterates over a local or a module output, nor what a local holds. The sources do: an
    attribute the plan cannot resolve is evaluated here, with the plan's own root variable
    values, and its references are mapped back to the plan's instances by address.

    What Terraform took from the planner's context is the plan's, not the checker's:
    ``plantimestamp()`` is the plan's recorded ``timestamp`` (``timestamp``: plan JSON's top-level
    "timestamp"; None, not recorded or not RFC 3339: unknown), and ``terraform.workspace``, which
    plan JSON does not record, is unknown (workspace.py).
    """

    def __init__(self, directory: str, variables: dict[str, Any], instances: list[Instance],
                 timestamp: Any = None) -> None:
        self.directory = directory
        self.variables = variables
        self.timestamp = timestamp
        self.instances = {i.addr: i for i in instances}  # the plan's side these values fill
        self._config: Any = None  # HclConfig, once evaluated
        self._failed = False
        self._secrets: set[str] = set()
        self.problems: list = []  # model.Unknown records: why the sources could not help

    def _load(self) -> Any:
        if self._config is None and not self._failed:
            from ...errors import TfsgError
            from . import budget
            from .ephemeral import EphemeralLoader
            from .files import Tree, repository_of
            from .functions_plan import PLAN_TIME
            from .load import HclConfig, instance_of
            from .modules import ModuleInstance
            from .workspace import PLAN_MODE

            budget.reset()  # limits.py eval-size: this evaluation's own
            # every value is evaluated here, at once (HclConfig.add reads each instance)
            moment = PLAN_TIME.set(plan_time(self.timestamp))
            try:
                loader = EphemeralLoader(Tree(inside=repository_of(self.directory)), self.directory)
                loader.workspace = PLAN_MODE
                self._secrets = loader.secrets
                config = HclConfig()
                root = ModuleInstance(loader, loader.module(self.directory), (), None, dict(self.variables), [])
                for module in root.walk():
                    for ri in module.all_resource_instances():
                        config.add(ri, instance_of(ri))
                self._config = config
            except TfsgError as exc:  # a syntax error or a cycle: the plan stands alone, and says so
                from ...model import Unknown as UnknownRecord

                self._failed = True
                self.problems.append(UnknownRecord(str(exc).split(": ", 1)[0], "",
                                                   f"sources not used: {str(exc).split(': ', 1)[-1]}"))
            finally:
                PLAN_TIME.reset(moment)
        return self._config

    def terms(self, address: Address, path: tuple, partial: bool = False,
              unknowns: bool = False) -> Optional[list[Term]]:
        """The attribute's terms from the sources, over the plan's instances; None if unknown there
        too. ``partial``: a list some of whose elements are known is its terms, the others
        unknowns (``["${aws_eip.nat.public_ip}/32", "0.0.0.0/0"]``: the plan marks the whole list
        unknown and records only the reference). ``unknowns``: the terms whatever they hold (the
        sources' reasons for what only apply knows)."""
        config = self._load()
        expr = config.expression(address, path) if config is not None else None
        if expr is None:
            return None
        out = self._mapped(expr["terms"])
        if unknowns or not any(isinstance(t, Unk) for t in out):
            return out
        return out if partial and any(isinstance(t, Lit) for t in out) else None

    def secrets(self) -> Optional[set[str]]:
        """The texts the sources mark sensitive (variables, ``sensitive()``, provider-sensitive
        attributes), once evaluated; None when they cannot be evaluated."""
        config = self._load()
        return None if config is None else self._secrets

    def resource(self, address: Address) -> Optional[dict]:
        """The resource's evaluated configuration (``{"expressions": {...}}``), None if the
        sources do not hold it or cannot be evaluated."""
        config = self._load()
        return config.resource(address) if config is not None else None

    def written(self, address: Address, path: tuple) -> Optional[bool]:
        """Is the attribute written in the sources (None: the sources could not be evaluated, or
        do not hold the resource, so they cannot say it is not written)?"""
        config = self._load()
        if config is None or config.resource(address) is None:
            return None
        if len(path) == 1 and not config.written(address, path[0]):
            return False  # not written, or blocks that make none (a dynamic block over nothing)
        return config.expression(address, path) is not None

    def blocks(self, address: Address, name: str) -> Optional[int]:
        """How many ``name`` blocks the sources give the resource (dynamic blocks expanded), None
        when they cannot tell (not evaluated, or a ``for_each`` only apply decides)."""
        config = self._load()
        res = config.resource(address) if config is not None else None
        found = (res or {}).get("expressions", {}).get(name) if res is not None else None
        if res is not None and name not in res.get("expressions", {}) and config is not None \
                and not config.written(address, name):
            return 0
        return len(found) if isinstance(found, list) and all(isinstance(b, dict) for b in found) else None

    def null(self, address: Address, path: tuple) -> bool:
        """Is the argument written in the sources and evaluated to null there (``lookup(each.value,
        "source_security_group_id", null)`` on a CIDR rule)? Null Optional+Computed arguments are
        left out of the evaluated values (argtypes.py): written, yet no expression."""
        config = self._load()
        return config is not None and len(path) == 1 and config.resource(address) is not None \
            and config.written(address, path[0]) and config.expression(address, path) is None

    def inline_blocks(self, inst: Instance, direction: str) -> Optional[list[dict]]:
        """The instance's evaluated ``ingress``/``egress`` blocks (see ``load.block_hints``)."""
        config = self._load()
        if config is None:
            return None
        from .load import block_hints

        said: list = []
        hints = block_hints(config.raw.get(inst.addr, {}).get(direction), inst.addr, direction,
                            lambda value: self._mapped(config.terms(value)), said)
        mask = inst.unknown.get(direction) if isinstance(inst.unknown, dict) else inst.unknown
        if direction not in inst.values or _marks_unknown(mask):
            # what the sources cannot tell matters only where the plan does not know the rules
            # either (it knows a set of objects' order, which the sources may not: hcl/values.py)
            self.problems += said
        return hints

    def _mapped(self, terms: list[Term]) -> list[Term]:
        """Terms over the sources' instances -> the same terms over the plan's instances."""
        out: list[Term] = []
        for term in terms:
            if isinstance(term, Res):
                planned = self.instances.get(term.instance.addr)
                term = Res(planned, term.attr) if planned is not None else \
                    Unk(f"{term.instance.addr}: in the sources but not in the plan")
            out.append(term)
        return out


def plan_time(timestamp: Any) -> Any:
    """plantimestamp() beside a plan: the plan's recorded ``timestamp`` (Terraform writes
    ``time.RFC3339``, which plantimestamp returns too: "plantimestamp Function"), else unknown."""
    from .functions_plan import _RFC3339
    from .values import Unknown

    if isinstance(timestamp, str) and _RFC3339.fullmatch(timestamp):
        return timestamp
    return Unknown("plantimestamp(): the plan does not record the time it was made (plan JSON \"timestamp\"), "
                   "so what depends on it is not filled")


def _marks_unknown(mask: Any) -> bool:
    """Does an after_unknown mask mark anything in it unknown?"""
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_marks_unknown(v) for v in mask.values())
    if isinstance(mask, list):
        return any(_marks_unknown(v) for v in mask)
    return False
