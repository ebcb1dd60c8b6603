"""Fill in, from the .tf sources beside a plan, values that plan JSON does not record.

Kept apart from ``load`` so that a plan read with its sources pays for the HCL modules only
when a value is actually missing.
"""

from __future__ import annotations

from typing import Any, Optional

from ...model import Address
from ..instances import Instance
from ..refs import Res, Term, Unk


class SourceValues:
    """The .tf sources beside a plan, evaluated on first need, for values plan JSON drops.

    Plan JSON records a reference's text but not the value of ``each.value`` when for_each
    iterates over a local or a module output, nor what a local holds. The sources do: an
    attribute the plan cannot resolve is evaluated here, with the plan's own root variable
    values, and its references are mapped back to the plan's instances by address.
    """

    def __init__(self, directory: str, variables: dict[str, Any]) -> None:
        self.directory = directory
        self.variables = variables
        self._config: Any = None  # HclConfig, once evaluated
        self._failed = False

    def _load(self) -> Any:
        if self._config is None and not self._failed:
            from ...errors import TfsgError
            from .files import Tree
            from .load import HclConfig, instance_of
            from .modules import Loader, ModuleInstance

            try:
                loader = Loader(Tree(), self.directory)
                config = HclConfig()
                root = ModuleInstance(loader, loader.module(self.directory), (), None, dict(self.variables), [])
                for module in root.walk():
                    for ri in module.all_resource_instances():
                        config.add(ri, instance_of(ri))
                self._config = config
            except TfsgError:  # a syntax error or cycle: the plan stands alone (hints report it)
                self._failed = True
        return self._config

    def terms(self, address: Address, path: tuple, instances: dict[str, Instance]) -> Optional[list[Term]]:
        """The attribute's terms from the sources, over the plan's instances; None if unknown there too."""
        config = self._load()
        if config is None:
            return None
        expr = config.expression(address, path)
        if expr is None:
            return None
        out: list[Term] = []
        for term in expr["terms"]:
            if isinstance(term, Unk):
                return None
            if isinstance(term, Res):
                planned = instances.get(term.instance.addr)
                if planned is None:
                    return None
                term = Res(planned, term.attr)
            out.append(term)
        return out
