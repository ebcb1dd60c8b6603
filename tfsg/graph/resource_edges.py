"""Resource-level edges of the path search, answered on demand (``DiGraph(more=...)``).

The internet reaches what it can address (exposures, listeners of internet-facing load
balancers); a resource ``m`` reaches ``n`` on what ``m``'s aggregated egress allows to ``n``
and ``n``'s aggregated ingress admits from ``m`` (resources.py); a load balancer reaches its
registered targets (hops.py), and only them when the plan holds them all; an instance is one
host with the network interfaces attached to it; nothing connects to a Lambda function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..netsets import ALL_SERVICES, NO_SERVICES, ServiceSet, services_for_rule
from .records import INTERNET, LOAD_BALANCERS
from .relays import STORE_TYPES

if TYPE_CHECKING:
    from . import FlowGraph

# Resources nothing can open a connection to, whatever their groups admit: a Lambda function's
# interfaces carry its outbound traffic only (Lambda developer guide, "Connecting Lambda
# functions to your VPC": connectivity from the function to the VPC, not the other way).
NO_INBOUND = ("aws_lambda_function",)
# Resources that only answer: an interface VPC endpoint and an EFS mount target open no
# connection to the VPC's resources (PrivateLink guide, "interface endpoints"; EFS user guide,
# "mount targets"), so no path continues from them.
NO_OUTBOUND = ("aws_vpc_endpoint", "aws_efs_mount_target")
# Resources that connect onwards only to databases: an RDS proxy and its endpoints open
# connections to the proxy's registered instances and clusters (RDS user guide, "RDS Proxy").
TO_DATABASES = {"aws_db_proxy": ("aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance"),
                "aws_db_proxy_endpoint": ("aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance")}

# What a target group of type instance takes (ELB API RegisterTargets: an instance id): the
# resources that stand for EC2 instances (an Auto Scaling group's, a node group's, a container
# instance running tasks in bridge or host mode, an instance's own interface).
INSTANCE_TARGETS = ("aws_instance", "aws_spot_instance_request", "aws_autoscaling_group", "aws_launch_template",
                    "aws_launch_configuration", "aws_eks_node_group", "aws_spot_fleet_request",
                    "aws_ec2_fleet", "aws_batch_compute_environment", "aws_elastic_beanstalk_environment",
                    "aws_emr_cluster", "aws_network_interface")


class ResourceEdges:
    """Resource-level edges on demand (``DiGraph(more=...)``)."""

    def __init__(self, graph: "FlowGraph") -> None:
        self.graph = graph
        self.atts = {a.resource: a for a in graph.snap.attachments}
        # one object per distinct address bound: the per-bound caches below are then hit by
        # identity, not by comparing equal interval sets (members of one subnet share a bound)
        canonical: dict = {}
        self.bound = {a.resource: canonical.setdefault(a.addresses, a.addresses) for a in graph.snap.attachments}
        self._succ: dict[str, dict[str, ServiceSet]] = {}
        self._internet: Optional[dict[str, ServiceSet]] = None
        self._by_block: Optional[dict] = None
        self._sorted: dict[str, list[str]] = {}
        self._info: dict[str, tuple] = {}
        # interfaces made on their own and attached to an instance: the same host (EC2 user
        # guide, "Elastic network interfaces"), reached at either address, sending from either
        self.host_of: dict[str, str] = {}
        self.interfaces_of: dict[str, list[str]] = {}
        # an Aurora (DocumentDB, Neptune) cluster and its instances: the same interfaces
        self.one_resource: dict[str, set[str]] = {}
        for member, cluster in graph.snap.cluster_links:
            self.one_resource.setdefault(member, set()).add(cluster)
            self.one_resource.setdefault(cluster, set()).add(member)
        # load balancers without groups (a Network Load Balancer made without them): "all client
        # traffic can reach the Network Load Balancer listeners" (ELB guide, "Update the security
        # groups for your Network Load Balancer"), from inside the VPC too: any sender's egress decides
        self.open_lbs = {a.resource for a in graph.snap.attachments
                         if not a.groups and a.type in LOAD_BALANCERS and a.resource in graph.snap.lb_ports}
        self.served = graph.served_ports()
        for eni, host in sorted(graph.snap.host_links):
            if eni != host:
                self.host_of[eni] = host
                self.interfaces_of.setdefault(host, []).append(eni)

    def _from_internet(self) -> dict[str, ServiceSet]:
        if self._internet is None:
            out: dict[str, ServiceSet] = {}
            for e in self.graph.exposures:
                if e.kind == "resource" and e.listener is None and not e.endpoint:
                    out[e.address] = out.get(e.address, NO_SERVICES) | e.services
            self._internet = out  # (exposures are narrowed to a data store's own ports already)
        return self._internet

    def successors(self, node: str) -> list[str]:
        """The hops a path search takes from ``node``: none from a managed data store, which
        ends a path and never relays one (relays.py); its flows stay in ``edges_of``."""
        hit = self._sorted.get(node)
        if hit is None:
            hit = self._sorted[node] = [] if self._ends(node) else sorted(self.edges_of(node))
        return hit

    def _ends(self, node: str) -> bool:
        att = self.atts.get(node)
        return att is not None and att.type in STORE_TYPES

    def _candidates(self, m) -> set[str]:
        """Resources whose ingress may admit ``m``: members of the groups that name one of its
        groups, or that admit a block that may hold its addresses (per distinct bound: the
        members of a subnet share it)."""

        graph = self.graph
        if self._by_block is None:
            self._named_by: dict[str, set[str]] = {}
            for g, others in graph.refs["ingress"].items():
                for other in others:
                    self._named_by.setdefault(other, set()).add(g)
            self._by_block = {}
            for g, entries in graph.cidrs["ingress"].items():
                for _, block, _ in entries:
                    self._by_block.setdefault(block, set()).add(g)
            self._by_bound: dict = {}
        out = set(self._held(self.bound[m.resource]))
        for _, source in m.beyond_nat:  # what it sends through a NAT gateway arrives from the gateway
            out |= self._held(source)
        for group in m.groups:
            for g in self._named_by.get(group, ()):
                out.update(a.resource for a in graph.members.get(g, ()))
        return out

    def _held(self, bound: Any) -> set[str]:
        """The members of the groups that admit a block which may hold ``bound``, once per bound."""
        from .coverage import overlaps

        held = self._by_bound.get(bound)
        if held is None:
            groups: set[str] = set()
            for block, admitting in self._by_block.items():  # type: ignore[union-attr]  # set by _candidates
                if block and overlaps(block, bound):
                    groups |= admitting
            held = self._by_bound[bound] = {a.resource for g in groups for a in self.graph.members.get(g, ())}
        return held

    def _receiving(self, name: str) -> tuple:
        """A receiver's bound, groups and aggregated ingress (references per named group, the
        CIDR part per sender bound), in one lookup."""
        hit = self._info.get(name)
        if hit is None:
            from .resources import aggregate

            n = self.atts[name]
            hit = self._info[name] = (self.bound[name], n.groups) + aggregate(self.graph, "ingress", n)
        return hit

    def predecessors(self, node: str) -> list[str]:  # not needed for searches from the internet
        return []

    def services(self, a: str, b: str) -> ServiceSet:
        """What hop ``a -> b`` of a path carries (nothing out of a managed data store)."""
        return NO_SERVICES if self._ends(a) else self.edges_of(a).get(b, NO_SERVICES)

    def edges_of(self, node: str) -> dict[str, ServiceSet]:
        hit = self._succ.get(node)
        if hit is not None:
            return hit
        graph, atts = self.graph, self.atts
        out: dict[str, ServiceSet] = {}
        if node == INTERNET:
            out = dict(self._from_internet())
        elif node in self.atts:
            from .resources import aggregate, cidr_part

            m = atts[node]
            out.update(graph.hops.lb_targets.get(node, {}))
            if node in graph.snap.lb_closed and (m.type in LOAD_BALANCERS or node in graph.snap.open_fronts):
                # a load balancer opens connections only to the registered targets of its
                # listeners (and their health checks): clients cannot make it connect anywhere
                # else, whatever its groups' egress allows (ELB guide, "How Elastic Load
                # Balancing works"). Known only when the plan holds all its listeners and targets.
                self._succ[node] = out = self._same_host(node, out)
                return out
            if m.type in NO_OUTBOUND:
                self._succ[node] = out = self._same_host(node, out)
                return out
            only: Optional[tuple[str, ...]] = TO_DATABASES.get(m.type)
            if node in graph.snap.lb_instance_targets:
                only = INSTANCE_TARGETS
            candidates = {c for c in self._candidates(m) | self.open_lbs if atts[c].type not in NO_INBOUND
                          and (only is None or atts[c].type in only)}
            candidates.discard(node)
            # resources.allowed() in both directions, inlined: this loop runs once per
            # (sender, candidate receiver) pair of the search, hundreds of thousands on a large
            # plan (each CIDR part is cached per bound; a side with no references skips their loop).
            e_named, e_cidr = aggregate(graph, "egress", m)
            m_groups, m_bound = m.groups, self.bound[node]
            receiving = self._receiving
            lb_ports, served = graph.snap.lb_ports, self.served
            if len(graph.snap.vpcs) > 1:  # overlapping or unconnected VPCs: no packet between them (interfaces.py)
                candidates = {c for c in candidates if not graph.where.resources_apart(m, atts[c])}
            open_lbs = self.open_lbs
            for name in candidates:
                n_bound, n_groups, i_named, i_cidr = receiving(name)
                inbound = ALL_SERVICES if name in open_lbs else i_cidr.get(m_bound)
                if inbound is None:
                    inbound = cidr_part(graph, "ingress", atts[name], m_bound)
                if i_named:
                    for h in m_groups:
                        got = i_named.get(h)
                        if got is not None:
                            inbound = inbound | got
                if m.beyond_nat and n_bound is not None:
                    inbound = inbound | self._translated(m, atts[name], n_bound)
                if not inbound._any:
                    continue
                outbound = e_cidr.get(n_bound)
                if outbound is None:
                    outbound = cidr_part(graph, "egress", m, n_bound)
                if e_named:
                    for h in n_groups:
                        got = e_named.get(h)
                        if got is not None:
                            outbound = outbound | got
                services = inbound & outbound
                if name in lb_ports:  # a load balancer answers on its listeners' ports only
                    services = services & lb_ports[name]
                if name in served:
                    services = services & served[name]
                if services._any:
                    out[name] = out[name] | services if name in out else services
            out = self._same_host(node, out)
            for same in self.one_resource.get(node, ()):
                out.pop(same, None)  # a cluster's endpoints resolve to its instances: not a hop
        self._succ[node] = out
        return out

    def _translated(self, m: Any, n: Any, n_bound: Any) -> ServiceSet:
        """What ``n`` admits from the NAT gateways ``m`` reaches it through (another VPC's
        resource, an address behind the gateway's route): their addresses, not ``m``'s. Both
        ways are kept where both may apply (fail closed)."""
        from .resources import cidr_part

        out = NO_SERVICES
        if n.vpc_id is None or n.vpc_id == m.vpc_id:
            return out
        for dest, source in m.beyond_nat:
            if dest.overlaps(n_bound):
                out = out | cidr_part(self.graph, "ingress", n, source)
        return out

    def _same_host(self, node: str, out: dict[str, ServiceSet]) -> dict[str, ServiceSet]:
        """A sender that reaches an attached interface reaches its instance on the same services
        (a hop ``-> instance`` then continues as the instance); an instance also sends from each
        interface attached to it (that interface's groups and address)."""
        if not self.host_of:
            return out
        own = self.interfaces_of.get(node, [])
        for same in own + ([self.host_of[node]] if node in self.host_of else []):
            out.pop(same, None)  # one machine: not a connection over the network
        for eni in [n for n in out if n in self.host_of]:
            host = self.host_of[eni]
            if host != node:
                out[host] = out[host] | out[eni] if host in out else out[eni]
        for eni in own:
            for other, services in self.edges_of(eni).items():
                if other != node and other not in own:
                    out[other] = out[other] | services if other in out else services
        return out


def served_services(snap: Any) -> dict[str, ServiceSet]:
    """A managed data store answers on its service ports only (sources/store_ports.py): an
    ElastiCache node on 6380 behind a rule for 6379 is reached on nothing; an Aurora instance
    serves its cluster's port. ``{resource: its TCP services}`` for the stores that serve those only."""
    members: dict[str, list[str]] = {}
    for member, cluster in snap.cluster_links:
        members.setdefault(member, []).append(cluster)
    out: dict[str, ServiceSet] = {}
    for a in snap.attachments:
        owner = a.resource if a.resource in snap.store_ports else \
            next((c for c in sorted(members.get(a.resource, ())) if c in snap.store_ports), None)
        if owner is not None and owner in snap.store_only:
            served = NO_SERVICES
            for port in snap.store_ports[owner]:
                served = served | services_for_rule("tcp", port, port)
            out[a.resource] = served
    return out
