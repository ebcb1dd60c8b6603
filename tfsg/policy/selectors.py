"""Which groups and sources a policy selects: selectors (address, name, tag, type, attached_to,
tier, default, any_of) over a ``FlowGraph``'s groups, and ``from`` specs over a flow's source
(the internet of a family, CIDR widths, blocks, groups). README "Configuration"; the internet is
every public address of a family (netsets.PUBLIC_V4 / PUBLIC_V6).
"""

from __future__ import annotations

import functools
from typing import Any, Optional

from ..graph import FlowGraph
from ..model import is_outside_group
from ..netsets import PUBLIC, PUBLIC_V4, PUBLIC_V6, AddressSet, union_all
from .load import glob_match

# A cluster's instances are the cluster's (they take its groups and subnets): a selector that
# names the cluster type holds them.
_CLUSTER_OF = {"aws_rds_cluster_instance": "aws_rds_cluster", "aws_docdb_cluster_instance": "aws_docdb_cluster",
               "aws_neptune_cluster_instance": "aws_neptune_cluster", "aws_rds_shard_group": "aws_rds_cluster"}


class Selectors:
    """Matches groups against selectors (address, name, tag, attached_to, tier, default)."""

    def __init__(self, graph: FlowGraph, tiers: dict[str, dict]) -> None:
        self.graph = graph
        self.tiers = tiers
        self._outside: Optional[set[str]] = None

    def match(self, group: str, selector: Optional[dict], depth: int = 0, member: Optional[str] = None) -> bool:
        """``member``: the type of one resource of the group, which ``attached_to`` then asks
        about instead of the group's members together (a tier's resources: a database in the
        app's group does not make the app a data store)."""
        if not selector:
            return True
        sg = self.graph.snap.groups.get(group)
        if "address" in selector and not _glob_any(group, selector["address"]):
            return False
        if sg is None:
            # a group outside the plan (sg-...) that the plan's rules change: only what the plan
            # tells of it can match (its id, what it is attached to, tiers built on those)
            if not is_outside_group(group) or any(k in selector for k in ("name", "default", "type", "tag")):
                return False
        else:
            if "name" in selector and not (_glob_any(sg.name, selector["name"]) if sg.name else
                                           sg.name_prefix is not None and
                                           _glob_any(sg.name_prefix + _UNIQUE_SUFFIX, selector["name"])):
                return False
            if "default" in selector and sg.default != selector["default"]:
                return False
            if "type" in selector and not _glob_any("aws_default_security_group" if sg.default
                                                    else "aws_security_group", selector["type"]):
                return False
            if "tag" in selector:
                tags = dict(sg.tags)
                for key, wanted in selector["tag"].items():
                    if key not in tags or not _glob_any(tags[key], wanted):
                        return False
        if "attached_to" in selector:
            types = {a.type for a in self.graph.members.get(group, [])} if member is None \
                else {member, _CLUSTER_OF.get(member, member)}
            if not any(_glob_any(t, selector["attached_to"]) for t in types):
                return False
        if "tier" in selector:
            tier = self.tiers.get(selector["tier"])
            if tier is None or depth > 4 or not self.match(group, tier, depth + 1, member):
                return False
        if "any_of" in selector and depth <= 4:  # noqa: SIM102 (one guard per selector key, as above)
            if not any(self.match(group, s, depth + 1, member) for s in selector["any_of"]):
                return False
        return True

    def match_resource(self, resource_type: str, selector: Optional[dict], depth: int = 0) -> bool:
        """Does a resource in no group match? Only what names resources can: ``attached_to``
        (its type), and tiers and ``any_of`` built on it."""
        if not selector or depth > 4 or any(k in selector for k in ("address", "name", "default", "type", "tag")):
            return False
        if "attached_to" in selector and not _glob_any(resource_type, selector["attached_to"]):
            return False
        if "tier" in selector:
            tier = self.tiers.get(selector["tier"])
            if tier is None or not self.match_resource(resource_type, tier, depth + 1):
                return False
        if "any_of" in selector and not any(self.match_resource(resource_type, s, depth + 1)
                                            for s in selector["any_of"]):
            return False
        return any(k in selector for k in ("attached_to", "tier", "any_of"))

    def groups(self, selector: Optional[dict], managed: bool = False) -> list[str]:
        """The plan's groups, and the groups outside it (``sg-...``) that its rules change (a
        rule resource on an existing group opens what it opens, whoever manages the group);
        ``managed``: the plan's groups only (what is checked of the group resource itself)."""
        pool = set(self.graph.snap.groups) if managed else set(self.graph.snap.groups) | self._ruled_outside()
        return [g for g in sorted(pool) if self.match(g, selector)]

    def _ruled_outside(self) -> set[str]:
        if self._outside is None:
            self._outside = {r.group for r in self.graph.snap.rules if is_outside_group(r.group)}
        return self._outside


# A name the provider makes when applying: the prefix and a unique id (terraform-plugin-sdk
# id.PrefixedUniqueId: a UTC timestamp and a counter, 26 characters, digits and hex).
_UNIQUE_SUFFIX = "20260101000000000000000001"


def _glob_any(value: str, patterns: Any) -> bool:
    """``*`` matches any text, everything else is literal, as in waivers: an address is written
    as Terraform writes it (``aws_security_group.db[0]``; fnmatch read ``[0]`` as a class)."""
    if isinstance(patterns, str):
        patterns = [patterns]
    return any(glob_match(p, value) for p in patterns)


def _prefix_len(label: str) -> Optional[int]:
    if "/" not in label:
        return None
    try:
        plen = int(label.rsplit("/", 1)[1])
    except ValueError:
        return None
    # an IPv6 /64 is one subnet (VPC user guide, "IP addressing": subnets are /64), as an IPv4
    # /24 is one network of a few hundred hosts: compare IPv6 /N as IPv4 /(N-40)
    return plen - 40 if ":" in label else plen


def source_matches(graph: FlowGraph, sel: Selectors, source: dict, endpoint: str, block: Optional[AddressSet],
                   allowing: bool = False) -> bool:
    """Does a flow's source endpoint (a CIDR, a prefix list or a group) match a ``from`` spec?
    ``allowing``: the spec is an allow entry, whose ``cidrs`` must hold the whole block (a
    forbidden source only has to overlap it: 0.0.0.0/0 overlaps 10.0.0.0/8, and is not in it)."""
    if graph.is_group(endpoint):
        return "groups" in source and sel.match(endpoint, source["groups"])
    if block is None:
        return False
    if source.get("except_internet") and _whole_internet(block):
        return False  # the internet itself is another policy's business
    if source.get("any_address"):
        return True
    if "cidr_wider_than" in source:
        plen = _prefix_len(endpoint)
        limit = source["cidr_wider_than"]
        if plen is not None and plen < limit:
            return True
        if plen is None and _widest(block) < limit:  # a prefix list: by its widest entry
            return True
    if "public_wider_than" in source and ("/" in endpoint or _customer_list(endpoint)) \
            and _widest_public(block) < source["public_wider_than"]:
        # most of the internet is not "the internet" (every public address); CIDR rules and the
        # lists the configuration writes itself, whose entries are its CIDRs: an AWS-managed
        # prefix list names AWS's own service ranges (S3's /15s), no one can rent
        return True
    if "cidrs" in source:
        wanted = union_all(AddressSet.parse(c) for c in source["cidrs"])
        if wanted.issuperset(block) if allowing else block.overlaps(wanted):
            return True
    if "internet" in source:
        v4, v6 = _internet_families(block)
        family = source["internet"]
        if (family in (True, "ipv4") and v4) or (family in (True, "ipv6") and v6):
            return True
    return False


def _customer_list(endpoint: str) -> bool:
    """Is the endpoint a prefix list the plan creates (``aws_ec2_managed_prefix_list``, in any
    module): a customer-managed list, whose entries the configuration writes."""
    return not endpoint.startswith("data.") and ".data." not in endpoint and \
        (endpoint.startswith("aws_ec2_managed_prefix_list.") or ".aws_ec2_managed_prefix_list." in endpoint)


@functools.lru_cache(maxsize=4096)
def _widest(block: AddressSet) -> int:
    """The shortest prefix (as _prefix_len compares it) of the CIDRs a block is made of."""
    return min((_prefix_len(c) or 0 for c in block.cidrs()), default=128)


@functools.lru_cache(maxsize=4096)
def _widest_public(block: AddressSet) -> int:
    """The shortest prefix of a block's CIDRs that hold public addresses (128 when none does):
    ``0.0.0.0/1`` is 1, ``10.0.0.0/8`` none. As written in both families (the same share of
    each family's space), not as _prefix_len compares subnets: an IPv6 /48 is one site, not a
    sixteen-millionth of the internet."""
    return min((int(c.rsplit("/", 1)[1]) for c in block.cidrs() if AddressSet.parse(c).overlaps(PUBLIC)),
               default=128)


@functools.lru_cache(maxsize=16384)
def _internet_families(block: AddressSet) -> tuple[bool, bool]:
    return block.issuperset(PUBLIC_V4), block.issuperset(PUBLIC_V6)


def _whole_internet(block: AddressSet) -> bool:
    return any(_internet_families(block))
