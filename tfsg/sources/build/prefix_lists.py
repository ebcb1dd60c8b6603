"""Managed prefix lists (``aws_ec2_managed_prefix_list``) and their entries.

A list's addresses come from its ``entry`` blocks or from ``aws_ec2_managed_prefix_list_entry``
resources; a list whose entries cannot be read is recorded as ``None``. A list's key is its
address when the plan holds it (a resource or a data source), else its id; ``_prefix_keys``
resolves a rule's terms to keys.
"""

from __future__ import annotations

from typing import Optional

from ...model import is_sensitive
from ...netsets import PUBLIC_V4, PUBLIC_V6, AddressSet, union_all
from ..instances import Instance
from ..refs import ConfigIndex, Lit, Res, Term
from .base import BuilderBase
from .terms import _as_list, _cidr_set

# Types whose instances are prefix lists: the managed list (a resource or a data source) and the
# AWS-managed lists of services (``data.aws_prefix_list``: S3, DynamoDB, CloudFront origins).
PREFIX_LIST_TYPES = ("aws_ec2_managed_prefix_list", "aws_prefix_list")

# CloudFront's AWS-managed origin-facing lists, by name (the IPv4 list and the IPv6 one): they stand
# for every public address of their family, as what reaches an origin through CloudFront.
CLOUDFRONT_LISTS = {"com.amazonaws.global.cloudfront.origin-facing": PUBLIC_V4,
                    "com.amazonaws.global.ipv6.cloudfront.origin-facing": PUBLIC_V6}
# The IPv4 origin-facing list by its id, as configurations hard-code it: AWS-managed lists have
# one fixed id per Region, the same in every account (``aws ec2 describe-managed-prefix-lists
# --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing``; the
# ids as published and used alike by independent public configurations).
CLOUDFRONT_IDS = frozenset({
    "pl-58a04531",  # ap-northeast-1
    "pl-22a6434b",  # ap-northeast-2
    "pl-9aa247f3",  # ap-south-1
    "pl-31a34658",  # ap-southeast-1
    "pl-b8a742d1",  # ap-southeast-2
    "pl-38a64351",  # ca-central-1
    "pl-a3a144ca",  # eu-central-1
    "pl-fab65393",  # eu-north-1
    "pl-4fa04526",  # eu-west-1
    "pl-93a247fa",  # eu-west-2
    "pl-75b1541c",  # eu-west-3
    "pl-5da64334",  # sa-east-1
    "pl-3b927c52",  # us-east-1
    "pl-b6a144df",  # us-east-2
    "pl-4ea04527",  # us-west-1
    "pl-82a045eb",  # us-west-2
})


class PrefixListsMixin(BuilderBase):
    """Fills ``snap.prefix_lists`` (and their sizes and sensitivity) and the id index ``prefix_ids``."""

    def _data_prefix_list(self, inst: Instance) -> None:
        """``data.aws_prefix_list`` (an AWS-managed list: ``cidr_blocks``) and
        ``data.aws_ec2_managed_prefix_list`` (``entries``): read when the plan is made, unless
        they depend on values known only after apply."""
        addr = inst.addr
        known, ident = self.value(inst, ("id",))
        if known and isinstance(ident, str) and ident:
            self.prefix_ids[ident] = addr
        front = self._cloudfront_list(inst)
        if front is not None:
            # CloudFront's origin-facing servers connect for every viewer on the internet, through
            # any distribution of any account (CloudFront developer guide, "Restrict access to
            # origins with the AWS-managed prefix list"): admitting them admits the internet, on
            # the ports CloudFront sends to (rules.py: CLOUDFRONT_PORTS)
            self.snap.prefix_lists[addr] = front
            self.snap.cloudfront_lists.add(addr)
            return
        attr = "cidr_blocks" if inst.type == "aws_prefix_list" else "entries"
        known, entries = self.value(inst, (attr,))
        if not known or not isinstance(entries, list):
            self.snap.prefix_lists[addr] = None
            if isinstance(entries, list) or known:
                why = f"{attr} is not a list"
            elif isinstance(self.config, ConfigIndex):  # a plan: read at apply, after what it depends on
                why = "the prefix list's entries are read only at apply (the data source depends on values known " \
                      "only after apply)"
            else:  # the .tf files alone: Terraform reads data sources from AWS while planning
                why = "the prefix list's entries are read from AWS when Terraform plans; the .tf files alone do not " \
                      "tell them"
            self.unknown(addr, attr, why)
            return
        blocks = []
        for entry in entries:
            cidr = entry.get("cidr") if isinstance(entry, dict) else entry
            if isinstance(cidr, str):
                blocks.append(_cidr_set(cidr))
                if is_sensitive(cidr):
                    self.snap.sensitive_prefix_lists.add(addr)
        self.snap.prefix_lists[addr] = union_all(blocks)

    def _cloudfront_list(self, inst: Instance) -> Optional[AddressSet]:
        """The addresses CloudFront's origin-facing list stands for, when ``inst`` looks it up
        by name (the ``name`` argument, or a ``prefix-list-name`` filter), else None."""
        if inst.type != "aws_ec2_managed_prefix_list":
            return None
        names: list[str] = []
        known, name = self.value(inst, ("name",))
        if not (known and isinstance(name, str)):
            known, name = self.setting(inst, ("name",))
        if known and isinstance(name, str):
            names.append(name)
        known, filters = self.setting(inst, ("filter",))
        for f in filters if known and isinstance(filters, list) else ():
            if isinstance(f, dict) and f.get("name") == "prefix-list-name" and isinstance(f.get("values"), list):
                names += [v for v in f["values"] if isinstance(v, str)]
        for name in names:
            if name in CLOUDFRONT_LISTS:
                return CLOUDFRONT_LISTS[name]
        return None

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
        entries = _as_list(entries)
        if self.prior is not None and self.config.present and not self.config.written(inst.address, "entry"):
            # entries come from entry resources (provider docs: never both): what the list reads
            # back of the side before's entry resources is theirs to say on this side (an entry
            # this apply deletes is gone; one it keeps adds itself again, _prefix_entry)
            made = self.prior.prefix_entry_cidrs.get(addr, set())
            entries = [e for e in entries if not (isinstance(e, dict) and e.get("cidr") in made)]
        blocks = []
        unread = 0
        for entry in entries:
            cidr = entry.get("cidr") if isinstance(entry, dict) else None
            if isinstance(cidr, str):
                blocks.append(_cidr_set(cidr))
                if is_sensitive(cidr):
                    self.snap.sensitive_prefix_lists.add(addr)
            else:  # ``cidr = "${aws_eip.nat.public_ip}/32"``: known after apply, any block meanwhile
                unread += 1
        if unread:  # it holds the known entries and others only apply knows: never "just these"
            self.snap.partial_prefix_lists[addr] = (f"{unread} entr{'y' if unread == 1 else 'ies'} of prefix list "
                                                    f"{addr} {'is' if unread == 1 else 'are'} known only after apply")
        self.snap.prefix_lists[addr] = union_all(blocks)  # one sort: a list of thousands of entries

    def _prefix_entry(self, inst: Instance) -> None:
        lists = self._prefix_keys(self.terms(inst, ("prefix_list_id",)))
        known, cidr = self.value(inst, ("cidr",))
        if not lists:
            self.unknown(inst.addr, "prefix_list_id", "cannot tell which prefix list the entry belongs to")
        for key in lists:
            self._entries_unread.discard(key)
            outside = key not in self.snap.prefix_lists  # a list the plan does not make (pl-...)
            current = self.snap.prefix_lists.get(key)
            if known and isinstance(cidr, str):
                self.snap.prefix_entry_cidrs.setdefault(key, set()).add(str(cidr))
            if outside and key not in self.snap.cloudfront_lists:
                # entries are added to what the list holds (ModifyManagedPrefixList AddEntries):
                # after apply it holds at least this plan's entries, the rest is not known
                current = AddressSet()
                self.snap.partial_prefix_lists.setdefault(
                    key, f"the entries of prefix list {key} other than those this plan adds are not known")
            if known and isinstance(cidr, str) and current is not None:
                self.snap.prefix_lists[key] = current | _cidr_set(cidr)
                if is_sensitive(cidr):
                    self.snap.sensitive_prefix_lists.add(key)
            elif not known:
                if current is not None:  # the known entries stay: the list holds at least them
                    self.snap.prefix_lists[key] = current
                    self.snap.partial_prefix_lists[key] = f"an entry of prefix list {key} ({inst.addr}) is known " \
                                                          "only after apply"
                else:
                    self.snap.prefix_lists[key] = None
                self.unknown(inst.addr, "cidr", "prefix-list entry known only after apply")

    def _unread_prefix_lists(self) -> None:
        """Lists whose ``entry`` is omitted in plan JSON's configuration and that no entry
        resource fills: a ``dynamic "entry"`` block (dropped from plan JSON) may write them."""
        for addr in sorted(self._entries_unread):
            self.snap.prefix_lists[addr] = None
            self.unknown(addr, "entry", "the entries are not in the plan's configuration (a dynamic block is "
                         "dropped from plan JSON); give the .tf sources with --source to read them")

    def _list_key(self, ident: str) -> str:
        """A list's key by its id: the plan's list that has it, else the id (CloudFront's
        origin-facing list, by its published id, is known: every public IPv4 address)."""
        key = self.prefix_ids.get(ident)
        if key is not None:
            return key
        if ident in CLOUDFRONT_IDS and ident not in self.snap.prefix_lists:
            self.snap.prefix_lists[ident] = PUBLIC_V4
            self.snap.cloudfront_lists.add(ident)
        return ident

    def _prefix_keys(self, terms: list[Term], unread: Optional[list[str]] = None) -> list[str]:
        """Prefix-list keys of terms; ``unread`` collects the references that are no prefix
        list tfsg can read (a reference dropped without a word would be a rule dropped)."""
        keys = []
        for term in terms:
            if isinstance(term, Res) and term.instance.type in PREFIX_LIST_TYPES and term.attr in ((), ("id",)):
                keys.append(term.instance.addr)
            elif isinstance(term, Res) and term.instance.type in PREFIX_LIST_TYPES or isinstance(term, Lit):
                texts, _ = self.strings([term])
                keys.extend(self._list_key(t) for t in texts)
            elif isinstance(term, Res) and unread is not None:
                texts, unknown = self.strings([term])
                keys.extend(self._list_key(t) for t in texts)
                unread.extend(unknown or ([] if texts else
                                          [f"{term.instance.addr} is not a prefix list tfsg can read"]))
        return keys
