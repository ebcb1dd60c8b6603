"""Plain, frozen data for one point in time: groups, rules, attachments, unknowns.

No I/O and no knowledge of Terraform's JSON: ``sources/`` builds these values, everything
after it (graph, diff, report) reads them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional, TypeVar, Union

from .netsets import AddressSet, ServiceSet

InstanceKey = Union[None, int, str]
_T = TypeVar("_T")


def render_key(key: InstanceKey) -> str:
    """``[0]`` or ``["blue"]`` as Terraform writes instance keys: quoted as Go's strconv.Quote
    quotes (printable characters as they are, ``["é"]``; quotes, backslashes and what does not
    print escaped), so an address reads as the plan writes it."""
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    text = json.dumps(key, ensure_ascii=False)
    if not text.isascii():
        text = "".join(c if c.isascii() or c.isprintable() else
                       (f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}") for c in text)
    return "[" + text + "]"


@dataclass(frozen=True)
class ModuleStep:
    name: str
    key: InstanceKey = None

    def __str__(self) -> str:
        return f"module.{self.name}{render_key(self.key)}"


_STEP = re.compile(r'module\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(?:(\d+)|("(?:[^"\\]|\\.)*"))\])?')


def _step(m: re.Match) -> ModuleStep:
    key: InstanceKey = None
    if m.group(2) is not None:
        key = int(m.group(2))
    elif m.group(3) is not None:
        key = json.loads(m.group(3))
    return ModuleStep(m.group(1), key)


def parse_module_path(text: Optional[str]) -> tuple[ModuleStep, ...]:
    """Parse ``module.a[0].module.b["x"]`` into steps (keys may hold dots and brackets)."""
    if not text:
        return ()
    steps, rest = split_module_prefix(text + ".")
    if rest:
        raise ValueError(f"not a module address: {text!r}")
    return steps


_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]')


def without_keys(address: str) -> str:
    """An address without instance keys, the block every instance shares:
    ``module.a["x"].aws_thing.b[0]`` -> ``module.a.aws_thing.b``."""
    return _INSTANCE_KEY.sub("", address)


def split_module_prefix(text: str) -> tuple[tuple[ModuleStep, ...], str]:
    """``module.a[0].aws_x.y[1]`` -> ``((module.a[0],), "aws_x.y[1]")``."""
    steps: list[ModuleStep] = []
    pos = 0
    while text.startswith("module.", pos):
        m = _STEP.match(text, pos)
        if not m or m.end() >= len(text) or text[m.end()] != ".":
            break
        steps.append(_step(m))
        pos = m.end() + 1
    return tuple(steps), text[pos:]


def render_module_path(steps: tuple[ModuleStep, ...]) -> str:
    return ".".join(str(s) for s in steps) if steps else ""


# ``Address.deposed`` of the object a replacement forgets (actions ["create", "forget"] or
# ["forget", "create"], a `lifecycle { destroy = false }` replacement): it stays in AWS, unmanaged
FORGOTTEN = "forgotten"


@dataclass(frozen=True)
class Address:
    """A resource instance address, built from fields and rendered as Terraform writes it."""

    module: tuple[ModuleStep, ...]
    type: str
    name: str
    key: InstanceKey = None
    mode: str = "managed"
    # a deposed object (a create_before_destroy replacement whose destroy is pending): another
    # AWS object under the same address, named as Terraform's UI names it
    deposed: str = ""

    def __str__(self) -> str:
        text = self.__dict__.get("_text")
        if text is None:  # rendered once: a large plan renders each address many times
            prefix = render_module_path(self.module)
            local = ("data." if self.mode == "data" else "") + f"{self.type}.{self.name}{render_key(self.key)}"
            text = f"{prefix}.{local}" if prefix else local
            if self.deposed:
                text += " (forgotten object)" if self.deposed == FORGOTTEN else f" (deposed object {self.deposed})"
            self.__dict__["_text"] = text
        return text

    @property
    def module_text(self) -> str:
        return render_module_path(self.module)

    def config_path(self) -> tuple[str, ...]:
        """The module *call* path (instance keys dropped): what ``configuration`` is keyed by."""
        return tuple(s.name for s in self.module)

    def without_key(self) -> "Address":
        return Address(self.module, self.type, self.name, None, self.mode)

    def sort_key(self) -> tuple:
        key = self.__dict__.get("_sort_key")
        if key is None:
            key = self.__dict__["_sort_key"] = (render_module_path(self.module), self.mode, self.type, self.name,
                                                _key_order(self.key), self.deposed)
        return key


def _key_order(key: InstanceKey) -> tuple:
    if key is None:
        return (0, 0, "")
    if isinstance(key, int):
        return (1, key, "")
    return (2, 0, key)


@dataclass(frozen=True)
class Location:
    """Where something is written in the sources: a repository-relative file and line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


# A group is identified by its Terraform address when the plan manages it, else by ``sg-...``,
# or ``123456789012/sg-...`` for a group of another account (a peered VPC: AWS writes such a
# reference as UserId/GroupId, the provider parses "[UserID/]GroupID").
GroupKey = str

_GROUP_ID = re.compile(r"(?:(\d{12})/)?(sg-[0-9a-zA-Z]+)")


def group_id(text: str) -> Optional[str]:
    """``sg-...`` or ``ACCOUNT/sg-...`` as written (the account kept), else None."""
    m = _GROUP_ID.fullmatch(text.strip()) if isinstance(text, str) else None
    return m.group(0) if m else None


def is_outside_group(key: str) -> bool:
    """A group that the plan does not manage, known by its id (possibly account-qualified)."""
    return _GROUP_ID.fullmatch(key) is not None


SENSITIVE = "(sensitive)"  # what a value marked sensitive is shown as; never the value itself


class SensitiveStr(str):
    """A string Terraform marks sensitive (``*_sensitive`` masks, sensitive variables).

    The mark travels with the value, as cty marks do in Terraform: tfsg computes with it like
    any other string, and whatever shows it (a peer's label, a message) shows ``SENSITIVE``.
    ``repr`` is masked so that ``f"{x!r}"`` in a message cannot leak it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(SENSITIVE)


def is_sensitive(value: object) -> bool:
    return isinstance(value, SensitiveStr)


def shown(value: _T) -> Union[_T, str]:
    """The value as output may show it: ``SENSITIVE`` for a sensitive string."""
    return SENSITIVE if isinstance(value, SensitiveStr) else value


class WholeMark:
    """Mixin of a collection marked sensitive whole (not only its elements): its keys and length
    are sensitive too. Terraform shows such a map as ``(sensitive value)``, keys included
    (language docs, "Sensitive values"): plan JSON's ``after_sensitive`` is ``true`` for the
    attribute; in HCL mode, a sensitive variable or ``sensitive()`` (hcl/marks.py)."""

    __slots__ = ()


class SensitiveMap(WholeMark, dict):
    """A map (or object) of a plan value marked sensitive whole."""

    __slots__ = ()


def mark_sensitive(value: object) -> object:
    """A copy of ``value`` whose string leaves are ``SensitiveStr`` (numbers and bools stay); a
    map is a ``SensitiveMap`` (its keys are hidden where output would show them: tags)."""
    if isinstance(value, str):
        return value if isinstance(value, SensitiveStr) else SensitiveStr(value)
    if isinstance(value, dict):
        return SensitiveMap((k, mark_sensitive(v)) for k, v in value.items())
    if isinstance(value, list):
        return [mark_sensitive(v) for v in value]
    return value


@dataclass(frozen=True)
class Peer:
    """The other end of a rule: ``cidr``, ``group``, ``self``, ``prefix_list`` or ``unknown``.

    ``value`` is the normalised CIDR, the group key, the prefix-list key (``pl-...`` or its
    address); for ``unknown`` it is the reason. ``label`` is what output shows and what flows
    are keyed by: the value itself, or for a sensitive value a placeholder such as
    ``(sensitive 1)``, numbered per input so that both sides of a diff agree.
    """

    kind: str
    value: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            label = "self" if self.kind == "self" else SENSITIVE if isinstance(self.value, SensitiveStr) \
                else str.__str__(self.value)
            object.__setattr__(self, "label", label)
        if isinstance(self.value, SensitiveStr):
            object.__setattr__(self, "value", str.__str__(self.value))

    @property
    def sensitive(self) -> bool:
        return self.label.startswith("(sensitive")

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Rule:
    """One AWS permission: a group allows ``services`` from (ingress) or to (egress) ``peer``."""

    group: GroupKey
    direction: str  # "ingress" | "egress"
    services: ServiceSet
    peer: Peer
    defined_by: str  # address of the resource that writes it (the group for inline rules)
    description: str = ""
    inline: bool = False

    def identity(self) -> tuple:
        """What makes two rules the same AWS permission (descriptions and owners aside)."""
        return (self.group, self.direction, self.services, self.peer)


@dataclass(frozen=True)
class SecurityGroup:
    key: GroupKey
    address: Optional[str]
    id: Optional[str]
    name: Optional[str]
    vpc_id: Optional[str]
    description: Optional[str] = None
    change: str = "no-op"
    default: bool = False  # aws_default_security_group
    tags: tuple[tuple[str, str], ...] = ()
    inline: tuple[str, ...] = ()  # directions the configuration manages inline (even as ``[]``)
    # directions the configuration is known not to write inline: rules seen there are AWS's
    # (refresh copies rule resources' rules into the group's attribute), not inline management
    unmanaged: tuple[str, ...] = ()
    # the name is known only after apply: what it will start with (name_prefix; "terraform-")
    name_prefix: Optional[str] = None


@dataclass(frozen=True)
class Attachment:
    """A resource that puts its network interfaces in ``groups``.

    ``public`` is True when the resource has an internet-facing IPv4 address, False when it
    cannot have one, None when the plan does not say (``public_reason`` explains);
    ``public_v6`` the same for IPv6 (IPv6 addresses are public). Either counts only when the
    subnet routes that family to an internet gateway (assumed when the plan does not say).
    ``addresses`` are the subnets its interfaces live in, when known.
    """

    resource: str
    type: str
    groups: tuple[GroupKey, ...]
    public: Optional[bool]
    public_reason: str
    addresses: Optional[AddressSet] = None
    vpc_id: Optional[str] = None
    public_v6: Optional[bool] = False  # an IPv6 address the internet can route to
    public_v6_reason: str = ""
    # the groups of the interface that has the public address, when the resource has several
    # interfaces with different groups (a launch template's eth0; eth1 gets no public IPv4):
    # None means every group is on it
    public_groups: Optional[tuple[GroupKey, ...]] = None
    # the private destinations beyond its VPC that its subnets' route tables send to (peering,
    # transit gateway, VPN, an appliance: sources/vpc_routes.py); None when the plan cannot tell
    beyond: Optional[AddressSet] = None
    # the routes that send it there (aws_route, tables' route blocks), each with where it sends
    beyond_by: tuple[tuple[str, AddressSet], ...] = ()
    # (destinations, the address they arrive from) of what goes beyond its VPC through a NAT
    # gateway: the gateway's own private address, not the resource's
    beyond_nat: tuple[tuple[AddressSet, AddressSet], ...] = ()


@dataclass(frozen=True)
class LbLink:
    """A load balancer forwards clients of ``listener`` (on ``front``) to ``target`` (on
    ``back``). ``client_ip``: the target sees an IPv4 client's address (True), or the load
    balancer's private address (False); None when the plan cannot tell. ``client_ip_v6``: the
    same for IPv6 clients of a dual-stack load balancer (IPv4 targets see the load balancer's
    IPv4 address: ELB guide, Network Load Balancers, "Client IP preservation"). ``family``: the
    target group's IP address type, the family of the load balancer's addresses its targets see
    (ELB API CreateTargetGroup, IpAddressType: ipv4 by default; None when the plan cannot tell)."""

    lb: str
    listener: str
    front: ServiceSet
    target: str
    back: ServiceSet
    client_ip: Optional[bool]
    client_ip_v6: Optional[bool]
    family: Optional[str] = "ipv4"
    # the clients a listener rule's source_ip condition lets through (None: any client): ELB
    # guide, "Listener rules", condition types, "Source IP address"
    clients: Optional[AddressSet] = None


@dataclass(frozen=True)
class PublicEndpoint:
    """An endpoint the internet reaches that no security group guards (an EKS cluster's public
    Kubernetes API): ``services`` from ``sources`` (public blocks), in ``family``, and why."""

    resource: str
    type: str
    services: ServiceSet
    sources: tuple[str, ...]
    family: str
    reason: str
    runs_code: bool = False  # a path starts there (a function URL): what its code opens is reached


@dataclass(frozen=True)
class Unknown:
    """Something the analysis could not resolve; reported, never silently dropped.

    ``scope`` says what the unknown value can change, so that only the policies it can affect
    warn: ``("ingress", group)`` / ``("egress", group)`` / ``("group", group)`` (both
    directions) for a group's rules, ``("members", resource)`` for which groups a resource is
    in (``("default-members", resource)``: a resource that names no group, which AWS puts in a
    default group, never a group the plan makes but its ``aws_default_security_group``),
    ``("internet", resource)`` for a group of its own that may admit the internet on
    ``services`` and hold it (a node group's remote access), ``("reach", resource)`` for whether
    the internet reaches it (its groups are outside the plan: the path and tier policies),
    ``("tags", group)`` for which tag selectors match a group, ``("front", resource)`` for what a
    load balancer's target group or attachment forwards to (the policies on traffic from the
    internet, which reaches targets through it, and the path policies), ``("public", resource)``
    for whether it has a public address (the analysis already assumes it may), ``("none", "")``
    for what is re-reported where it is used (a prefix list's entries), and ``("all", "")`` when
    it cannot tell. ``services``: the ports and protocols
    of the rule whose source or destination is unknown, when those are known (None: any).
    ``block``: the unknown source or destination is one CIDR block of (IP version, prefix length)
    (``"${aws_eip.nat.public_ip}/32"`` in ``cidr_blocks``: (4, 32)); None when it may be any.
    """

    address: str
    attribute: str
    reason: str
    scope: tuple[str, str] = ("all", "")
    services: Optional[ServiceSet] = None
    # the unknown is one CIDR block: (IP version, prefix length), a literal "/32" after an
    # address only apply knows: never the internet, nor wider than the prefix
    block: Optional[tuple[int, int]] = None

    def sort_key(self) -> tuple:
        return (self.address, self.attribute, self.reason)


@dataclass
class Snapshot:
    """Everything tfsg knows about the network at one point in time."""

    groups: dict[GroupKey, SecurityGroup] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    revoked: list[Rule] = field(default_factory=list)  # rule resources' rules this apply revokes
    # permissions of rule resources that the group's own inline list also records (what refresh
    # read back from AWS): only those can an update of the list revoke
    inline_copies: set = field(default_factory=set)
    forgotten_rules: set = field(default_factory=set)  # revoked rule resources a `removed` block forgets
    template_versions: dict[str, Any] = field(default_factory=dict)  # launch template -> its latest_version
    # Elastic IPs an aws_eip_association associates: address -> public IP (an update that removes
    # the association leaves the EIP's and the instance's read-back values naming it)
    eip_links: dict[str, str] = field(default_factory=dict)
    # route table address -> the destinations its aws_route resources make (an update that
    # deletes one leaves the table's read-back route list naming it: sources/routes.py)
    route_destinations: dict[str, frozenset[str]] = field(default_factory=dict)
    # prefix list -> the CIDRs its aws_ec2_managed_prefix_list_entry resources add: a list whose
    # configuration writes no entry reads them back, stale once this apply deletes one
    prefix_entry_cidrs: dict[str, set[str]] = field(default_factory=dict)
    # prefix list -> why its entries are known only in part: it holds at least those of
    # ``prefix_lists`` (the entries this plan adds to a list outside it, or the known ones beside
    # an entry only apply knows); rules use them, and the rest is an unknown (graph/rules.py)
    partial_prefix_lists: dict[str, str] = field(default_factory=dict)
    # data store -> the TCP ports it serves, as its configuration sets them (``port``: a database
    # on 15432) or its service fixes them (EFS 2049): sources/store_ports.py; for the policies
    # that name data-store ports (``store_ports``)
    store_ports: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # resource -> (IPv4 signal, IPv6 signal, routing): its public-address signals before its
    # subnets' routes are applied, and that routing (sources/placement.py), for an update that
    # keeps a running instance's address while its routes change (hcl/relaunch.py)
    unrouted: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict)
    # data stores that serve those ports only: no connection reaches them on any other
    store_only: set[str] = field(default_factory=set)
    attachments: list[Attachment] = field(default_factory=list)
    lb_links: list[LbLink] = field(default_factory=list)  # listener -> target hops
    open_fronts: set[str] = field(default_factory=set)  # public fronts whose groups guard only egress (fronts.py)
    # fronts that connect from addresses outside the plan (AWS-managed prefix lists, service groups)
    outside_senders: set[str] = field(default_factory=set)
    # (network interface, instance): an interface made on its own and attached to an instance
    # (aws_network_interface_attachment, or the interface's attachment block): the same host
    host_links: list[tuple[str, str]] = field(default_factory=list)
    # (cluster member, its cluster): an Aurora/DocumentDB/Neptune cluster's interfaces are its
    # instances', so the two are one resource on the network, never a connection between them
    cluster_links: list[tuple[str, str]] = field(default_factory=list)
    # load balancers whose listeners and registered targets the plan holds in full (lbs.py):
    # they connect to those targets only
    lb_closed: set[str] = field(default_factory=set)
    # load balancers open only because a target group of theirs has no registration in the plan
    # (lbs.py): an update that empties it leaves it forwarding to nothing (lbs.close_like)
    lb_unregistered: set[str] = field(default_factory=set)
    # load balancers whose listeners the plan holds in full and forward only to target groups of
    # target type ``instance`` (lbs.py): whatever registers later, they connect to EC2 instances only
    lb_instance_targets: set[str] = field(default_factory=set)
    endpoints: list[PublicEndpoint] = field(default_factory=list)  # sources/endpoints.py
    # filters in front of the groups that tfsg does not model (network ACLs, VPC Block Public
    # Access, Network Firewall): their addresses, for the report's note (sources/filters.py)
    filters: list[str] = field(default_factory=list)
    # load balancers whose listeners the plan holds in full: what they listen on (lbs.py)
    lb_ports: dict[str, ServiceSet] = field(default_factory=dict)
    prefix_lists: dict[str, Optional[AddressSet]] = field(default_factory=dict)
    sensitive_prefix_lists: set[str] = field(default_factory=set)  # entries marked sensitive
    # CloudFront's origin-facing lists: the servers any viewer reaches through any distribution
    cloudfront_lists: set[str] = field(default_factory=set)
    prefix_list_sizes: dict[str, int] = field(default_factory=dict)  # max_entries (quota weight)
    vpcs: dict[str, AddressSet] = field(default_factory=dict)  # vpc key (id or address) -> CIDRs
    # VPCs this change creates: AWS makes each a default group that admits all traffic from
    # itself and allows all out (VPC user guide, "Default security groups for your VPCs")
    new_vpcs: set[str] = field(default_factory=set)
    # vpc key -> the id of its default group, as the VPC reads it back (default_security_group_id)
    vpc_default_groups: dict[str, str] = field(default_factory=dict)
    # vpc key -> the private destinations beyond it that any of its route tables sends to, for
    # the VPCs whose every table the plan holds in full (sources/vpc_routes.py)
    vpc_routes: dict[str, AddressSet] = field(default_factory=dict)
    # VPCs with a CIDR block known only after apply (an IPAM pool's secondary block): their
    # addresses in ``vpcs`` are a part of them
    partial_vpcs: set[str] = field(default_factory=set)
    unknowns: list[Unknown] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)  # resource address -> source
    # HCL mode: (group address, direction) whose inline rules the configuration does not write
    # at all (no block, no attribute): "not managed", which matters against a --base revision
    omitted_inline: set[tuple[str, str]] = field(default_factory=set)
    # the inline block each inline rule is written in, where one block can be told (blocksites)
    rule_locations: dict[Rule, Location] = field(default_factory=dict)
    # inline rules whose block writes their peer as text (not from a variable): locate.py
    literal_rules: set = field(default_factory=set)
    # a group or rule resource made in a module: the module variables its configuration reads
    # (which arguments of the module call feed it: where a finding on it points)
    inputs: dict[str, frozenset] = field(default_factory=dict)
    # root module calls: "module.NAME" -> blocksites.CallSite (where a module's rule is changed)
    call_sites: dict[str, Any] = field(default_factory=dict)


# The end of every reason an attachment's public address gives when the subnet's route to an
# internet gateway is assumed, its route table not being in the plan (sources/routes.py).
ASSUMED_ROUTE = "an internet gateway route is assumed"


def assumed_routes(snap: "Snapshot") -> set[str]:
    """Resources public only by an internet gateway route assumed for a route table the plan
    does not hold: the side before of a change that makes the route known decided nothing."""
    return {a.resource for a in snap.attachments
            if ASSUMED_ROUTE in (a.public_reason or "") or ASSUMED_ROUTE in (a.public_v6_reason or "")}
