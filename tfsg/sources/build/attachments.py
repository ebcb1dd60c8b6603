"""Who sits in which group: instances, interfaces, load balancers, borrowed groups.

The arguments that name each resource type's groups come from ``tfsg.attachments``;
association resources put a member elsewhere in a group; a resource that names no group
lands in its VPC's default group; some take the groups of another resource (``_borrowed``).
Each attachment also records where the resource sits and whether it is public (``Placements``).
"""

from __future__ import annotations

from typing import Any, Optional

from ...attachments import ASSOCIATIONS, LAUNCHED_ON_INTERFACES, attachment_table
from ...model import Attachment
from ..instances import Instance
from ..lbs import LB_TYPES
from ..placement import Placement, Placements
from ..refs import Lit, Res
from ..refs import path_text as _path_text
from .launches import LAUNCHERS, TEMPLATE_TYPES, LaunchesMixin

# Resources that AWS puts in the VPC's default group when the configuration names none.
DEFAULT_GROUP_TYPES = ("aws_instance", "aws_network_interface", "aws_spot_instance_request")
# What an Elastic IP or a group association names: an instance (or its primary interface), an
# interface, a VPC endpoint.
_MEMBERS = ("aws_instance", "aws_spot_instance_request", "aws_network_interface", "aws_vpc_endpoint")
# Cluster members that take their cluster's groups (and its address, through the instance's own
# subnet group).
# An Aurora Limitless shard group is the cluster's router endpoint and uses its groups (RDS API
# CreateDBShardGroup: "Access to the DB shard group is ultimately controlled by the security group
# it uses"); it names its cluster by db_cluster_identifier.
CLUSTER_MEMBERS = {"aws_rds_cluster_instance": "aws_rds_cluster", "aws_docdb_cluster_instance": "aws_docdb_cluster",
                   "aws_neptune_cluster_instance": "aws_neptune_cluster", "aws_rds_shard_group": "aws_rds_cluster"}
_CLUSTER_ATTR = {"aws_rds_shard_group": "db_cluster_identifier"}  # else cluster_identifier


class AttachmentsMixin(LaunchesMixin):
    """Fills ``snap.attachments``: one per resource in a group, and per load balancer."""

    def _attachments(self) -> None:
        self._scope = ("members", "")
        for inst in self.instances:
            if inst.type == "aws_launch_template" and inst.address.mode == "managed":
                known, latest = self.value(inst, ("latest_version",))
                if known and latest is not None:
                    self.snap.template_versions[inst.addr] = latest
        table = attachment_table()
        merged: dict[str, dict] = {}
        unread_groups: set[str] = set()  # groups set but not readable: not the default group
        for inst in self.instances:
            if inst.address.mode != "managed" or inst.type not in table:
                continue
            if inst.type in ASSOCIATIONS:
                self._association(inst, merged)
                continue
            keys: list[str] = []
            unread = False
            for spec in table[inst.type]:
                for path in self._expand(inst, spec.steps):
                    found, unk = self.group_keys(self.terms(inst, path, optional=True), spec.kind, inst)
                    keys += found
                    unread = unread or bool(unk)
                    for reason in unk:
                        self.unknown(inst.addr, _path_text(path), reason)
            if keys:
                entry = merged.setdefault(inst.addr, {"inst": inst, "groups": []})
                entry["groups"] += keys
            elif unread:
                unread_groups.add(inst.addr)
            elif inst.type == "aws_network_interface":
                self._default_member(inst, merged)  # before instances launched on it borrow its groups
        enis = self._template_enis(merged, unread_groups)
        templates: dict[str, Instance] = {}  # launcher -> the launch template it launches from
        lent: set[str] = set()
        own = {addr for addr, entry in merged.items() if entry["groups"]}
        by_addr = {i.addr: i for i in self.instances}
        borrowing: set[str] = set()  # what takes groups from another resource (not the default group)
        for inst in self.instances:  # groups taken from another resource (see _borrowed)
            if inst.address.mode != "managed":
                continue
            for lender in self._borrowed(inst):
                lender_inst = by_addr.get(lender)
                if lender_inst is not None and lender_inst.type in TEMPLATE_TYPES:
                    templates.setdefault(inst.addr, lender_inst)
                    lent.add(lender)
                else:
                    borrowing.add(inst.addr)  # an interface, a cluster
                if lender in unread_groups:
                    unread_groups.add(inst.addr)
                if lender in merged:
                    lent_groups = merged[lender]["groups"]
                    if lender_inst is not None and lender_inst.type in TEMPLATE_TYPES:
                        if inst.addr in own:
                            continue  # an instance's own groups override its template's (RunInstances)
                        versioned = self.launched_groups(inst, lender_inst, lent_groups)  # its version
                        if versioned is None:
                            unread_groups.add(inst.addr)
                            continue
                        lent_groups = versioned
                    entry = merged.setdefault(inst.addr, {"inst": inst, "groups": []})
                    entry["groups"] += lent_groups
        if self.services is not None:  # groups AWS puts resources in (tfsg/services.py)
            for addr, keys in self.services.memberships.items():
                merged.setdefault(addr, {"inst": by_addr[addr], "groups": []})["groups"] += keys
            lent.update(t for group, t in self.services.launches_from.items() if group in merged)
        for inst in self.instances:
            # Launched with no group anywhere (neither its own, nor its template's, nor a
            # service's): EC2 puts the instances in the VPC's default group (RunInstances,
            # SecurityGroupIds: "If you don't specify a security group ID, we use the default
            # security group for the VPC"); an Auto Scaling group's instances as well.
            if inst.address.mode == "managed" and inst.addr not in merged and inst.addr not in unread_groups \
                    and inst.addr not in borrowing and inst.addr not in self._outside_templates \
                    and (inst.type in ("aws_instance", "aws_spot_instance_request")
                         or (inst.type in ("aws_autoscaling_group", "aws_spot_fleet_request", "aws_ec2_fleet")
                             and inst.addr in templates)):
                self._default_member(inst, merged)
        self._groupless(table, merged, unread_groups | borrowing | set(templates) | lent)
        # A launch template launches nothing itself: the Auto Scaling groups and node groups that
        # launch from it stand for its instances (one node per group of instances, not two).
        for addr in lent:
            merged.pop(addr, None)
        for inst in self.instances:  # a load balancer without groups (an NLB) is still a hop
            if inst.type in LB_TYPES and inst.address.mode == "managed":
                merged.setdefault(inst.addr, {"inst": inst, "groups": []})
        self.snap.host_links = sorted(set(self._host_links()) | {
            (eni.addr, launcher) for launcher, t in templates.items() if launcher in merged
            for eni in enis.get(t.addr, ((), None))[0]})
        eips = self._elastic_ip_targets()
        several_vpcs = len(self.snap.vpcs) > 1  # routes between VPCs matter (graph/interfaces.py)
        for addr in sorted(merged):
            entry = merged[addr]
            inst = entry["inst"]
            groups = tuple(sorted(set(entry["groups"])))
            if isinstance(inst, Instance):
                place = self._placement(inst)
                if not place.subnets and addr in templates and inst.type in ("aws_instance",
                                                                             "aws_spot_instance_request"):
                    place = self._placement(templates[addr])  # no subnet_id: the template's interface's
                cluster = next(iter(self.cluster_of(inst)), None) if inst.type in CLUSTER_MEMBERS else None
                if cluster is not None:
                    self.snap.cluster_links.append((addr, cluster.addr))
                template = templates.get(addr) or self._node_group_template(inst)
                (public, reason), (public6, reason6) = self._placements.public(  # type: ignore[union-attr]  # set by _placement
                    inst, place, eips.get(addr), template, cluster)
                eth0_eni = enis.get(template.addr, ((), None))[1] if template is not None else None
                if eth0_eni is not None and addr not in own:
                    # launched on an existing interface as eth0: the instance sits in its subnet,
                    # and an existing interface gets no public IPv4 at launch ("can only be
                    # assigned to a new network interface, not an existing one": EC2 API
                    # InstanceNetworkInterfaceSpecification AssociatePublicIpAddress); what the
                    # interface has (an Elastic IP, IPv6) reaches it through host_links
                    place = self._placement(eth0_eni)
                    public, reason = (True, f"Elastic IP {eips[addr]} is associated with it") if addr in eips \
                        else (False, LAUNCHED_ON_INTERFACES)
                    public6, reason6 = False, LAUNCHED_ON_INTERFACES
                source = templates.get(addr) if addr not in own else None
                if inst.type == "aws_launch_template":
                    source = inst
                eth0 = self.public_interface_groups(source) if source is not None and \
                    source.type == "aws_launch_template" else None
                placements = self._placements
                routes = placements.beyond_routes() if several_vpcs and placements is not None else None
                self.snap.attachments.append(Attachment(addr, inst.type, groups, public, reason, place.addresses,
                                                        place.vpc, public6, reason6,
                                                        eth0 if eth0 and set(eth0) <= set(groups) else None,
                                                        routes.of_subnets(place.subnets) if routes else None,
                                                        routes.carried_by(place.subnets) if routes else (),
                                                        routes.translated(place.subnets) if routes else ()))
            else:
                self.snap.attachments.append(Attachment(addr, "aws_network_interface", groups, None,
                                                        "a network interface outside this plan", None, None, None,
                                                        "a network interface outside this plan"))

    def _template_enis(self, merged: dict, unread: set[str]) -> dict[str, tuple[list[Instance], Optional[Instance]]]:
        """Launch templates that name existing network interfaces (launches.template_interfaces):
        the template takes their groups, lent on to what launches from it; an interface the plan
        does not hold leaves the groups unknown (never "no group": the default group)."""
        out: dict[str, tuple[list[Instance], Optional[Instance]]] = {}
        for inst in self.instances:
            if inst.type != "aws_launch_template" or inst.address.mode != "managed":
                continue
            found, eth0, outside = self.template_interfaces(inst)
            for eni in found:
                if eni.addr in merged:
                    merged.setdefault(inst.addr, {"inst": inst, "groups": []})["groups"] += merged[eni.addr]["groups"]
                elif eni.addr in unread:
                    unread.add(inst.addr)
            for name in outside:
                unread.add(inst.addr)
                self.unknown(inst.addr, "network_interfaces.network_interface_id",
                             f"launches on network interface {name}, which this plan does not hold: the groups "
                             "of what launches from it are that interface's, unknown here")
            if found:
                out[inst.addr] = (found, eth0)
        return out

    def _groupless(self, table: dict, merged: dict, accounted: set[str]) -> None:
        """A resource that can be in groups, placed in subnets of a VPC, with no group read and no
        row of tfsg.services saying what AWS does then: AWS gives its network interfaces some
        group (most services: the VPC's default group), which the plan does not name. Never
        silently in no group: an unknown on its members, which the policies see."""
        from ...services import SERVICE_FACTS

        described = {f.resource for f in SERVICE_FACTS}
        said = {u.address for u in self.snap.unknowns}
        for inst in self.instances:
            if inst.address.mode != "managed" or inst.type not in table or inst.type in ASSOCIATIONS \
                    or inst.type in described or inst.type in TEMPLATE_TYPES or inst.type in LB_TYPES \
                    or inst.type in DEFAULT_GROUP_TYPES or inst.type in CLUSTER_MEMBERS \
                    or inst.addr in merged or inst.addr in accounted or inst.addr in said:
                continue
            if not self._placement(inst).subnets:
                continue  # not placed in a VPC by this plan (a Lambda function without vpc_config)
            spec = table[inst.type][0]
            self.unknown(inst.addr, ".".join(s for s in spec.steps if s != "[]"),
                         f"no security group is set and tfsg knows no documented default for {inst.type}: AWS gives "
                         "its network interfaces a group this plan does not name (most services: the VPC's default "
                         "group)", ("default-members", inst.addr))

    def _node_group_template(self, inst: Instance) -> Optional[Instance]:
        """The launch template an EKS managed node group launches from: its nodes' public IPv4
        is the template's first interface's ``associate_public_ip_address`` when set, else their
        subnets' (EC2 API RunInstances; EKS user guide, "Customize managed nodes with launch
        templates" forbids only a subnet in the template). Its groups are services.py's."""
        if inst.type != "aws_eks_node_group":
            return None
        for attr in ("id", "name"):
            for template in self.referenced(inst, ("launch_template", 0, attr), ("aws_launch_template",)):
                return template
        return None

    def _borrowed(self, inst: Instance) -> list[str]:
        """Resources whose groups ``inst`` takes: an auto scaling group its launch template's;
        an Aurora/DocumentDB/Neptune instance its cluster's (RDS API CreateDBInstance: for
        Aurora the groups "are managed by the DB cluster"); an instance launched with existing
        network interfaces (``network_interface`` blocks) those interfaces' groups."""
        if inst.type in CLUSTER_MEMBERS:
            return [c.addr for c in self.cluster_of(inst)]
        out = self.launch_templates(inst) if inst.type in LAUNCHERS else []
        if inst.type in ("aws_instance", "aws_spot_instance_request"):
            for path in self._expand(inst, ("network_interface", "[]", "network_interface_id")):
                out += [i.addr for i in self.referenced(inst, path, ("aws_network_interface",))]
        return out

    def _host_links(self) -> list[tuple[str, str]]:
        """(network interface, instance) for each interface made on its own and attached to an
        instance (``aws_network_interface_attachment``, the interface's ``attachment`` blocks, the
        instance's ``network_interface`` blocks): the instance is reachable at that interface's
        addresses too (EC2 user guide, "Elastic
        network interfaces": a secondary interface keeps its own groups and addresses)."""
        links: set[tuple[str, str]] = set()

        def named(inst: Instance, path: tuple, kind: str) -> list[str]:
            return [i.addr for i in self.referenced(inst, path, (kind,))]  # by reference or known id

        for inst in self.instances:
            if inst.address.mode != "managed":
                continue
            if inst.type == "aws_network_interface_attachment":
                for eni in named(inst, ("network_interface_id",), "aws_network_interface"):
                    links.update((eni, host) for host in named(inst, ("instance_id",), "aws_instance"))
            elif inst.type == "aws_network_interface":
                for path in self._expand(inst, ("attachment", "[]")):
                    links.update((inst.addr, host) for host in named(inst, path + ("instance",), "aws_instance"))
            elif inst.type in ("aws_instance", "aws_spot_instance_request"):  # launched on them
                for path in self._expand(inst, ("network_interface", "[]")):
                    links.update((eni, inst.addr) for eni in named(inst, path + ("network_interface_id",),
                                                                   "aws_network_interface"))
        return sorted(links)

    def _association(self, inst: Instance, merged: dict) -> None:
        keys, unk = self.group_keys(self.terms(inst, ("security_group_id",)))
        for reason in unk:
            self.unknown(inst.addr, "security_group_id", reason)
        member_attr = ASSOCIATIONS[inst.type]
        member: Any = inst.addr
        for term in self.terms(inst, (member_attr,)):
            if isinstance(term, Res):
                member = term.instance
            elif isinstance(term, Lit) and isinstance(term.value, str):
                member = term.value
        if isinstance(member, str):  # a known id: a resource of the plan that exists already
            found = self._members_named(inst, member_attr)
            member = found[0] if found else member
        addr = member.addr if isinstance(member, Instance) else member
        entry = merged.setdefault(addr, {"inst": member, "groups": []})
        entry["groups"] += keys

    def _members_named(self, inst: Instance, attr: str) -> list[Instance]:
        """The plan's members an attribute names by a known id. An interface's id is also the
        primary_network_interface_id of the instance launched on it: an attribute that names a
        network interface means the interface resource, when the plan has one."""
        if attr.startswith("network_interface"):
            found = self.referenced(inst, (attr,), ("aws_network_interface",))
            if found:
                return found
        return self.referenced(inst, (attr,), _MEMBERS)

    def _default_member(self, inst: Instance, merged: dict) -> None:
        default = self._vpc_default_group(inst)
        if default:
            merged.setdefault(inst.addr, {"inst": inst, "groups": []})["groups"].append(default)

    def _vpc_default_group(self, inst: Instance) -> Optional[str]:
        """An instance or interface launched without groups gets its VPC's default group."""
        key = self.vpc_default_key(self._placement(inst).vpc)
        if key is not None:
            return key
        # a group outside the plan: changes none of its groups
        self.unknown(inst.addr, "vpc_security_group_ids",
                     "no group is set, so AWS puts it in its VPC's default group, which this plan does not manage",
                     ("none", ""))
        return None

    def _elastic_ip_targets(self) -> dict[str, str]:
        """Instances and interfaces that get an Elastic IP (aws_eip, aws_eip_association)."""
        out: dict[str, str] = {}
        associated: set[str] = set()  # EIPs an association resource of this side names
        targets = ("instance", "instance_id", "network_interface", "network_interface_id")
        for inst in self.instances:
            if inst.address.mode != "managed":
                continue
            eips = self.referenced(inst, ("allocation_id",), ("aws_eip",)) if inst.type == "aws_eip_association" \
                else [inst] if inst.type == "aws_eip" and (inst.action == "delete" or any(
                    self.config.written(inst.address, a) for a in targets)) else []  # (deleted: not configured)
            for eip in eips:
                if eip is not inst:
                    associated.add(eip.addr)
                known, ip = self.value(eip, ("public_ip",))
                if known and isinstance(ip, str) and ip:
                    # (an EIP this apply deletes or moves leaves its address read back in the
                    # instance it was on: placement.py hides it there)
                    self.snap.eip_links[eip.addr] = ip
        gone = set(self.prior.eip_links) - associated if self.prior is not None else set()
        for inst in self.instances:
            if inst.type not in ("aws_eip", "aws_eip_association") or inst.address.mode != "managed":
                continue
            for attr in targets:
                if (inst.addr in gone or inst.addr in associated) and not self.config.written(inst.address, attr):
                    # read back from AWS while an association held it: the association this side
                    # has (or none, when this apply removes it) says where the address is now
                    continue
                for term in self.terms(inst, (attr,), optional=True):
                    if isinstance(term, Res):
                        out.setdefault(term.instance.addr, inst.addr)
                for target in self._members_named(inst, attr):  # by a known id
                    out.setdefault(target.addr, inst.addr)
        return out

    def _placement(self, inst: Instance) -> Placement:
        if self._placements is None:
            self._placements = Placements(self)
        place = self._placements.of(inst)
        if place.addresses is None and inst.type in CLUSTER_MEMBERS \
                and not self.config.written(inst.address, "db_subnet_group_name"):
            # no subnet group of its own: the instance sits in its cluster's (RDS API
            # CreateDBInstance, DBSubnetGroupName: not applicable to Aurora instances)
            for cluster in self.cluster_of(inst):
                return self._placements.of(cluster)
        return place

    def cluster_of(self, inst: Instance) -> list[Instance]:
        """The cluster an Aurora/DocumentDB/Neptune instance belongs to: by reference, or by
        its literal identifier (``cluster_identifier = "orders"``, as the cluster's own
        ``cluster_identifier`` says, which is also its id)."""
        cluster = CLUSTER_MEMBERS[inst.type]
        out: list[Instance] = []
        for t in self.terms(inst, (_CLUSTER_ATTR.get(inst.type, "cluster_identifier"),), optional=True):
            if isinstance(t, Res) and t.instance.type == cluster:
                out.append(t.instance)
            elif isinstance(t, Lit) and isinstance(t.value, str) and t.value:
                out += [c for c in self.indexed((cluster,), ("cluster_identifier", "id")).get(t.value, [])
                        if self.same_region(c, inst)]  # identifiers are unique per Region
        return out
