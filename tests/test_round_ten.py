"""Round ten: a request goes on to the targets of the listener that received it, Lambda targets,
load balancers of another configuration, routes between VPCs, an NLB's own egress
(fixtures/engine_listener_paths); literal AWS-managed prefix lists, dynamic blocks the plan leaves
unknown, one permission written twice, UDP (fixtures/engine_round_ten); an office-only listener
added in front of an app that talks to the data tier (fixtures/gate_office_listener, moto).

Every expected value is derived by hand from the fixtures' .tf files (their comments say how)
with AWS's documentation:

[LR]     ELB guide, "Listener rules for your Application Load Balancer": the rules (and default
         action) of the listener that receives a request choose where it goes; `forward` sends it
         to that listener's target group, `redirect` answers the client and forwards nothing.
[TGT]    ELB guide, "How Elastic Load Balancing works": a load balancer connects to its
         registered targets, from its own interfaces, through its groups' egress rules (NLB:
         "Update the security groups for your Network Load Balancer").
[LAMBDA] ELB guide, "Lambda functions as targets": the load balancer invokes the function with
         the request (no connection to the function's interfaces); a VPC function's own
         connections leave through its groups.
[SHARED] A listener ARN or target group ARN of another configuration: what faces the internet
         there is not in this plan; an unknown of the internet and path policies.
[PEER]   VPC peering guide, "Update your route tables for a VPC peering connection": traffic to a
         peer leaves only subnets whose table routes the peer's CIDR to the connection.
[CF]     CloudFront developer guide, "Restrict access ... using the AWS-managed prefix list":
         com.amazonaws.global.cloudfront.origin-facing (pl-3b927c52 in us-east-1); any viewer can
         make CloudFront connect, so admitting it is internet exposure on those ports.
[EKSRA]  EKS API RemoteAccessConfig: an ec2SshKey without sourceSecurityGroups opens the remote
         access port (tcp 22) to 0.0.0.0/0. EKS user guide, "Amazon EKS security group
         requirements": managed nodes are in the cluster security group (all traffic from
         itself), as are the cluster's own interfaces.
[TRY]    HCL tryfunc: try() over a value holding an unknown is unknown; a dynamic block over it is
         one unknown block in plan JSON (a group's ingress: one placeholder rule whose protocol,
         ports and sources are unknown). The .tf files say what the blocks are.
[SGR]    VPC user guide, "Security group rules": a group's rules are a set of permissions; one
         permission defined inline and by a rule resource is removed only when both go. A waiver
         on one of them does not cover the other.
[UDP]    memcached (udp 11211), NFS (udp 2049) and RDP's UDP transport (udp 3389); an IPv6 rule
         matches IPv6 packets only, and an instance with ipv6_address_count has a public IPv6.
[POL]    Baseline pack: TFSG001 tcp 22/3389 and udp 3389 from the internet (critical), TFSG002 the
         database/cache ports incl. udp 2049 and udp 11211 from the internet (critical), TFSG007
         the data tier reached from the internet through an internet-facing tier (critical),
         TFSG011 a new VPC's default group keeps AWS's rules (medium), TFSG013 inline rules mixed
         with rule resources, TFSG020 an existing data store newly reachable (high, updates).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report, warned_by

LP, RT, OFFICE = "engine_listener_paths", "engine_round_ten", "gate_office_listener"
V4, V6 = "0.0.0.0/0", "::/0"
INTERNET = "internet"


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def _plan_json(case: str) -> dict:
    with open(plan(case)) as f:
        return json.load(f)


def _changes(case: str) -> dict[str, dict]:
    return {c["address"]: c["change"] for c in _plan_json(case)["resource_changes"]}


def _inputs(case: str) -> dict[str, list[str]]:
    return {"plan": [plan(case)], "hcl": [str(FIXTURES / case)]}


def _check(*args: str) -> tuple[int, dict]:
    proc = run_tfsg("check", *args, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _exposed(r: dict) -> set[tuple]:
    return {(e["address"], e["family"], e["protocol"], e["ports"], e.get("listener"), tuple(e["sources"]))
            for e in r["exposed"] if e["kind"] == "resource"}


def _paths(r: dict) -> dict[tuple[str, ...], list[tuple[str, str, list[tuple[str, str]]]]]:
    return {tuple(p["nodes"]): [(h["from"], h["to"], [(s["protocol"], s["ports"]) for s in h["services"]])
                                for h in p["hops"]] for p in r["paths"]}


def _resource_flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]}


JUDGED = {"TFSG001", "TFSG002", "TFSG003", "TFSG004", "TFSG005", "TFSG006", "TFSG007", "TFSG011", "TFSG013",
          "TFSG020"}


def _violations(r: dict) -> set[tuple[str, str]]:
    return {(f["policy"], f["address"]) for f in r["findings"] if f["status"] == "violation" and f["policy"] in JUDGED}


# ================================================================ engine_listener_paths

ALB, IALB, FNLB, NLB = "aws_lb.alb", "aws_lb.ialb", "aws_lb.fnlb", "aws_lb.nlb"
PEER_LB, NOPEER_LB = "aws_lb.xvpc_peer", "aws_lb.xvpc_nopeer"
WEB, ADMIN, SVC, DB = "aws_instance.web", "aws_instance.admin", "aws_instance.svc", "aws_db_instance.db"
FN = "aws_lambda_function.fn"
B_APP, B_APP2 = "aws_instance.b_app", "aws_instance.b_app2"
NLB_A, NLB_B = "aws_instance.nlb_a", "aws_instance.nlb_b"
RULE, WORKERS = "aws_lb_listener_rule.orders", "aws_autoscaling_group.workers"
SHARED_UNKNOWNS = {(RULE, "listener_arn"), (WORKERS, "target_group_arns")}


@pytest.fixture(scope="module", params=["plan", "hcl"])
def lp_show(request) -> dict:
    return tfsg_json("show", *_inputs(LP)[request.param])


@pytest.fixture(scope="module", params=["plan", "hcl"])
def lp_check(request) -> tuple[int, dict]:
    return _check(*_inputs(LP)[request.param])


def test_lp_plan_holds_the_scenario():
    rc = _changes(LP)
    after = {a: c["after"] for a, c in rc.items()}
    assert after["aws_lb_listener.http"]["default_action"][0]["type"] == "redirect"
    assert after["aws_lb_listener.https"]["port"] == 443 and after["aws_lb_listener.admin"]["port"] == 8443
    assert after["aws_lb_target_group.fn"]["target_type"] == "lambda"
    # the literal ARNs of another configuration [SHARED]
    assert after[RULE]["listener_arn"].startswith("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/")
    assert after[WORKERS]["target_group_arns"] == [
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/workers/83e2d6bc24d8a067"]
    # only public_peer routes VPC B [PEER]
    routes = {a: sorted(r.get("cidr_block") or "" for r in after[a]["route"])
              for a in ("aws_route_table.public", "aws_route_table.public_peer")}
    assert routes == {"aws_route_table.public": ["0.0.0.0/0"],
                      "aws_route_table.public_peer": ["0.0.0.0/0", "10.1.0.0/16"]}
    nlb_egress = after[sg("nlb")]["egress"]
    assert [(e["from_port"], e["cidr_blocks"]) for e in nlb_egress] == [(8443, ["10.0.11.0/24"])]


def test_lp_exposures(lp_show):
    """Load balancers on the listener ports their groups admit from 0.0.0.0/0 (alb: 80 and 443;
    8443 is the office's only); targets through the listener that forwards to them. admin is
    behind the office listener only [LR]; b_app2 has no route from its load balancer [PEER];
    nlb_b is outside the NLB's egress [TGT]; the function is invoked, its groups admit nothing
    [LAMBDA]."""
    assert _exposed(lp_show) == {
        (ALB, "ipv4", "tcp", "80", None, (V4,)),
        (ALB, "ipv4", "tcp", "443", None, (V4,)),
        (WEB, "ipv4", "tcp", "8080", "aws_lb_listener.https", ("aws_lb_listener.https",)),
        (FNLB, "ipv4", "tcp", "443", None, (V4,)),
        (PEER_LB, "ipv4", "tcp", "443", None, (V4,)),
        (NOPEER_LB, "ipv4", "tcp", "443", None, (V4,)),
        (B_APP, "ipv4", "tcp", "8080", "aws_lb_listener.peer", ("aws_lb_listener.peer",)),
        (NLB, "ipv4", "tcp", "443", None, (V4,)),
        (NLB_A, "ipv4", "tcp", "8443", "aws_lb_listener.nlb", ("aws_lb_listener.nlb",)),
    }


def test_lp_a_paths_follow_the_listener(lp_show):
    """(a) [LR] internet -> alb goes on to web only, on tcp 443 only (http redirects); no path to
    admin or through it to the database; the longer real path through the internal ALB is
    listed with each hop's services."""
    paths = {n: h for n, h in _paths(lp_show).items() if n[1] == ALB}
    first = (INTERNET, ALB, [("tcp", "443")])
    assert paths == {
        (INTERNET, ALB, WEB): [first, (ALB, WEB, [("tcp", "8080")])],
        (INTERNET, ALB, WEB, IALB): [first, (ALB, WEB, [("tcp", "8080")]), (WEB, IALB, [("tcp", "80")])],
        (INTERNET, ALB, WEB, IALB, SVC): [first, (ALB, WEB, [("tcp", "8080")]), (WEB, IALB, [("tcp", "80")]),
                                          (IALB, SVC, [("tcp", "8081")])],
    }
    assert not [n for n in _paths(lp_show) if ADMIN in n]


def test_lp_b_lambda_target_is_a_hop(lp_show):
    """(b) [LAMBDA] internet -[443]-> fnlb -> fn -[5432]-> db; the middle hop is the request the
    listener received (tcp 443), with no egress on fnlb's group."""
    paths = {n: h for n, h in _paths(lp_show).items() if n[1] == FNLB}
    first = (INTERNET, FNLB, [("tcp", "443")])
    assert paths == {
        (INTERNET, FNLB, FN): [first, (FNLB, FN, [("tcp", "443")])],
        (INTERNET, FNLB, FN, DB): [first, (FNLB, FN, [("tcp", "443")]), (FN, DB, [("tcp", "5432")])],
    }


def test_lp_d_peer_route_carries_the_hop(lp_show):
    """(d) [PEER] the ALB whose subnets route VPC B reaches its target there; the one whose
    subnets do not has no hop and no path."""
    assert (PEER_LB, B_APP, "tcp", "8080") in _resource_flows(lp_show)
    assert not [f for f in _resource_flows(lp_show) if NOPEER_LB in f[:2]]
    assert not [n for n in _paths(lp_show) if n[1] == NOPEER_LB]
    assert (INTERNET, PEER_LB, B_APP) in _paths(lp_show)


def test_lp_d_only_the_registered_target(lp_show):
    """(d) [TGT][PEER] xvpc_peer connects to its registered target b_app only: no hop to b_app2,
    which only xvpc_nopeer (no route to VPC B) registers."""
    paths = {n: h for n, h in _paths(lp_show).items() if n[1] in (PEER_LB, NOPEER_LB)}
    assert paths == {(INTERNET, PEER_LB, B_APP): [(INTERNET, PEER_LB, [("tcp", "443")]),
                                                  (PEER_LB, B_APP, [("tcp", "8080")])]}
    assert {f for f in _resource_flows(lp_show) if f[0] in (PEER_LB, NOPEER_LB)} == {(PEER_LB, B_APP, "tcp", "8080")}


def test_lp_e_nlb_egress_picks_the_subnet(lp_show):
    """(e) [TGT] the NLB's group sends tcp 8443 to 10.0.11.0/24 only: nlb_a (private_a) is
    reached, nlb_b (private_b) is not, though both are in the target group and group nlb_app."""
    paths = {n: h for n, h in _paths(lp_show).items() if n[1] == NLB}
    assert paths == {(INTERNET, NLB, NLB_A): [(INTERNET, NLB, [("tcp", "443")]), (NLB, NLB_A, [("tcp", "8443")])]}
    assert {f for f in _resource_flows(lp_show) if f[0] == NLB} == {(NLB, NLB_A, "tcp", "8443")}


def test_lp_resource_flows_other_parts(lp_show):
    """Connections the rules and registrations make, outside part (d): the ALB connects to both
    of its targets (admin through the office listener's target group) [TGT]; admin, the function
    and orders may open tcp 5432 to the database; web -> ialb -> svc; fnlb invokes fn [LAMBDA]."""
    flows = {f for f in _resource_flows(lp_show) if not ({f[0], f[1]} & {PEER_LB, NOPEER_LB, B_APP, B_APP2})}
    assert flows == {
        (ALB, WEB, "tcp", "8080"), (ALB, ADMIN, "tcp", "9000"),
        (WEB, IALB, "tcp", "80"), (IALB, SVC, "tcp", "8081"),
        (ADMIN, DB, "tcp", "5432"), (FN, DB, "tcp", "5432"), ("aws_instance.orders", DB, "tcp", "5432"),
        (FNLB, FN, "tcp", "443"),
        (NLB, NLB_A, "tcp", "8443"),
    }


def test_lp_c_shared_load_balancers_are_unknowns(lp_show):
    """(c) [SHARED] the listener rule on another configuration's listener and the Auto Scaling
    group registered with another configuration's target group: two unknowns, nothing else."""
    assert {(u["address"], u["attribute"]) for u in lp_show["unknown"]} == SHARED_UNKNOWNS


def test_lp_findings(lp_check):
    """No path from the internet reaches the database through an internet-facing tier (web,
    admin, fn and svc have no public address) [POL]; the two new VPCs' default groups keep
    AWS's rules. (c) leaves the internet and path policies not fully evaluated [SHARED]."""
    code, r = lp_check
    assert code == 0
    assert _violations(r) == {("TFSG011", "aws_vpc.main"), ("TFSG011", "aws_vpc.b")}
    warned = warned_by(r)
    for policy in ("TFSG001", "TFSG002", "TFSG007"):
        assert SHARED_UNKNOWNS <= warned.get(policy, set()), policy


def test_lp_check_text_names_the_shared_unknowns():
    proc = run_tfsg("check", str(FIXTURES / LP))
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    section = out[out.index("Not fully evaluated"):]
    assert "TFSG001" in section.splitlines()[0] and "TFSG007" in section.splitlines()[0]
    assert f"? {RULE} listener_arn" in section and f"? {WORKERS} target_group_arns" in section


# ================================================================ engine_round_ten

ORIGIN, RT_DB = "aws_instance.origin", "aws_db_instance.db"
NODES = "module.ops_nodes.aws_eks_node_group.this"
NODES_RA = f"{NODES} (remote access)"
DYN, MYSQL, UDP = "aws_instance.dyn", "aws_instance.mysql", "aws_instance.udp"
CF = "pl-3b927c52"

RT_VIOLATIONS = {
    ("TFSG007", RT_DB),            # (f) internet -> origin (public, CloudFront's list) -> db [CF]
    ("TFSG001", NODES_RA),         # (g) key, no source groups [EKSRA]
    ("TFSG001", sg("dyn")),        # (h) tcp 22 from 0.0.0.0/0 [TRY]
    ("TFSG002", sg("mysql")),      # (i) tcp 3306, not waived [SGR]
    ("TFSG002", sg("udp")),        # (j) udp 2049, udp 11211 [UDP]
    ("TFSG001", sg("udp")),        # (j) udp 3389 from ::/0 [UDP]
    ("TFSG013", sg("mysql")),      # (i) inline and a rule resource on one group's ingress
    ("TFSG011", "aws_vpc.main"), ("TFSG011", "aws_vpc.eks"),
}


@pytest.fixture(scope="module", params=["plan", "hcl"])
def rt_show(request) -> dict:
    return tfsg_json("show", *_inputs(RT)[request.param])


@pytest.fixture(scope="module", params=["plan", "hcl"])
def rt_check(request) -> tuple[int, dict]:
    return _check(*_inputs(RT)[request.param])


@pytest.fixture(scope="module")
def rt_check_no_sources() -> tuple[int, dict]:
    return _check(plan(RT), "--no-sources")


def test_rt_plan_holds_the_scenario():
    rc = _changes(RT)
    # (g) the whole remote_access block is unknown [TRY]
    assert rc[NODES]["after"].get("remote_access") is None and rc[NODES]["after_unknown"]["remote_access"] is True
    # (h) one placeholder rule, protocol and ports unknown [TRY]
    assert len(rc[sg("dyn")]["after"]["ingress"]) == 1
    assert {k: rc[sg("dyn")]["after_unknown"]["ingress"][0][k] for k in ("protocol", "from_port", "cidr_blocks")} == \
        {"protocol": True, "from_port": True, "cidr_blocks": True}
    # (f) the literal id, inline and on the rule resource
    assert rc[sg("cf_http")]["after"]["ingress"][0]["prefix_list_ids"] == [CF]
    assert rc["aws_vpc_security_group_ingress_rule.cf_https"]["after"]["prefix_list_id"] == CF
    # (i) one permission, twice
    inline = rc[sg("mysql")]["after"]["ingress"]
    rule = rc["aws_security_group_rule.mysql_vendor"]["after"]
    assert [(i["protocol"], i["from_port"], i["to_port"], i["cidr_blocks"]) for i in inline] == \
        [(rule["protocol"], rule["from_port"], rule["to_port"], rule["cidr_blocks"])] == [("tcp", 3306, 3306, [V4])]
    assert rc[UDP]["after"]["ipv6_address_count"] == 1


def test_rt_exposures(rt_show):
    """(f) CloudFront's list is every public IPv4 address on 80 and 443 [CF]; (g) the nodes on
    tcp 22 [EKSRA]; (h) the real rule from the .tf files (also with the plan alone: the sources
    are read beside it) [TRY]; (i) tcp 3306; (j) udp per family [UDP]."""
    assert _exposed(rt_show) == {
        (ORIGIN, "ipv4", "tcp", "80", None, (CF,)),
        (ORIGIN, "ipv4", "tcp", "443", None, (CF,)),
        (NODES, "ipv4", "tcp", "22", None, (V4,)),
        (DYN, "ipv4", "tcp", "22", None, (V4,)),
        (MYSQL, "ipv4", "tcp", "3306", None, (V4,)),
        (UDP, "ipv4", "udp", "2049", None, (V4,)),
        (UDP, "ipv4", "udp", "11211", None, (V4,)),
        (UDP, "ipv6", "udp", "3389", None, (V6,)),
    }
    groups = {(e["address"], e["protocol"], e["ports"], tuple(e["sources"])) for e in rt_show["exposed"]
              if e["kind"] == "group"}
    assert (sg("cf_http"), "tcp", "80", (CF,)) in groups and (sg("cf_https"), "tcp", "443", (CF,)) in groups


def test_rt_paths(rt_show):
    """(f) internet -> origin -> db on 80/443 then 5432 [CF]; (g) the nodes and the cluster's
    interfaces share the cluster group (all traffic from itself) [EKSRA]. The other hosts open
    nothing (egress = [])."""
    assert _paths(rt_show) == {
        (INTERNET, ORIGIN, RT_DB): [(INTERNET, ORIGIN, [("tcp", "80"), ("tcp", "443")]),
                                    (ORIGIN, RT_DB, [("tcp", "5432")])],
        (INTERNET, NODES, "aws_eks_cluster.ops"): [(INTERNET, NODES, [("tcp", "22")]),
                                                   (NODES, "aws_eks_cluster.ops", [("all", "all")])],
    }
    assert rt_show["unknown"] == []


def test_rt_findings(rt_check):
    code, r = rt_check
    assert code == 1
    assert _violations(r) == RT_VIOLATIONS
    assert not [f for f in r["findings"] if f["status"] == "warning" and f["key"] == "unknown"]


def test_rt_i_both_definitions_and_no_waiver(rt_check):
    """(i) [SGR] defined_by names the inline group and the rule resource; the waiver on the rule
    alone leaves the inline permission: not waived, blocking."""
    _, r = rt_check
    [f] = [f for f in r["findings"] if f["policy"] == "TFSG002" and f["address"] == sg("mysql")]
    assert f["status"] == "violation" and not f["waived"] and f["blocking"]
    assert set(f["evidence"]["defined_by"]) == {sg("mysql"), "aws_security_group_rule.mysql_vendor"}
    assert f["evidence"]["exposed_resources"] == [MYSQL]
    assert not [x for x in r["findings"] if x["waived"]]


def test_rt_j_udp_services(rt_check):
    _, r = rt_check
    by = {(f["policy"], f["address"]): f for f in r["findings"] if f["status"] == "violation"}
    assert by[("TFSG002", sg("udp"))]["key"] == "internet udp 2049, udp 11211"
    assert by[("TFSG001", sg("udp"))]["key"] == "internet udp 3389"
    assert by[("TFSG001", sg("udp"))]["evidence"]["exposed_resources"] == [UDP]


def test_rt_f_cloudfront_literal_is_the_internet(rt_check):
    """(f) [CF] TFSG007 on the database: reached from the internet through origin, itself
    internet-facing; the list's entries are not an unknown (the id is CloudFront's)."""
    _, r = rt_check
    [f] = [f for f in r["findings"] if f["policy"] == "TFSG007" and f["status"] == "violation"]
    assert f["address"] == RT_DB and f["severity"] == "critical" and f["blocking"]


def test_rt_no_sources_leaves_g_and_h_unknown(rt_check_no_sources):
    """--no-sources: (g) the remote_access block and (h) dyn's ingress are unknowns that leave
    TFSG001 not fully evaluated, with no violation on either [EKSRA][TRY]; the rest is as with
    the sources."""
    code, r = rt_check_no_sources
    assert code == 1
    assert _violations(r) == RT_VIOLATIONS - {("TFSG001", NODES_RA), ("TFSG001", sg("dyn"))}
    warned = warned_by(r)
    assert {(NODES, "remote_access"), (sg("dyn"), "ingress")} <= warned.get("TFSG001", set())


# ================================================================ gate_office_listener


def test_office_plan_adds_only_the_listener():
    p = _plan_json(OFFICE)
    actions = {rc["address"]: rc["change"]["actions"] for rc in p["resource_changes"]}
    created = {a for a, act in actions.items() if act == ["create"]}
    assert created == {"aws_lb_target_group.admin", "aws_lb_listener.admin", "aws_lb_target_group_attachment.admin"}
    assert {tuple(a) for addr, a in actions.items() if addr not in created} == {("no-op",)}
    assert _changes(OFFICE)["aws_lb_listener.admin"]["after"]["port"] == 8443


def test_office_diff_nothing_new_from_the_internet():
    """[LR] 8443 is the office's: no new exposure, no new path; the only new connection is the
    ALB to its new target [TGT]."""
    r = tfsg_json("diff", plan(OFFICE))
    assert r["added"] == [] and r["removed"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []
    assert r["paths_added"] == [] and r["paths_removed"] == []
    assert {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows_added"]} == \
        {("aws_lb.alb", "aws_instance.admin", "tcp", "9000")}


def test_office_check_passes():
    """[LR][POL] no introduced TFSG020 or TFSG007: the data tier is still reached from admin
    only, which the internet does not reach; check passes."""
    code, r = _check(plan(OFFICE))
    assert code == 0
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG020", "TFSG007")]
    assert not [f for f in r["findings"] if f["introduced"] and f["status"] == "violation"]


# ---------------------------------------------------------------- fixtures/gate_prefix_list_widened
# [PL] VPC user guide, "Managed prefix lists": a rule naming a customer-managed list admits the
# list's current entries. The change edits only the two lists (Plan: 0 to add, 2 to change): each
# gains 172.16.0.0/12 (1,048,576 addresses); the groups' rules are no-op.
#   narrow: 192.168.5.10/32 -> + 172.16.0.0/12: db_a admits 1 -> 1,048,577 addresses on tcp 5432
#   wide:   192.168.0.0/16  -> + 172.16.0.0/12: db_b admits 65,536 -> 1,114,112 addresses
PLW = "gate_prefix_list_widened"
PL_NARROW, PL_WIDE = "aws_ec2_managed_prefix_list.narrow", "aws_ec2_managed_prefix_list.wide"


def test_plw_diff_lists_the_flows_the_entries_change():
    """[PL] Each list's flow is added (it carries 172.16.0.0/12 now), the list among its writers,
    and the exposure numbers say how much: not "Reachability is unchanged"."""
    r = tfsg_json("diff", plan(PLW))
    added = {(f["from"], f["to"], f["protocol"], f["ports"]): f["defined_by"] for f in r["added"]}
    assert added == {(PL_NARROW, sg("db_a"), "tcp", "5432"): [PL_NARROW, sg("db_a")],
                     (PL_WIDE, sg("db_b"), "tcp", "5432"): [PL_WIDE, sg("db_b")]}
    assert r["removed"] == [] and r["summary"]["reachability_changed"] is True
    numbers = {(c["group"], c["direction"]): (c["before"]["addresses"], c["after"]["addresses"])
               for c in r["exposure_changes"]}
    assert numbers == {(sg("db_a"), "ingress"): (1, 1_048_577), (sg("db_b"), "ingress"): (65_536, 1_114_112)}


def test_plw_check_blocks_both_widened_lists():
    """[PL][POL] TFSG005 (database ports from sources wider than a /24): db_a's is new, db_b's
    existed (a /16) and grows, so both are introduced; the check fails."""
    proc = run_tfsg("check", plan(PLW), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    found = {(f["policy"], f["address"], f["introduced"], f["evidence"].get("addresses"))
             for f in r["findings"] if f["policy"] == "TFSG005"}
    assert found == {("TFSG005", sg("db_a"), True, 1_048_577), ("TFSG005", sg("db_b"), True, 1_114_112)}


# ---------------------------------------------------------------- fixtures/gate_second_open_group
# [AGG] EC2 user guide, "Security groups": the rules of all groups on an interface are aggregated.
# Before: aws_instance.bastion is public and its own group admits tcp 22 from 0.0.0.0/0; web's
# group admits tcp 22 and tcp 80 from 0.0.0.0/0. After: bastion is also in web's group.
SOG = "gate_second_open_group"


def test_sog_only_http_is_new_reach():
    """[AGG] bastion gains tcp 80 from the internet; tcp 22 it had: the diff says just that."""
    r = tfsg_json("diff", plan(SOG))
    assert r["added"] == [] and r["removed"] == []
    assert {(e["address"], e["protocol"], e["ports"]) for e in r["newly_exposed"]} == \
        {("aws_instance.bastion", "tcp", "80")}


def test_sog_the_web_groups_ssh_finding_stays_existing():
    """[AGG][POL] web's TFSG001 now names bastion too, but bastion was reachable on tcp 22
    before: no new reach, so nothing is introduced and the check passes (the previous tfsg
    blocked with "now reachable: aws_instance.bastion")."""
    proc = run_tfsg("check", plan(SOG), "--format", "json")
    assert proc.returncode == 0, proc.stdout.decode()
    r = json.loads(proc.stdout)
    found = {(f["policy"], f["address"], f["introduced"]) for f in r["findings"] if f["policy"] == "TFSG001"}
    assert found == {("TFSG001", sg("bastion"), False), ("TFSG001", sg("web"), False)}
    web = next(f for f in r["findings"] if f["policy"] == "TFSG001" and f["address"] == sg("web"))
    assert "grown" not in web["evidence"]


def test_refresh_only_plan_says_the_configuration_is_not_checked():
    """A -refresh-only plan (fixtures/refresh_only: no resource_changes, complete: true) records
    drift only: the check says the configuration's change is not in it (it passed in silence)."""
    r = json.loads(run_tfsg("check", plan("refresh_only"), "--format", "json").stdout)
    assert "refresh-only" in r["input"]["plan_note"] and "not checked" in r["input"]["plan_note"]


# ---------------------------------------------------------------- fixtures/verdict_budget_ports
BUDGET = "verdict_budget_ports"


def test_budget_names_only_the_services_over_it():
    """[POL] TFSG006 counts per service: tcp 3306 and tcp 5439 hold two /22s (2,048) and the
    group's one member (self: all traffic) = 2,049 > 256; tcp 1433 holds 16 + 1; tcp 443 and
    6379 come from the whole internet only (TFSG002's), so they are not counted. TFSG005 names
    Redshift's 5439 beside 3306 (the data stores' ports of TFSG002)."""
    r = json.loads(run_tfsg("check", plan(BUDGET), "--format", "json").stdout)
    by = {f["policy"]: f for f in r["findings"] if f["address"] == sg("data")}
    six = by["TFSG006"]
    assert [(s["protocol"], s["ports"]) for s in six["evidence"]["services"]] == [("tcp", "3306"), ("tcp", "5439")]
    assert (six["evidence"]["addresses"], six["evidence"]["members"]) == (2048, 1)
    assert "2,049 addresses on tcp 3306, tcp 5439 (budget 256)" in six["message"]
    assert [(s["protocol"], s["ports"]) for s in by["TFSG005"]["evidence"]["services"]] == \
        [("tcp", "3306"), ("tcp", "5439")]
    assert [(s["protocol"], s["ports"]) for s in by["TFSG002"]["evidence"]["services"]] == [("tcp", "6379")]


# ---------------------------------------------------------------- fixtures/verdict_module_args
# README "Reports": a rule made inside a module points at the root's module call argument that
# holds its values. The module splits comma-joined CIDR strings (terraform-aws-modules' idiom).
MARGS = "verdict_module_args"


def test_module_argument_of_the_rules_direction():
    """SSH from 0.0.0.0/0 is written on main.tf:29, inside the comma-joined string of the
    ``ingress`` argument; main.tf:15 (``egress``) holds 0.0.0.0/0 too but opens nothing inbound.
    The egress-to-everything finding is the egress argument's (main.tf:15)."""
    r = json.loads(run_tfsg("check", plan(MARGS), "--format", "json").stdout)
    where = {f["policy"]: f["location"] for f in r["findings"] if f["policy"] in ("TFSG001", "TFSG017")}
    assert where == {"TFSG001": "fixtures/verdict_module_args/main.tf:29",
                     "TFSG017": "fixtures/verdict_module_args/main.tf:15"}
