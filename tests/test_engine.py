"""Engine v2 (issue 10): reachability as AWS evaluates it, per network interface.

Fixtures: fixtures/engine_multi_group, engine_nlb, engine_ip_family, engine_interfaces (create
plans) and engine_add_group (update plan, applied to moto). Every expectation below is derived
by hand from the .tf files beside each plan and from AWS documentation, never from tfsg's
output. The rule each one rests on is cited by its tag:

[AGG]     EC2 user guide, security groups: when several security groups are associated with a
          network interface (an instance, a Lambda ENI, an RDS instance, ...), their rules are
          aggregated into one set of rules, and that set decides. So an interface may send what
          ANY of its groups' egress rules allow, and accepts what ANY of its groups' ingress
          rules admit.
[REF]     VPC user guide, security group rules: a rule naming a security group admits the
          private addresses of the network interfaces associated with that group.
[CIDR]    A CIDR rule admits every address in the block, private ones included (a load
          balancer's private node addresses inside 0.0.0.0/0 among them).
[NOEGR]   A group with no egress rule allows no outbound traffic (Terraform revokes AWS's
          default allow-all egress rule when it creates a group without `egress`).
[NLBSG]   ELB, "Update the security groups for your Network Load Balancer": if you don't
          associate a security group with a Network Load Balancer, all client traffic can reach
          its listeners and all traffic can leave it (the targets' groups decide).
[NLBCIP]  ELB, NLB target group attributes, client IP preservation: default enabled for
          target_type instance (any protocol), and for ip targets with UDP/TCP_UDP; disabled
          for ip targets with TCP/TLS. "When you disable client IP preservation, the source IP
          address is the private IP address of the Network Load Balancer."
[SCHEME]  ELB: an internet-facing load balancer's nodes have public addresses; an internal
          one's nodes have only private addresses, so the internet cannot reach it.
[ALB]     ELB, security groups for your Application Load Balancer: the ALB connects to its
          registered targets on the target port from its private addresses; the targets'
          groups must admit those (a reference to the ALB's group, or a CIDR holding them).
[LB]      A load balancer forwards from a listener's port to the target groups its actions
          name, on the target port (aws_lb_target_group_attachment.port, else the group's port).
[IGW]     VPC user guide, route tables / internet gateways: an address is reachable from the
          internet only when its subnet's route table (the explicitly associated one, else the
          VPC's main route table) routes that address family to an internet gateway. IPv4 and
          IPv6 routes are separate: 0.0.0.0/0 does not cover ::/0.
[EIGW]    VPC user guide, egress-only internet gateway: outbound IPv6 only; it "prevents hosts
          outside of your VPC from initiating an IPv6 connection with your instance".
[NAT]     A NAT gateway lets a subnet's instances open connections out; nothing from the
          internet is routed in through it.
[V6PUB]   IPv6 addresses are globally unique (public): an interface with an IPv6 address in a
          subnet routing ::/0 to an internet gateway is reachable over IPv6 when its groups
          admit the source. A VPC without an IPv6 block gives no interface an IPv6 address.
[PUBIP]   EC2 API, AssociatePublicIpAddress / subnet MapPublicIpOnLaunch: a public IPv4
          address "can only be assigned to a network interface for eth0, and can only be
          assigned to a new network interface, not an existing one". A pre-made ENI attached
          later (aws_network_interface_attachment, device_index 1) gets none.
[ENISG]   The groups of an instance launched with an existing ENI as eth0 are that ENI's
          groups; the VPC's default group is used only when no group is given at all.
[AURORA]  RDS API, CreateDBInstance.VpcSecurityGroupIds: "doesn't apply to Amazon Aurora DB
          instances. The associated list of EC2 VPC security groups is managed by the DB
          cluster." aws_rds_cluster_instance members carry aws_rds_cluster's groups.
[RDSPUB]  RDS: publicly_accessible = true gives the instance a public address when its DB
          subnet group's subnets route to an internet gateway.

Conventions of the expected data (the lead defines the v2 JSON; only the accessors below read
it, adapt them there):
- RESOURCE FLOWS (from_resource, to_resource, protocol, ports): `from` can open a connection to
  `to` on that service: the aggregated egress of from's interface allows to's private address
  (or one of to's groups) AND the aggregated ingress of to's interface admits from's private
  address (or one of from's groups) [AGG]. A load balancer reaches a target of its listeners
  on the target port [LB] when the target's groups admit what the target sees: the client's
  address when the client IP is preserved, the load balancer's private address otherwise
  [NLBCIP][ALB]. Only resources of the plan, never a resource to itself.
- EXPOSURES (resource, family, protocol, ports, via): the internet reaches `resource` on those
  ports over that address family (ipv4 / ipv6); via None = at the resource's own public
  address; via "aws_lb_listener.x" = through that listener of an internet-facing load balancer,
  `ports` being what the resource receives on (the target port).
- An ENI attached to an instance is reported under the instance (ALIASES), whichever of the two
  the engine names: the per-interface facts are asserted through the exposures.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from conftest import FIXTURES, exposures, flows, paths, plan, run_tfsg, tfsg_json, validate_report


# ---------------------------------------------------------------- v2 accessors (adapt here)


def _resource(address: str) -> str:
    return ALIASES.get(address, address)


def resource_flows(result: dict, key: str = "resource_flows") -> set[tuple[str, str, str, str]]:
    """Resource-level reachability rows: show -> "resource_flows", diff -> "resource_flows_added"
    / "resource_flows_removed" (assumed names; each row has from, to, protocol, ports)."""
    return {(_resource(r["from"]), _resource(r["to"]), r["protocol"], r["ports"]) for r in result[key]}


def resource_exposures(result: dict, key: str = "exposed") -> set[tuple[str, str, str, str, str | None]]:
    """Exposed rows of kind "resource", with the new per-family evidence: "family" (ipv4 / ipv6)
    and "listener" (the aws_lb_listener the internet comes through, null when direct)."""
    return {(_resource(e["address"]), e["family"], e["protocol"], e["ports"], e.get("listener"))
            for e in result[key] if e["kind"] == "resource"}


def resource_paths(result: dict, key: str = "paths") -> set[tuple[str, ...]]:
    """Paths from the internet listing resources (issue 10, point 4)."""
    return {tuple(_resource(n) for n in p["nodes"]) for p in result[key]}


# ---------------------------------------------------------------- helpers


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def members(result: dict) -> dict[str, set[str]]:
    return {g["address"]: {_resource(a) for a in g["attached"]} for g in result["groups"]}


def is_address(endpoint: str) -> bool:
    return "/" in endpoint or endpoint.startswith("pl-")


def group_pairs(rows: list[dict]) -> set[tuple[str, str, str, str]]:
    return {f for f in flows(rows) if not is_address(f[0]) and not is_address(f[1])}


def address_flows(rows: list[dict]) -> set[tuple[str, str, str, str]]:
    return {f for f in flows(rows) if is_address(f[0]) or is_address(f[1])}


def unexplained(group_flows: set, resource_level: set, membership: dict[str, set[str]]) -> set:
    """Group-to-group flows that no resource-level flow between members accounts for (a group
    flow is the summary of what its members can do: it needs a member pair that does it)."""
    return {(a, b, p, ports) for a, b, p, ports in group_flows
            if not any(f in membership.get(a, ()) and t in membership.get(b, ()) and (p, ports) == (fp, fports)
                       for f, t, fp, fports in resource_level)}


def changes(case: str) -> dict[str, dict]:
    doc = json.loads((FIXTURES / case / "plan.json").read_text())
    return {rc["address"]: rc for rc in doc["resource_changes"]}


def config_resources(case: str) -> dict[str, dict]:
    doc = json.loads((FIXTURES / case / "plan.json").read_text())
    return {r["address"]: r for r in doc["configuration"]["root_module"]["resources"]}


def check(case: str) -> dict:
    """`tfsg check` with the built-in baseline (run outside the repository: no .tfsg.yml)."""
    with tempfile.TemporaryDirectory() as cwd:
        proc = run_tfsg("check", plan(case), "--format", "json", cwd=Path(cwd))
    assert proc.returncode in (0, 1), proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    return result


def findings(result: dict, policy: str) -> list[dict]:
    return [f for f in result["findings"] if f["policy"] == policy]


# ================================================================ 1. engine_multi_group

APP, DB, WEB = "aws_instance.app", "aws_db_instance.db", "aws_instance.web"
CONTROL_PLANE, WORKER = "aws_instance.control_plane", "aws_instance.worker"
CACHE, FN = "aws_instance.cache", "aws_lambda_function.fn"

MULTI_GROUP_FLOWS = {
    # db admits group app on 5432 [REF]; app's interface is in [app (no egress), egress_all
    # (all to 0.0.0.0/0)]: its aggregated egress allows it [AGG]
    (APP, DB, "tcp", "5432"),
    # cache admits group fn on 6379 [REF]; the function's ENIs are in [fn (no rules), egress_all] [AGG]
    (FN, CACHE, "tcp", "6379"),
    # EKS-like: eks_cluster (ingress only) admits eks_node on 443; the worker's egress is eks_node's all
    (WORKER, CONTROL_PLANE, "tcp", "443"),
    # eks_node admits eks_cluster on 10250 [REF]; the control plane is in eks_cluster AND eks_node,
    # so its aggregated egress is eks_node's all [AGG] (eks_cluster alone has none [NOEGR])
    (CONTROL_PLANE, WORKER, "tcp", "10250"),
    # web's interface is in [web_https (443 from 0.0.0.0/0), web_tags (nothing)]: 443 from any
    # address, the private ones of every sender with egress included [AGG][CIDR]
    (APP, WEB, "tcp", "443"), (FN, WEB, "tcp", "443"), (CONTROL_PLANE, WEB, "tcp", "443"),
    (WORKER, WEB, "tcp", "443"),
}
# Not flows: web, db and cache send nothing (no egress in any of their groups [NOEGR]); app
# admits only 203.0.113.0/24 (22); nobody is admitted by the function's groups; app and the
# function are not eks_node/eks_cluster members, so they reach neither the control plane nor the
# worker; db admits only app's members, cache only fn's.

MULTI_GROUP_EXPOSED = {
    # web: public IPv4 from its subnet's map_public_ip_on_launch, the subnet's explicit route
    # table sends 0.0.0.0/0 to the IGW [IGW]; web_https admits 0.0.0.0/0 on 443 [AGG]. No IPv6
    # (the VPC has no IPv6 block [V6PUB]). Everything else is in private subnets or not public.
    (WEB, "ipv4", "tcp", "443", None),
}

MULTI_GROUP_MEMBERS = {
    sg("app"): {APP}, sg("egress_all"): {APP, FN}, sg("db"): {DB}, sg("web_https"): {WEB},
    sg("web_tags"): {WEB}, sg("eks_cluster"): {CONTROL_PLANE}, sg("eks_node"): {CONTROL_PLANE, WORKER},
    sg("fn"): {FN}, sg("cache"): {CACHE},
}

# group-level flows, the summary reviewers read (today's `flows` key)
MULTI_GROUP_ADDRESS_FLOWS = {
    ("0.0.0.0/0", sg("web_https"), "tcp", "443"), ("203.0.113.0/24", sg("app"), "tcp", "22"),
    (sg("egress_all"), "0.0.0.0/0", "all", "all"), (sg("eks_node"), "0.0.0.0/0", "all", "all"),
}
MULTI_GROUP_GROUP_FLOWS = {
    (sg("app"), sg("db"), "tcp", "5432"),  # the multisg case: must be reported [AGG]
    (sg("fn"), sg("cache"), "tcp", "6379"),
    (sg("eks_cluster"), sg("eks_node"), "tcp", "10250"),  # the hidden cluster -> node flow [AGG]
    (sg("eks_node"), sg("eks_cluster"), "tcp", "443"),
}


def test_multi_group_plan_holds_the_scenario():
    rc = changes("engine_multi_group")
    assert {a: c["change"]["actions"] for a, c in rc.items()} == {a: ["create"] for a in rc}
    conf = config_resources("engine_multi_group")

    def refs(address: str, attribute: str) -> list[str]:
        return conf[address]["expressions"][attribute]["references"]

    assert refs(APP, "vpc_security_group_ids") == ["aws_security_group.app.id", "aws_security_group.app",
                                                   "aws_security_group.egress_all.id", "aws_security_group.egress_all"]
    assert refs(CONTROL_PLANE, "vpc_security_group_ids")[::2] == ["aws_security_group.eks_cluster.id",
                                                                   "aws_security_group.eks_node.id"]
    vpc = conf[FN]["expressions"]["vpc_config"][0]["security_group_ids"]["references"]
    assert vpc[::2] == ["aws_security_group.fn.id", "aws_security_group.egress_all.id"]
    # no egress block in the configuration (so none after create; the plan leaves `egress` to
    # the provider); egress_all and eks_node (standalone rule) send everywhere
    for g in ("app", "db", "web_https", "web_tags", "cache", "fn", "eks_cluster", "eks_node"):
        assert rc[sg(g)]["change"]["after"].get("egress") is None
        assert "egress" not in conf[sg(g)]["expressions"]
    assert rc[sg("egress_all")]["change"]["after"]["egress"][0]["protocol"] == "-1"
    assert rc["aws_vpc_security_group_egress_rule.node_all"]["change"]["after"]["ip_protocol"] == "-1"
    assert rc["aws_subnet.public"]["change"]["after"]["map_public_ip_on_launch"] is True
    assert rc[DB]["change"]["after"]["publicly_accessible"] is False


def test_multi_group_today_keys_that_hold():
    r = tfsg_json("show", plan("engine_multi_group"))
    assert members(r) == MULTI_GROUP_MEMBERS
    assert address_flows(r["flows"]) == MULTI_GROUP_ADDRESS_FLOWS
    assert exposures(r["exposed"]) == {(WEB, "resource", "tcp", "443"), (sg("web_https"), "group", "tcp", "443")}
    assert r["unknown"] == []


def test_multi_group_group_flows_aggregate_the_interface():
    """A group flow exists when a member's interface can do it: app -> db, fn -> cache and
    eks_cluster -> eks_node come from the egress of another group on the same interface [AGG]."""
    r = tfsg_json("show", plan("engine_multi_group"))
    pairs = group_pairs(r["flows"])
    assert MULTI_GROUP_GROUP_FLOWS <= pairs
    # e.g. egress_all -> db tcp 5432 may be listed too (app is in both); nothing a member pair
    # cannot do may be
    assert unexplained(pairs, MULTI_GROUP_FLOWS, MULTI_GROUP_MEMBERS) == set()
    assert address_flows(r["flows"]) == MULTI_GROUP_ADDRESS_FLOWS


def test_multi_group_resource_flows():
    assert resource_flows(tfsg_json("show", plan("engine_multi_group"))) == MULTI_GROUP_FLOWS


def test_multi_group_resource_exposures():
    assert resource_exposures(tfsg_json("show", plan("engine_multi_group"))) == MULTI_GROUP_EXPOSED


# ================================================================ 2. engine_nlb

PUBLIC_NLB, INTERNAL_NLB, ALB = "aws_lb.public_nlb", "aws_lb.internal_nlb", "aws_lb.web"
GIT, PG, INTERNAL_SVC, ALB_WEB = ("aws_instance.git", "aws_instance.pg", "aws_instance.internal_svc",
                                  "aws_instance.web")

NLB_FLOWS = {
    # listener ssh (22) -> target group ssh (instance, preserve_client_ip unset: enabled [NLBCIP])
    # -> git:22. The NLB has no group, so nothing stops traffic leaving it [NLBSG]; git sees the
    # client's address, which git_ssh's 0.0.0.0/0 admits [CIDR]
    (PUBLIC_NLB, GIT, "tcp", "22"),
    # listener pg (5432) -> target group pg (preserve_client_ip = "false") -> pg:5432. pg sees the
    # NLB's private addresses, which sit in the NLB's subnets 10.0.1.0/24 and 10.0.3.0/24: pg's
    # two CIDRs admit them [NLBCIP][CIDR]
    (PUBLIC_NLB, PG, "tcp", "5432"),
    # internal NLB: listener 8443 -> internal_svc:8443, client IP preserved, 0.0.0.0/0 admits it
    (INTERNAL_NLB, INTERNAL_SVC, "tcp", "8443"),
    # ALB listener 443 -> target group web (HTTP 8080) -> web:8080. The ALB's group sends 8080 to
    # 10.0.0.0/16, which holds web (10.0.4.0/24); web's group admits 0.0.0.0/0 on 8080, which
    # holds the ALB's private addresses (10.0.1.0/24, 10.0.3.0/24) [ALB][CIDR][AGG]
    (ALB, ALB_WEB, "tcp", "8080"),
}
# Not flows: the instances send nothing [NOEGR]; the ALB's egress (8080) matches no other
# instance's ingress port; a load balancer reaches only the targets of its own listeners [LB],
# so neither NLB reaches the other's targets.

NLB_EXPOSED = {
    # internet-facing NLB without groups: all client traffic reaches its listeners [NLBSG][SCHEME];
    # ip_address_type unset = ipv4
    (PUBLIC_NLB, "ipv4", "tcp", "22", None), (PUBLIC_NLB, "ipv4", "tcp", "5432", None),
    # internet-facing ALB, its group admits 0.0.0.0/0 on the listener port 443
    (ALB, "ipv4", "tcp", "443", None),
    # git is in a private subnet (no public address) but the internet reaches it through the
    # NLB's ssh listener: client IP preserved, git_ssh admits 0.0.0.0/0 [NLBCIP]
    (GIT, "ipv4", "tcp", "22", "aws_lb_listener.ssh"),
    # the data tier one hop behind the NLB: any internet client reaches pg:5432 through the pg
    # listener, arriving from the NLB's private address, which pg admits [NLBCIP]
    (PG, "ipv4", "tcp", "5432", "aws_lb_listener.pg"),
    # internet -> ALB:443 -> web:8080 [ALB][LB]
    (ALB_WEB, "ipv4", "tcp", "8080", "aws_lb_listener.https"),
}
# Not exposed: the internal NLB and its target (internal scheme: private addresses only
# [SCHEME]), although internal_svc's group admits 0.0.0.0/0; no instance has a public address.

NLB_PATHS = {
    ("internet", PUBLIC_NLB, GIT), ("internet", PUBLIC_NLB, PG), ("internet", ALB, ALB_WEB),
}

NLB_ADDRESS_FLOWS = {
    ("0.0.0.0/0", sg("alb"), "tcp", "443"), ("0.0.0.0/0", sg("git_ssh"), "tcp", "22"),
    ("0.0.0.0/0", sg("internal_svc"), "tcp", "8443"), ("0.0.0.0/0", sg("web"), "tcp", "8080"),
    ("10.0.1.0/24", sg("pg"), "tcp", "5432"), ("10.0.3.0/24", sg("pg"), "tcp", "5432"),
    (sg("alb"), "10.0.0.0/16", "tcp", "8080"),
}
NLB_GROUP_EXPOSED = {(sg("alb"), "group", "tcp", "443"), (sg("git_ssh"), "group", "tcp", "22"),
                     (sg("internal_svc"), "group", "tcp", "8443"), (sg("web"), "group", "tcp", "8080")}


def test_nlb_plan_holds_the_scenario():
    rc = changes("engine_nlb")
    conf = config_resources("engine_nlb")
    after = {a: c["change"]["after"] for a, c in rc.items()}
    assert after[PUBLIC_NLB]["internal"] is False and after[INTERNAL_NLB]["internal"] is True
    for lb in (PUBLIC_NLB, INTERNAL_NLB):
        assert after[lb]["load_balancer_type"] == "network"
        # computed by the provider (unknown in the plan): only the configuration says "none"
        assert rc[lb]["change"]["after_unknown"]["security_groups"] is True
        assert "security_groups" not in conf[lb]["expressions"]
    assert after[ALB]["load_balancer_type"] == "application" and after[ALB]["internal"] is False
    # client IP preservation: unset (AWS default for instance targets: enabled) and "false"
    assert rc["aws_lb_target_group.ssh"]["change"]["after_unknown"]["preserve_client_ip"] is True
    assert after["aws_lb_target_group.pg"]["preserve_client_ip"] == "false"
    assert {after[f"aws_lb_target_group.{t}"]["target_type"] for t in ("ssh", "pg", "internal", "web")} == {"instance"}
    assert {a: (after[a]["port"], after[a]["protocol"]) for a in after if a.startswith("aws_lb_listener.")} == {
        "aws_lb_listener.ssh": (22, "TCP"), "aws_lb_listener.pg": (5432, "TCP"),
        "aws_lb_listener.internal": (8443, "TCP"), "aws_lb_listener.https": (443, "HTTPS")}
    assert {a: after[a]["port"] for a in after if a.startswith("aws_lb_target_group_attachment.")} == {
        "aws_lb_target_group_attachment.ssh": 22, "aws_lb_target_group_attachment.pg": 5432,
        "aws_lb_target_group_attachment.internal": 8443, "aws_lb_target_group_attachment.web": 8080}
    targets = {a: conf[a]["expressions"]["target_id"]["references"][0]
               for a in conf if a.startswith("aws_lb_target_group_attachment.")}
    assert targets == {"aws_lb_target_group_attachment.ssh": "aws_instance.git.id",
                       "aws_lb_target_group_attachment.pg": "aws_instance.pg.id",
                       "aws_lb_target_group_attachment.internal": "aws_instance.internal_svc.id",
                       "aws_lb_target_group_attachment.web": "aws_instance.web.id"}
    assert after[sg("pg")]["tags"]["Tier"] == "data"


def test_nlb_today_keys_that_hold():
    r = tfsg_json("show", plan("engine_nlb"))
    assert address_flows(r["flows"]) == NLB_ADDRESS_FLOWS
    assert {e for e in exposures(r["exposed"]) if e[1] == "group"} == NLB_GROUP_EXPOSED
    assert (ALB, "resource", "tcp", "443") in exposures(r["exposed"])
    reached = {e[0] for e in exposures(r["exposed"])}
    assert INTERNAL_NLB not in reached and INTERNAL_SVC not in reached
    # the internal NLB's target is open to 0.0.0.0/0 on 8443 but not reachable: no policy
    # names it as reachable
    assert not any(INTERNAL_SVC in f["evidence"].get("exposed_resources", []) for f in check("engine_nlb")["findings"])
    assert members(r) == {sg("alb"): {ALB}, sg("git_ssh"): {GIT}, sg("pg"): {PG},
                          sg("internal_svc"): {INTERNAL_SVC}, sg("web"): {ALB_WEB}}
    assert r["unknown"] == []


def test_nlb_today_keys_expose_targets_behind_load_balancers():
    """Today's `exposed` rows with v2 content. Fails today: neither the NLB nor any target is
    listed (only the ALB is)."""
    r = tfsg_json("show", plan("engine_nlb"))
    assert exposures(r["exposed"]) == NLB_GROUP_EXPOSED | {
        (address, "resource", proto, ports) for address, _family, proto, ports, _via in NLB_EXPOSED}


def test_nlb_alb_reaches_a_target_admitted_by_cidr():
    """Fails today: web admits 0.0.0.0/0, which holds the ALB's private addresses, but the
    alb -> web pair is not listed [ALB][CIDR]."""
    r = tfsg_json("show", plan("engine_nlb"))
    assert (sg("alb"), sg("web"), "tcp", "8080") in group_pairs(r["flows"])
    assert unexplained(group_pairs(r["flows"]), NLB_FLOWS, {sg("alb"): {ALB}, sg("web"): {ALB_WEB}}) == set()


def test_nlb_resource_flows():
    assert resource_flows(tfsg_json("show", plan("engine_nlb"))) == NLB_FLOWS


def test_nlb_resource_exposures():
    assert resource_exposures(tfsg_json("show", plan("engine_nlb"))) == NLB_EXPOSED


def test_nlb_resource_paths():
    assert resource_paths(tfsg_json("show", plan("engine_nlb"))) == NLB_PATHS


def test_nlb_ssh_policy_names_the_target_behind_the_nlb():
    """Fails today: TFSG001 on git_ssh lists no reachable resource."""
    ssh = {f["address"]: f for f in findings(check("engine_nlb"), "TFSG001")}
    # the group is open to the internet on 22, and git is reachable through the NLB's listener
    # (a finding on the NLB itself may come too)
    assert GIT in ssh[sg("git_ssh")]["evidence"]["exposed_resources"]


@pytest.mark.parametrize("policy", ["TFSG002", "TFSG007"])
def test_nlb_data_tier_one_hop_behind_the_nlb(policy: str):
    """postgres (Tier = data) is reached from the internet in one hop through the NLB: "no
    database ports from the internet" (TFSG002) and "the data tier is not reachable within 3
    hops" (TFSG007). Fails today: neither fires."""
    assert any(f["address"] in (sg("pg"), PG) and f["status"] == "violation"
               for f in findings(check("engine_nlb"), policy))


@pytest.mark.parametrize("policy", ["TFSG002", "TFSG007"])
def test_nlb_data_tier_finding_names_the_block_that_admits_the_nlb(policy: str):
    """The listener forwards the internet with client IP preservation off, so what admits it is
    pg's ingress block for the NLB's subnets (nlb.tf:68, `cidr_blocks = ["10.0.1.0/24",
    "10.0.3.0/24"]`), not the group's header line; defined_by names the group that writes it."""
    found = [f for f in findings(check("engine_nlb"), policy) if f["address"] in (sg("pg"), PG)]
    assert [(f["location"].rsplit("/", 1)[-1], f["location_exact"], f["evidence"]["defined_by"]) for f in found] == \
        [("nlb.tf:68", True, [sg("pg")])]


# ================================================================ 3. engine_ip_family

V4HOST, ISOLATED, MAIN_TABLE = "aws_instance.v4host", "aws_instance.isolated_host", "aws_instance.main_table_host"
V6HOST, V6AUTO, V6EGRESS = "aws_instance.v6host", "aws_instance.v6auto", "aws_instance.v6egress"

IP_FAMILY_EXPOSED = {
    # (b) one IPv6 address (ipv6_address_count = 1) in a subnet whose ::/0 goes to the IGW;
    # https_v6 admits ::/0 on 443 [V6PUB][IGW][AGG]
    (V6HOST, "ipv6", "tcp", "443", None),
    # (b') the same, the IPv6 address from the subnet's assign_ipv6_address_on_creation
    (V6AUTO, "ipv6", "tcp", "443", None),
    # (e) public IPv4 (map_public_ip_on_launch); no explicit association, so the VPC's main
    # route table applies, and aws_main_route_table_association makes it the IGW table [IGW]
    (MAIN_TABLE, "ipv4", "tcp", "443", None),
}
# Not exposed:
# (a) v4host: public IPv4 only (IPv4-only VPC), ssh_v6 admits 22 from ::/0 only: the group is
#     open to the IPv6 internet, the instance has no IPv6 address to be reached at [V6PUB]
# (b) v6host on 3389: rdp_v4 admits 0.0.0.0/0, but v6host has no public IPv4
#     (associate_public_ip_address = false, subnet does not map public IPs)
# (c) v6egress: IPv6 address, but ::/0 goes to an egress-only internet gateway [EIGW] (and no
#     IPv4 default route at all)
# (d) isolated_host: a public IPv4 from map_public_ip_on_launch, but its explicitly associated
#     route table sends 0.0.0.0/0 to a NAT gateway, not an internet gateway [IGW][NAT]
IP_FAMILY_FLOWS: set = set()  # no group has an egress rule: nothing can open a connection [NOEGR]

IP_FAMILY_GROUP_EXPOSED = {(sg("ssh_v6"), "group", "tcp", "22"), (sg("rdp_v4"), "group", "tcp", "3389"),
                           (sg("https_v6"), "group", "tcp", "443"), (sg("https_v4"), "group", "tcp", "443")}


def test_ip_family_plan_holds_the_scenario():
    rc = changes("engine_ip_family")
    after = {a: c["change"]["after"] for a, c in rc.items()}
    unknown = {a: c["change"]["after_unknown"] for a, c in rc.items()}
    conf = config_resources("engine_ip_family")
    assert after["aws_vpc.main"]["assign_generated_ipv6_cidr_block"] in (None, False)
    assert after["aws_vpc.dual"]["assign_generated_ipv6_cidr_block"] is True
    for s in ("dual_public", "dual_egress_only"):
        assert after[f"aws_subnet.{s}"]["assign_ipv6_address_on_creation"] is True
        assert unknown[f"aws_subnet.{s}"]["ipv6_cidr_block"] is True  # from the VPC's block, at apply
    assert after["aws_subnet.dual_public"]["map_public_ip_on_launch"] is False
    assert all(after[f"aws_subnet.{s}"]["map_public_ip_on_launch"] for s in ("public", "isolated", "main_table"))
    assert (after[V6HOST]["ipv6_address_count"], after[V6HOST]["associate_public_ip_address"]) == (1, False)
    assert unknown[V6AUTO]["ipv6_address_count"] is True  # set by the subnet at launch
    # internet gateway routes: the destination is known, the gateway id only after apply
    igw = {a: sorted((r["cidr_block"], r["ipv6_cidr_block"]) for r in after[a]["route"])
           for a in ("aws_route_table.public", "aws_route_table.dual_public")}
    assert igw == {"aws_route_table.public": [("0.0.0.0/0", "")],
                   "aws_route_table.dual_public": [("", "::/0"), ("0.0.0.0/0", "")]}
    assert all(u == {"gateway_id": True} for a in igw for u in unknown[a]["route"])
    eigw = after["aws_route_table.dual_egress_only"]["route"]
    assert len(eigw) == 1 and eigw[0]["ipv6_cidr_block"] == "::/0" and eigw[0]["gateway_id"] == ""
    assert unknown["aws_route_table.dual_egress_only"]["route"][0]["egress_only_gateway_id"] is True
    nat = after["aws_route_table.isolated"]["route"]
    assert len(nat) == 1 and nat[0]["cidr_block"] == "0.0.0.0/0" and nat[0]["gateway_id"] == ""
    assert conf["aws_route_table.isolated"]["expressions"]["route"]["references"][0] == \
        "aws_nat_gateway.main.id"
    assert conf["aws_main_route_table_association.main"]["expressions"]["route_table_id"]["references"][0] == \
        "aws_route_table.public.id"
    associated = {conf[a]["expressions"]["subnet_id"]["references"][0] for a in conf
                  if a.startswith("aws_route_table_association.")}
    assert "aws_subnet.main_table.id" not in associated and "aws_subnet.isolated.id" in associated


def test_ip_family_today_keys_that_hold():
    r = tfsg_json("show", plan("engine_ip_family"))
    ex = exposures(r["exposed"])
    assert {e for e in ex if e[1] == "group"} == IP_FAMILY_GROUP_EXPOSED
    assert (MAIN_TABLE, "resource", "tcp", "443") in ex
    assert not any(e[0] == V6HOST and e[3] == "3389" for e in ex)
    assert not any(e[0] == V6EGRESS for e in ex)
    rdp = findings(check("engine_ip_family"), "TFSG001")
    assert {f["address"]: f["evidence"]["exposed_resources"] for f in rdp}[sg("rdp_v4")] == []


def test_ip_family_today_keys_follow_the_address_family():
    """Fails today: v4host is listed reachable on 22 from ::/0, isolated_host on 443 despite its
    NAT route, and the IPv6 hosts are missing."""
    r = tfsg_json("show", plan("engine_ip_family"))
    assert exposures(r["exposed"]) == IP_FAMILY_GROUP_EXPOSED | {
        (address, "resource", proto, ports) for address, _family, proto, ports, _via in IP_FAMILY_EXPOSED}


def test_ip_family_ssh_over_ipv6_names_no_ipv4_host():
    """Fails today: TFSG001 on ssh_v6 names v4host, which has no IPv6 address."""
    ssh = {f["address"]: f for f in findings(check("engine_ip_family"), "TFSG001")}
    assert ssh[sg("ssh_v6")]["evidence"]["exposed_resources"] == []  # the group is open, v4host is not


def test_ip_family_resource_exposures():
    assert resource_exposures(tfsg_json("show", plan("engine_ip_family"))) == IP_FAMILY_EXPOSED


def test_ip_family_resource_flows():
    assert resource_flows(tfsg_json("show", plan("engine_ip_family"))) == IP_FAMILY_FLOWS


# ================================================================ 4. engine_interfaces

HOST, APPLIANCE, LEGACY = "aws_instance.host", "aws_instance.appliance", "aws_instance.legacy"
AURORA = [f"aws_rds_cluster_instance.aurora[{i}]" for i in (0, 1)]
CLUSTER = "aws_rds_cluster.aurora"
ALIASES = {
    "aws_network_interface.extra": HOST,  # attached to host as device_index 1
    "aws_network_interface.appliance": APPLIANCE,  # the appliance's eth0, given at launch
}

INTERFACES_FLOWS = {
    # legacy has no group: AWS puts it in the VPC's default group (all from itself, all out)
    # host's eth0 group admits 0.0.0.0/0 on 22 [CIDR]
    (LEGACY, HOST, "tcp", "22"),
    # host's eth1 (the attached ENI, private address in 10.0.1.0/24) admits 0.0.0.0/0 on 443
    (LEGACY, HOST, "tcp", "443"),
    # the appliance's only interface is the ENI in group nic (9000 from 10.0.0.0/16, legacy is
    # 10.0.2.x) [ENISG]
    (LEGACY, APPLIANCE, "tcp", "9000"),
    # the Aurora instances carry the cluster's group aurora (5432 from 0.0.0.0/0) [AURORA]
    (LEGACY, AURORA[0], "tcp", "5432"), (LEGACY, AURORA[1], "tcp", "5432"),
}
# Not flows: legacy <-> appliance on everything (that would need the appliance in the default
# group [ENISG]); host, appliance and the Aurora instances send nothing [NOEGR].
INTERFACES_FLOWS_MAY = {(LEGACY, CLUSTER, "tcp", "5432")}  # if the cluster is listed as a node

INTERFACES_EXPOSED = {
    # host's eth0: public IPv4 from the public subnet's map_public_ip_on_launch (a new eth0
    # [PUBIP]), IGW route [IGW]; host admits 0.0.0.0/0 on 22. (The public address stays when a
    # second ENI is attached; it is only not re-assigned after a release.)
    (HOST, "ipv4", "tcp", "22", None),
    # publicly accessible Aurora instances in public subnets, the cluster's group admits
    # 0.0.0.0/0 on 5432 [AURORA][RDSPUB][IGW]
    (AURORA[0], "ipv4", "tcp", "5432", None), (AURORA[1], "ipv4", "tcp", "5432", None),
}
# Not exposed: the attached ENI (eth1) gets no public IPv4 from the subnet [PUBIP], so 443 is
# not reachable from the internet on the host at all (eth0's group does not admit 443: groups
# are per interface); the appliance's pre-made ENI is in a private subnet (and an existing ENI
# never gets a public IPv4 at launch [PUBIP]); legacy is private.
INTERFACES_EXPOSED_MAY = {(CLUSTER, "ipv4", "tcp", "5432", None)}


def test_interfaces_plan_holds_the_scenario():
    rc = changes("engine_interfaces")
    after = {a: c["change"]["after"] for a, c in rc.items()}
    conf = config_resources("engine_interfaces")
    attach = conf["aws_network_interface_attachment.extra"]["expressions"]
    assert after["aws_network_interface_attachment.extra"]["device_index"] == 1
    assert attach["instance_id"]["references"][0] == "aws_instance.host.id"
    assert attach["network_interface_id"]["references"][0] == "aws_network_interface.extra.id"
    assert conf["aws_network_interface.extra"]["expressions"]["subnet_id"]["references"][0] == "aws_subnet.public_a.id"
    assert after["aws_subnet.public_a"]["map_public_ip_on_launch"] is True
    nic = conf[APPLIANCE]["expressions"]
    assert "vpc_security_group_ids" not in nic and "security_groups" not in nic and "subnet_id" not in nic
    assert nic["network_interface"][0]["network_interface_id"]["references"][0] == "aws_network_interface.appliance.id"
    assert after[APPLIANCE]["network_interface"][0]["device_index"] == 0
    assert "vpc_security_group_ids" not in conf[LEGACY]["expressions"]
    assert conf[CLUSTER]["expressions"]["vpc_security_group_ids"]["references"][0] == "aws_security_group.aurora.id"
    for a in AURORA:
        assert after[a]["publicly_accessible"] is True
        assert "vpc_security_group_ids" not in after[a]  # the instances have no groups of their own
    assert conf["aws_db_subnet_group.aurora"]["expressions"]["subnet_ids"]["references"][::2] == [
        "aws_subnet.public_a.id", "aws_subnet.public_b.id"]


def test_interfaces_today_keys_that_hold():
    r = tfsg_json("show", plan("engine_interfaces"))
    m = members(r)
    assert m["aws_default_security_group.default"] == {LEGACY}  # not the appliance [ENISG]
    assert m[sg("nic")] == {APPLIANCE} and m[sg("eni")] == {HOST} and m[sg("host")] == {HOST}
    assert {(sg("aurora"), "group", "tcp", "5432"), (sg("eni"), "group", "tcp", "443"),
            (sg("host"), "group", "tcp", "22"), (HOST, "resource", "tcp", "22")} <= exposures(r["exposed"])
    assert {("10.0.0.0/16", sg("nic"), "tcp", "9000"),
            ("aws_default_security_group.default", sg("nic"), "tcp", "9000")} <= flows(r["flows"])
    host = findings(check("engine_interfaces"), "TFSG001")
    assert [(f["address"], f["evidence"]["exposed_resources"]) for f in host] == [(sg("host"), [HOST])]


def test_interfaces_aurora_instances_carry_the_cluster_groups():
    """Fails today: the group is attached to aws_rds_cluster.aurora only [AURORA]."""
    assert set(AURORA) <= members(tfsg_json("show", plan("engine_interfaces")))[sg("aurora")]


def test_interfaces_appliance_groups_come_from_its_interface():
    """Fails today: the appliance is reported unknown, "no group is set, so AWS puts it in its
    VPC's default group" [ENISG]."""
    r = tfsg_json("show", plan("engine_interfaces"))
    assert not any(_resource(u["address"]) == APPLIANCE for u in r["unknown"])


def test_interfaces_today_keys_exposure_per_interface():
    """Fails today: the secondary ENI is listed reachable on 443 "from its subnet's
    map_public_ip_on_launch" [PUBIP], and the public Aurora instances are missing."""
    r = tfsg_json("show", plan("engine_interfaces"))
    ex = exposures(r["exposed"])
    expected = {(sg("aurora"), "group", "tcp", "5432"), (sg("eni"), "group", "tcp", "443"),
                (sg("host"), "group", "tcp", "22")} | {
        (address, "resource", proto, ports) for address, _family, proto, ports, _via in INTERFACES_EXPOSED}
    assert expected <= {(_resource(a), k, p, ports) for a, k, p, ports in ex}
    assert {(_resource(a), k, p, ports) for a, k, p, ports in ex} - expected <= {
        (CLUSTER, "resource", "tcp", "5432")}


def test_interfaces_database_policy_names_the_aurora_instances():
    """Fails today: TFSG002 on the aurora group lists no reachable resource."""
    aurora = {f["address"]: f for f in findings(check("engine_interfaces"), "TFSG002")}[sg("aurora")]
    assert set(AURORA) <= set(aurora["evidence"]["exposed_resources"])


def test_interfaces_resource_flows():
    got = resource_flows(tfsg_json("show", plan("engine_interfaces")))
    assert INTERFACES_FLOWS <= got <= INTERFACES_FLOWS | INTERFACES_FLOWS_MAY


def test_interfaces_resource_exposures():
    got = resource_exposures(tfsg_json("show", plan("engine_interfaces")))
    assert INTERFACES_EXPOSED <= got <= INTERFACES_EXPOSED | INTERFACES_EXPOSED_MAY


# ================================================================ 5. engine_add_group (update)

ADD_GROUP_ADDED = {(APP, DB, "tcp", "5432")}
# before: app's interface is in [app] only, no egress [NOEGR]: db admits group app, but app
# cannot send. after: [app, egress_all]: the aggregated egress allows all [AGG], and db admits
# the app group on 5432 [REF]. db sends nothing; app admits 8080 from the VPC, which nothing can
# send. No rule changes, no exposure changes (all private, db not public).
ADD_GROUP_GROUP_ADDED = {(sg("app"), sg("db"), "tcp", "5432")}
ADD_GROUP_GROUP_ADDED_MAY = {(sg("egress_all"), sg("db"), "tcp", "5432")}


def test_add_group_plan_holds_the_scenario():
    rc = changes("engine_add_group")
    acted = {a: c["change"]["actions"] for a, c in rc.items() if c["change"]["actions"] != ["no-op"]}
    assert acted == {APP: ["update"]}
    ids = {g: rc[sg(g)]["change"]["before"]["id"] for g in ("app", "egress_all", "db")}
    change = rc[APP]["change"]
    assert change["before"]["vpc_security_group_ids"] == [ids["app"]]
    assert sorted(change["after"]["vpc_security_group_ids"]) == sorted([ids["app"], ids["egress_all"]])
    assert change["before"]["public_ip"] == ""  # private subnet
    for g in ("app", "egress_all", "db"):
        assert rc[sg(g)]["change"]["before"] == rc[sg(g)]["change"]["after"]
    assert rc[sg("app")]["change"]["after"]["egress"] == []
    assert rc[sg("db")]["change"]["after"]["ingress"][0]["security_groups"] == [ids["app"]]


def test_add_group_today_keys_that_hold():
    r = tfsg_json("diff", plan("engine_add_group"))
    assert r["removed"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []
    assert r["paths_added"] == [] and r["paths_removed"] == []


def test_add_group_opens_the_flow_in_todays_keys():
    """No rule changes, yet the diff must report the new flow (not "Reachability is unchanged")."""
    r = tfsg_json("diff", plan("engine_add_group"))
    added = flows(r["added"])
    assert ADD_GROUP_GROUP_ADDED <= added <= ADD_GROUP_GROUP_ADDED | ADD_GROUP_GROUP_ADDED_MAY
    assert r["removed"] == []
    assert r["summary"]["reachability_changed"] is True
    assert "Reachability is unchanged" not in run_tfsg("diff", plan("engine_add_group")).stdout.decode()


def test_add_group_resource_reachability_diff():
    r = tfsg_json("diff", plan("engine_add_group"))
    assert resource_flows(r, "resource_flows_added") == ADD_GROUP_ADDED
    assert resource_flows(r, "resource_flows_removed") == set()


# ================================================================ plan and sources agree

CREATE_CASES = ["engine_multi_group", "engine_nlb", "engine_ip_family", "engine_interfaces"]


@pytest.mark.parametrize("case", CREATE_CASES)
def test_sources_give_the_plans_network(case: str):
    """HCL mode on the fixture's .tf files gives the plan's network (today's keys)."""
    p = tfsg_json("show", plan(case))
    h = tfsg_json("show", str(FIXTURES / case))
    assert h["input"]["kind"] == "hcl"
    assert members(h) == members(p)
    assert exposures(h["exposed"]) == exposures(p["exposed"])
    assert flows(h["flows"]) == flows(p["flows"])
    assert paths(h["paths"]) == paths(p["paths"])


@pytest.mark.parametrize("case", CREATE_CASES)
def test_sources_give_the_plans_resource_reachability(case: str):
    p = tfsg_json("show", plan(case))
    h = tfsg_json("show", str(FIXTURES / case))
    assert resource_flows(h) == resource_flows(p)
    assert resource_exposures(h) == resource_exposures(p)
