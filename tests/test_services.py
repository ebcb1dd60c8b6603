"""Service-owned groups and rules (issue 9 item 9): the table and ``service_effects``.

Expected values are derived by hand from the documentation each row cites:
[EKS-SG] EKS user guide, sec-group-reqs (cluster security group rules and members);
[EKS-LT] EKS user guide, launch-templates "Using custom security groups";
[EKS-FG] EKS user guide, fargate-getting-started (Fargate pods use the cluster group);
[RA] EKS API RemoteAccessConfig + provider docs eks_node_group remote_access (tcp 22, 3389 on
Windows, 0.0.0.0/0 without source groups); [AMI] EKS user guide eks-optimized-ami (default AMI
type is Amazon Linux); [NEW-SG] a new EC2 group's outbound rule is all traffic to 0.0.0.0/0;
API references for the VPC-default-group rows (CreateVpcEndpoint, CreateDBInstance, ...).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, exposures, flows, plan, run_tfsg, tfsg_json, validate_report
from tfsg.model import Address
from tfsg.netsets import services_for_rule
from tfsg.services import SERVICE_FACTS, is_service_group, service_group_key
from tfsg.sources.build import SnapshotBuilder
from tfsg.sources.document import load_document
from tfsg.sources.hcl.fill import SourceValues
from tfsg.sources.instances import Instance, split_sides
from tfsg.sources.refs import ConfigIndex
from tfsg.sources.services import HANDLERS, ServiceEffects, service_effects

TURN2 = Path(__file__).resolve().parents[2] / "shared" / "cases" / "turn2" / "eks_remote_access" / "plan.json"
CLUSTER_SG = "aws_eks_cluster.main (cluster security group)"
TCP22, TCP3389, ALL = services_for_rule("tcp", 22, 22), services_for_rule("tcp", 3389, 3389), \
    services_for_rule("-1", 0, 0)


def rules(effects: ServiceEffects) -> set[tuple[str, str, str, str, str]]:
    return {(r.group, r.direction, r.services.describe(), str(r.peer), r.defined_by) for r in effects.rules}


def unknowns(effects: ServiceEffects) -> set[tuple[str, str]]:
    return {(u.address, u.attribute) for u in effects.unknowns}


def effects_of(path: str, with_sources: bool = True) -> ServiceEffects:
    """The after side of a plan, read as ``load_plan`` reads it (with the .tf files beside it)."""
    doc = load_document(path)
    sides = split_sides(path, doc.data, doc.kind)
    variables = {k: v.get("value") for k, v in (doc.data.get("variables") or {}).items()}
    sources = SourceValues(str(Path(path).parent), variables, sides.after) if with_sources else None
    builder = SnapshotBuilder(sides.after, ConfigIndex(doc.data.get("configuration")), variables, sources=sources)
    builder.build()
    return service_effects(builder)


def inst(address: str, values: dict, unknown: object = None, action: str = "create") -> Instance:
    mode = "data" if address.startswith("data.") else "managed"
    typ, name = address.removeprefix("data.").split(".")
    return Instance(Address((), typ, name, None, mode), values, unknown or {}, action)


def effects(*instances: Instance) -> ServiceEffects:
    builder = SnapshotBuilder(list(instances), ConfigIndex(None), {})
    builder.build()
    return service_effects(builder)


NETWORK = (
    inst("aws_vpc.main", {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}),
    inst("aws_subnet.a", {"id": "subnet-a", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24",
                          "map_public_ip_on_launch": True}),
    inst("aws_subnet.b", {"id": "subnet-b", "vpc_id": "vpc-1", "cidr_block": "10.0.2.0/24",
                          "map_public_ip_on_launch": False}),
)
CLUSTER = inst("aws_eks_cluster.main", {"name": "demo", "vpc_config": [{"subnet_ids": ["subnet-a", "subnet-b"]}]},
               {"vpc_config": [{"cluster_security_group_id": True, "vpc_id": True}]})


def node_group(name: str = "workers", **values) -> Instance:
    base = {"cluster_name": "demo", "subnet_ids": ["subnet-a"], "launch_template": [], "remote_access": []}
    base.update(values)
    return inst(f"aws_eks_node_group.{name}", base)


# --------------------------------------------------------------------------- the table


def test_table_is_ordered_and_every_row_is_applied_and_sourced():
    keys = [(f.resource, f.argument) for f in SERVICE_FACTS]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    used = set()
    for fact in SERVICE_FACTS:
        assert fact.handler in HANDLERS, fact
        used.add(fact.handler)
        assert fact.effect in ("group", "membership", "default-group", "unknown"), fact
        assert re.search(r"https://docs\.aws\.amazon\.com/|website/docs/r/|awsdocs/", fact.source), fact
        assert fact.condition and fact.detail
        if fact.effect == "group":
            assert fact.group_key
        if fact.effect == "default-group":
            assert fact.vpc_from
        for spec in fact.rules:  # every rule of the table is one AWS understands
            services_for_rule(spec.protocol, spec.from_port, spec.to_port)
            assert spec.direction in ("ingress", "egress")
    assert used == set(HANDLERS)


def test_service_group_keys_are_recognisable():
    eks = next(f for f in SERVICE_FACTS if f.handler == "eks_cluster_group")
    assert service_group_key("aws_eks_cluster.main", eks) == CLUSTER_SG
    assert is_service_group(CLUSTER_SG) and is_service_group("aws_eks_node_group.x (remote access)")
    assert not is_service_group("aws_security_group.main")


# --------------------------------------------------------------------------- real plans


@pytest.mark.skipif(not TURN2.exists(), reason="../shared/cases/turn2 is not here")
def test_turn2_eks_remote_access():
    e = effects_of(str(TURN2))
    ra = "aws_eks_node_group.workers (remote access)"
    assert {g.key for g in e.groups} == {CLUSTER_SG, ra}
    assert rules(e) == {
        (CLUSTER_SG, "ingress", "all traffic", "self", "aws_eks_cluster.main"),  # [EKS-SG]
        (CLUSTER_SG, "egress", "all traffic", "0.0.0.0/0", "aws_eks_cluster.main"),  # [EKS-SG], ipv4 default
        (ra, "ingress", "tcp 22", "0.0.0.0/0", "aws_eks_node_group.workers"),  # [RA] key, no sources; [AMI]
        (ra, "egress", "all traffic", "0.0.0.0/0", "aws_eks_node_group.workers"),  # [NEW-SG]
    }
    # nodes without a launch template: cluster group [EKS-SG] and the remote-access group [RA];
    # the cluster's extra group goes on the control plane only [EKS-SG]
    assert e.memberships == {"aws_eks_cluster.main": [CLUSTER_SG],
                             "aws_eks_node_group.workers": [CLUSTER_SG, ra]}
    assert e.unknowns == []


def test_fixture_eks_services():
    e = effects_of(plan("eks_services"))
    linux, windows = "aws_eks_node_group.linux (remote access)", "aws_eks_node_group.windows (remote access)"
    assert {g.key for g in e.groups} == {CLUSTER_SG, linux, windows}
    cluster = next(g for g in e.groups if g.key == CLUSTER_SG)
    assert cluster.vpc_id == "aws_vpc.main" and cluster.id is None and cluster.change == "create"
    assert dict(cluster.tags) == {"aws:eks:cluster-name": "eks-services", "kubernetes.io/cluster/eks-services": "owned"}
    assert rules(e) == {
        (CLUSTER_SG, "ingress", "all traffic", "self", "aws_eks_cluster.main"),  # [EKS-SG]
        (CLUSTER_SG, "egress", "all traffic", "0.0.0.0/0", "aws_eks_cluster.main"),  # [EKS-SG]
        (linux, "ingress", "tcp 22", "0.0.0.0/0", "aws_eks_node_group.linux"),  # [RA] AL2023: Linux, no sources
        (linux, "egress", "all traffic", "0.0.0.0/0", "aws_eks_node_group.linux"),  # [NEW-SG]
        # [RA] WINDOWS_CORE_2022_x86_64: port 3389, from the source group only
        (windows, "ingress", "tcp 3389", "aws_security_group.bastion", "aws_eks_node_group.windows"),
        (windows, "egress", "all traffic", "0.0.0.0/0", "aws_eks_node_group.windows"),  # [NEW-SG]
    }
    assert e.memberships == {
        "aws_eks_cluster.main": [CLUSTER_SG],  # control-plane ENIs [EKS-SG]
        "aws_eks_fargate_profile.system": [CLUSTER_SG],  # [EKS-FG]
        "aws_eks_node_group.custom": ["aws_security_group.nodes"],  # template sets groups: no cluster group [EKS-LT]
        "aws_eks_node_group.linux": [CLUSTER_SG, linux],
        "aws_eks_node_group.windows": [CLUSTER_SG, windows],
    }
    assert e.unknowns == []
    # a reference to the cluster's attribute names the synthetic group
    assert e.key_for("aws_eks_cluster.main", ("vpc_config", 0, "cluster_security_group_id")) == CLUSTER_SG
    assert e.key_for("aws_eks_node_group.linux", ("resources", 0, "remote_access_security_group_id")) == linux


def test_without_sources_the_same_effects():
    """kubernetes_network_config is not written: plan JSON alone says so too (ipv4)."""
    with_sources = effects_of(plan("eks_services"))
    without = effects_of(plan("eks_services"), with_sources=False)
    assert rules(without) == rules(with_sources) and without.memberships == with_sources.memberships
    assert without.unknowns == []


def test_an_unknown_ip_family_gives_both_outbound_rules_and_an_egress_unknown():
    cluster = inst("aws_eks_cluster.main", {"name": "demo", "vpc_config": [{"subnet_ids": ["subnet-a"]}],
                                            "kubernetes_network_config": [{}]},
                   {"kubernetes_network_config": [{"ip_family": True}]})
    e = effects(*NETWORK, cluster)
    assert {r[3] for r in rules(e) if r[1] == "egress"} == {"0.0.0.0/0", "::/0"}  # [EKS-SG] 0.0.0.0/0 or ::/0
    assert [(u.attribute, u.scope) for u in e.unknowns] == [
        ("kubernetes_network_config[0].ip_family", ("egress", CLUSTER_SG))]


def test_other_fixtures_have_no_service_effects():
    """Every other fixture names the groups of its resources: nothing is added or reported."""
    for case in ("three_tier", "microservices_mesh", "module_dynamic", "vpc_rules", "traps", "hygiene", "ssh_open"):
        e = effects_of(plan(case))
        assert (e.groups, e.rules, e.memberships, e.unknowns) == ([], [], {}, []), case


# --------------------------------------------------------------------------- EKS by hand


def test_known_ids_and_ipv6_cluster():
    cluster = inst("aws_eks_cluster.main", {"name": "v6", "vpc_config": [{
        "cluster_security_group_id": "sg-0c1", "vpc_id": "vpc-1", "subnet_ids": ["subnet-a"]}],
        "kubernetes_network_config": [{"ip_family": "ipv6"}]}, action="no-op")
    group = node_group(remote_access=[{"ec2_ssh_key": "k", "source_security_group_ids": []}],
                       resources=[{"remote_access_security_group_id": "sg-0ra"}])
    e = effects(*NETWORK, cluster, group)
    ra = "aws_eks_node_group.workers (remote access)"
    assert {(g.key, g.id, g.vpc_id, g.change) for g in e.groups} == {
        (CLUSTER_SG, "sg-0c1", "aws_vpc.main", "no-op"), (ra, "sg-0ra", "aws_vpc.main", "create")}
    assert e.ids == {"sg-0c1": CLUSTER_SG, "sg-0ra": ra}
    # [EKS-SG]: an ipv6 cluster's default outbound rule is to ::/0
    assert (CLUSTER_SG, "egress", "all traffic", "::/0", "aws_eks_cluster.main") in rules(e)
    assert not any(r[3] == "0.0.0.0/0" for r in rules(e) if r[0] == CLUSTER_SG)
    # an empty source list is "no source group": 0.0.0.0/0 [RA]; no ami_type: Linux [AMI]
    assert (ra, "ingress", "tcp 22", "0.0.0.0/0", "aws_eks_node_group.workers") in rules(e)


def test_ami_type_decides_the_port_and_unknown_types_are_reported():
    cases = {None: {"tcp 22"}, "BOTTLEROCKET_ARM_64": {"tcp 22"}, "AL2_x86_64_GPU": {"tcp 22"},
             "WINDOWS_FULL_2019_x86_64": {"tcp 3389"}}
    for ami, expected in cases.items():
        e = effects(*NETWORK, CLUSTER, node_group(ami_type=ami, remote_access=[{"ec2_ssh_key": "k"}]))
        assert {r[2] for r in rules(e) if r[1] == "ingress" and "remote" in r[0]} == expected, ami
        assert e.unknowns == []
    e = effects(*NETWORK, CLUSTER, node_group(ami_type="CUSTOM", remote_access=[{"ec2_ssh_key": "k"}]))
    assert {r[2] for r in rules(e) if r[1] == "ingress" and "remote" in r[0]} == {"tcp 22", "tcp 3389"}
    assert unknowns(e) == {("aws_eks_node_group.workers", "ami_type")}
    unknown_ami = inst("aws_eks_node_group.workers", {"cluster_name": "demo", "subnet_ids": ["subnet-a"],
                                                      "launch_template": [], "remote_access": [{"ec2_ssh_key": "k"}]},
                       {"ami_type": True})
    e = effects(*NETWORK, CLUSTER, unknown_ami)
    assert unknowns(e) == {("aws_eks_node_group.workers", "ami_type")}
    assert e.unknowns[0].scope == ("ingress", "aws_eks_node_group.workers (remote access)")


def test_remote_access_conditions_the_plan_cannot_tell():
    unknown_key = inst("aws_eks_node_group.workers", {"cluster_name": "demo", "launch_template": [],
                                                      "remote_access": [{}]},
                       {"remote_access": [{"ec2_ssh_key": True}]})
    e = effects(*NETWORK, CLUSTER, unknown_key)
    assert unknowns(e) == {("aws_eks_node_group.workers", "remote_access[0].ec2_ssh_key")}
    assert not any("remote" in g.key for g in e.groups)
    # no key: no remote access; source groups without a key are not documented
    assert not any("remote" in g.key for g in effects(*NETWORK, CLUSTER, node_group(remote_access=[{}])).groups)
    e = effects(*NETWORK, CLUSTER, node_group(remote_access=[{"source_security_group_ids": ["sg-x"]}]))
    assert unknowns(e) == {("aws_eks_node_group.workers", "remote_access[0].source_security_group_ids")}
    # remote access with a launch template: EKS rejects the node group (CreateNodegroup)
    e = effects(*NETWORK, CLUSTER, node_group(remote_access=[{"ec2_ssh_key": "k"}],
                                              launch_template=[{"id": "lt-outside", "version": "1"}]))
    assert ("aws_eks_node_group.workers", "remote_access") in unknowns(e)
    assert not any("remote" in g.key for g in e.groups)


def test_source_groups_outside_the_plan_are_peers():
    e = effects(*NETWORK, CLUSTER, node_group(remote_access=[{"ec2_ssh_key": "k",
                                                              "source_security_group_ids": ["sg-0abc"]}]))
    ra = "aws_eks_node_group.workers (remote access)"
    assert (ra, "ingress", "tcp 22", "sg-0abc", "aws_eks_node_group.workers") in rules(e)
    assert not any(r[3] == "0.0.0.0/0" for r in rules(e) if r[0] == ra and r[1] == "ingress")


def test_launch_templates_decide_the_cluster_group():
    with_groups = inst("aws_launch_template.nodes", {"id": "lt-1", "name": "nodes", "vpc_security_group_ids": ["sg-n"],
                                                     "network_interfaces": []})
    without = inst("aws_launch_template.plain", {"id": "lt-2", "name": "plain", "vpc_security_group_ids": None,
                                                 "network_interfaces": []})
    in_nic = inst("aws_launch_template.nic", {"id": "lt-3", "name": "nic", "vpc_security_group_ids": None,
                                              "network_interfaces": [{"security_groups": ["sg-nic"]}]})
    e = effects(*NETWORK, CLUSTER, with_groups, without, in_nic,
                node_group("a", launch_template=[{"id": "lt-1", "version": "1"}]),
                node_group("b", launch_template=[{"name": "plain", "version": "1"}]),
                node_group("c", launch_template=[{"id": "lt-3", "version": "1"}]),
                node_group("d", launch_template=[{"id": "lt-elsewhere", "version": "1"}]))
    assert e.memberships["aws_eks_node_group.a"] == ["sg-n"]  # [EKS-LT]: no cluster group
    assert e.memberships["aws_eks_node_group.b"] == [CLUSTER_SG]  # no groups in the template [EKS-SG]
    assert e.memberships["aws_eks_node_group.c"] == ["sg-nic"]  # network-interface groups count too [EKS-LT]
    assert "aws_eks_node_group.d" not in e.memberships
    assert unknowns(e) == {("aws_eks_node_group.d", "launch_template[0]")}
    assert e.unknowns[0].scope == ("members", "aws_eks_node_group.d")  # only its memberships are in doubt


def test_clusters_outside_the_plan():
    existing = inst("data.aws_eks_cluster.shared", {"name": "shared", "vpc_config": [
        {"cluster_security_group_id": "sg-0shared"}]}, action="read")
    e = effects(*NETWORK, existing, node_group("a", cluster_name="shared"), node_group("b", cluster_name="elsewhere"),
                inst("aws_eks_fargate_profile.p", {"cluster_name": "elsewhere", "subnet_ids": ["subnet-b"]}))
    assert e.memberships == {"aws_eks_node_group.a": ["sg-0shared"]}  # the data source's group, outside the plan
    assert unknowns(e) == {("aws_eks_node_group.b", "cluster_name"), ("aws_eks_fargate_profile.p", "cluster_name")}


def test_key_for_normalises_indexes_and_splats():
    e = effects(*NETWORK, CLUSTER)
    assert e.key_for("aws_eks_cluster.main", ("vpc_config", "*", "cluster_security_group_id")) == CLUSTER_SG
    assert e.key_for("aws_eks_cluster.main", ("vpc_config", 0, "vpc_id")) is None
    assert e.key_for("aws_eks_cluster.other", ("vpc_config", 0, "cluster_security_group_id")) is None


# --------------------------------------------------------------------------- other services


DEFAULT_SG = inst("aws_default_security_group.main", {"vpc_id": "vpc-1", "ingress": [], "egress": []})


def test_vpc_default_group_when_no_group_is_given():
    endpoint = inst("aws_vpc_endpoint.api", {"vpc_id": "vpc-1", "vpc_endpoint_type": "Interface",
                                             "security_group_ids": []})
    gateway = inst("aws_vpc_endpoint.s3", {"vpc_id": "vpc-1", "vpc_endpoint_type": "Gateway", "security_group_ids": []})
    subnet_group = inst("aws_db_subnet_group.db", {"name": "db", "subnet_ids": ["subnet-a", "subnet-b"]})
    db = inst("aws_db_instance.db", {"engine": "postgres", "db_subnet_group_name": "db",
                                     "vpc_security_group_ids": None})
    aurora = inst("aws_db_instance.aurora", {"engine": "aurora-mysql", "db_subnet_group_name": "db",
                                             "vpc_security_group_ids": None})
    ecs = inst("aws_ecs_service.api", {"network_configuration": [{"subnets": ["subnet-b"], "security_groups": None}]})
    ecs_ec2 = inst("aws_ecs_service.bridge", {"network_configuration": []})  # no awsvpc block: no group at all
    e = effects(*NETWORK, DEFAULT_SG, endpoint, gateway, subnet_group, db, aurora, ecs, ecs_ec2)
    default = "aws_default_security_group.main"
    assert e.memberships == {"aws_vpc_endpoint.api": [default],  # CreateVpcEndpoint
                             "aws_db_instance.db": [default],  # CreateDBInstance (not Aurora)
                             "aws_ecs_service.api": [default]}  # AwsVpcConfiguration
    assert e.unknowns == []
    # the same without a managed default group: said, not guessed
    e = effects(*NETWORK, endpoint)
    assert unknowns(e) == {("aws_vpc_endpoint.api", "security_group_ids")}
    assert "does not manage" in e.unknowns[0].reason


def test_services_without_a_documented_default_are_reported():
    alb = inst("aws_lb.web", {"load_balancer_type": "application", "security_groups": None,
                              "subnets": ["subnet-a"]})
    nlb = inst("aws_lb.net", {"load_balancer_type": "network", "security_groups": None, "subnets": ["subnet-a"]})
    efs = inst("aws_efs_mount_target.a", {"subnet_id": "subnet-a", "security_groups": []})
    cache = inst("aws_elasticache_cluster.member", {"replication_group_id": "rg", "security_group_ids": []})
    e = effects(*NETWORK, alb, nlb, efs, cache)
    assert unknowns(e) == {("aws_lb.web", "security_groups"), ("aws_efs_mount_target.a", "security_groups")}
    assert e.memberships == {}


def test_classic_elb_in_the_default_vpc_gets_an_elb_group():
    default_vpc = inst("aws_default_vpc.d", {"id": "vpc-d", "cidr_block": "172.31.0.0/16"})
    default_subnet = inst("aws_default_subnet.d", {"id": "subnet-d", "vpc_id": "vpc-d", "cidr_block": "172.31.0.0/20"})
    elb_default = inst("aws_elb.d", {"subnets": ["subnet-d"], "security_groups": None})
    elb = inst("aws_elb.main", {"subnets": ["subnet-a"], "security_groups": None})
    e = effects(*NETWORK, DEFAULT_SG, default_vpc, default_subnet, elb_default, elb)
    assert e.memberships == {"aws_elb.main": ["aws_default_security_group.main"]}  # nondefault VPC
    assert unknowns(e) == {("aws_elb.d", "security_groups")}
    assert "default_elb_" in e.unknowns[0].reason


def test_directory_and_emr_groups():
    directory = inst("aws_directory_service_directory.ad", {"vpc_settings": [{"vpc_id": "vpc-1",
                                                                              "subnet_ids": ["subnet-a"]}]},
                     {"security_group_id": True})
    emr = inst("aws_emr_cluster.spark", {"ec2_attributes": [{"subnet_id": "subnet-a"}]},
               {"ec2_attributes": [{"emr_managed_master_security_group": True}]})
    e = effects(*NETWORK, directory, emr)
    key = "aws_directory_service_directory.ad (directory controllers)"
    assert [(g.key, g.vpc_id) for g in e.groups] == [(key, "aws_vpc.main")]
    assert e.memberships == {"aws_directory_service_directory.ad": [key]}
    assert e.rules == []  # documented with different sources: reported, not modelled
    assert unknowns(e) == {("aws_directory_service_directory.ad", "security_group_id"),
                           ("aws_emr_cluster.spark", "ec2_attributes[0].emr_managed_master_security_group")}


# --------------------------------------------------------------------------- end to end

_INTEGRATED = "service_effects" in "".join(f.read_text()
                                             for f in (ROOT / "tfsg" / "sources" / "build").glob("*.py"))
integrated = pytest.mark.skipif(not _INTEGRATED, reason="build.py does not call service_effects yet")


@integrated
def test_end_to_end_fixture():
    r = tfsg_json("show", plan("eks_services"), "--no-sources")
    linux = "aws_eks_node_group.linux (remote access)"
    # Linux nodes in public subnets (map_public_ip_on_launch) behind 0.0.0.0/0 on tcp 22 [RA]
    assert ("aws_eks_node_group.linux", "resource", "tcp", "22") in exposures(r["exposed"])
    assert not any(e["address"].startswith("aws_eks_node_group.windows") for e in r["exposed"])
    got = flows(r["flows"])
    assert ("0.0.0.0/0", linux, "tcp", "22") in got
    assert ("aws_security_group.bastion", "aws_eks_node_group.windows (remote access)", "tcp", "3389") in got
    # the cluster group reaches the custom nodes only through their own group's rule
    assert (CLUSTER_SG, "aws_security_group.nodes", "tcp", "10250") in got
    groups = {g["address"]: g["attached"] for g in r["groups"]}
    assert groups[CLUSTER_SG] == ["aws_eks_cluster.main", "aws_eks_fargate_profile.system",
                                  "aws_eks_node_group.linux", "aws_eks_node_group.windows"]
    # the node group launches from the template, which launches nothing itself: one node
    assert groups["aws_security_group.nodes"] == ["aws_eks_node_group.custom"]
    assert groups["aws_security_group.cluster_api"] == ["aws_eks_cluster.main"]
    assert r["unknown"] == []


@integrated
def test_end_to_end_hcl_mode_agrees():
    """The .tf files alone give the same service groups: an omitted block is no block."""
    r = tfsg_json("show", str(Path(plan("eks_services")).parent))
    assert ("aws_eks_node_group.linux", "resource", "tcp", "22") in exposures(r["exposed"])
    groups = {g["address"]: g["attached"] for g in r["groups"]}
    assert groups[CLUSTER_SG] == ["aws_eks_cluster.main", "aws_eks_fargate_profile.system",
                                  "aws_eks_node_group.linux", "aws_eks_node_group.windows"]
    assert groups["aws_security_group.nodes"] == ["aws_eks_node_group.custom"]
    assert not any(u["address"].startswith("aws_eks_") for u in r["unknown"])


@integrated
@pytest.mark.skipif(not TURN2.exists(), reason="../shared/cases/turn2 is not here")
def test_end_to_end_turn2_blocks_ssh_from_the_internet():
    proc = run_tfsg("check", str(TURN2), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    assert r["verdict"]["passed"] is False
    assert any(f["policy"] == "TFSG001" and f["address"] == "aws_eks_node_group.workers (remote access)"
               and f["introduced"] for f in r["findings"])
