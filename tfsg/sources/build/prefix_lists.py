"""Managed prefix lists (``aws_ec2_managed_prefix_list``) and their entries.

A list's addresses come from its ``entry`` blocks or from ``aws_ec2_managed_prefix_list_entry``
resources; a list whose entries cannot be read is recorded as ``None``. A list's key is its
address when the plan holds it (a resource or a data source), else its id; ``_prefix_keys``
resolves a rule's terms to keys.
"""

from __future__ import annotations

from ...model import is_sensitive
from ...netsets import AddressSet, union_all
from ..instances import Instance
from ..refs import Lit, Res, Term
from .base import BuilderBase
from .terms import _as_list, _cidr_set


class PrefixListsMixin(BuilderBase):
    """Fills ``snap.prefix_lists`` (and their sizes and sensitivity) and the id index ``prefix_ids``."""

    def _prefix_list(self, inst: Instance) -> None:
        addr = inst.addr
        known, ident = self.value(inst, ("id",))
        if known and isinstance(ident, str) and ident:
            self.prefix_ids[ident] = addr
        known, size = self.value(inst, ("max_entries",))
        if known and isinstance(size, int):
            self.snap.prefix_list_sizes[addr] = size
        known, entries = self.value(inst, ("entry",))
        if not known:
            # ``entry`` is Optional+Computed: omitted, the list holds what its
            # aws_ec2_managed_prefix_list_entry resources add (provider docs: never both).
            if self.config.present and not self.config.written(inst.address, "entry"):
                self.snap.prefix_lists[addr] = AddressSet()
                if self.hints is None or self.hints.has_dynamic(inst, "entry"):
                    self._entries_unread.add(addr)  # a dynamic block may write them, unless entry resources do
                return
            self.snap.prefix_lists[addr] = None
            self.unknown(addr, "entry", "prefix-list entries are known only after apply")
            return
        blocks = []
        for entry in _as_list(entries):
            cidr = entry.get("cidr") if isinstance(entry, dict) else None
            if isinstance(cidr, str):
                blocks.append(_cidr_set(cidr))
                if is_sensitive(cidr):
                    self.snap.sensitive_prefix_lists.add(addr)
        self.snap.prefix_lists[addr] = union_all(blocks)  # one sort: a list of thousands of entries

    def _prefix_entry(self, inst: Instance) -> None:
        lists = self._prefix_keys(self.terms(inst, ("prefix_list_id",)))
        known, cidr = self.value(inst, ("cidr",))
        if not lists:
            self.unknown(inst.addr, "prefix_list_id", "cannot tell which prefix list the entry belongs to")
        for key in lists:
            self._entries_unread.discard(key)
            current = self.snap.prefix_lists.get(key)
            if known and isinstance(cidr, str) and current is not None:
                self.snap.prefix_lists[key] = current | _cidr_set(cidr)
                if is_sensitive(cidr):
                    self.snap.sensitive_prefix_lists.add(key)
            elif not known:
                self.snap.prefix_lists[key] = None
                self.unknown(inst.addr, "cidr", "prefix-list entry known only after apply")

    def _unread_prefix_lists(self) -> None:
        """Lists whose ``entry`` is omitted in plan JSON's configuration and that no entry
        resource fills: a ``dynamic "entry"`` block (dropped from plan JSON) may write them."""
        for addr in sorted(self._entries_unread):
            self.snap.prefix_lists[addr] = None
            self.unknown(addr, "entry", "the entries are not in the plan's configuration (a dynamic block is "
                         "dropped from plan JSON); give the .tf sources with --source to read them")

    def _prefix_keys(self, terms: list[Term]) -> list[str]:
        keys = []
        for term in terms:
            if isinstance(term, Res) and term.instance.type == "aws_ec2_managed_prefix_list" \
                    and term.attr in ((), ("id",)):
                keys.append(term.instance.addr)
            elif isinstance(term, Res) and term.instance.type == "aws_ec2_managed_prefix_list" or isinstance(term, Lit):
                texts, _ = self.strings([term])
                keys.extend(self.prefix_ids.get(t, t) for t in texts)
        return keys
