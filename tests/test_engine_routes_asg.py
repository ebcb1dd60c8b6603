"""Engine v2 (issue 10), real-module shapes: route tables the provider computes, and the ways
Auto Scaling groups are registered with load balancer target groups.

Fixtures: fixtures/engine_routes and fixtures/engine_asg_sources (create plans). Every
expectation below is derived by hand from the .tf files beside each plan and from AWS and
provider documentation, never from tfsg's output. The rule each one rests on is cited by its tag:

[RT]      VPC user guide, "Route tables": a subnet uses the route table explicitly associated
          with it (aws_route_table_association), else the VPC's main route table. Every table
          holds the local route for the VPC's CIDR; a new VPC's main table holds only that.
[IGW]     VPC user guide, "Internet gateways" / "Enable internet access": an instance with a
          public IPv4 address is reachable from the internet only when its subnet's route table
          sends the traffic (0.0.0.0/0 here) to an internet gateway.
[NAT]     VPC user guide, "NAT gateways": a NAT gateway lets instances in a private subnet open
          connections out; the internet cannot open connections in through it. A public IPv4
          address on an instance in a subnet routing 0.0.0.0/0 to a NAT gateway is not reachable.
[DEFRT]   Terraform AWS provider, aws_default_route_table: it adopts the VPC's default (= main)
          route table; `route` is processed in attribute-as-blocks mode, so writing no route
          block (a dynamic "route" over an empty list writes none) leaves the routes AWS has,
          and a new VPC's main table has only the local route.
[RTBLK]   Terraform AWS provider, aws_route_table: with no `route` block the table's routes are
          computed (all of its routes are then aws_route resources or AWS's local route). In
          the plan JSON, `route` is then unknown and `configuration` has no `route` expression,
          exactly as for a dynamic "route" block whose contents are not known: the plan alone
          cannot tell these apart; only the .tf sources can.
[RDSPUB]  RDS user guide, "Working with a DB instance in a VPC" / "Hiding a DB instance in a VPC
          from the internet": publicly_accessible = true gives the instance a public address,
          which is reachable only when its DB subnet group's subnets route to an internet gateway.
[NLBSG]   ELB, "Update the security groups for your Network Load Balancer": if you don't
          associate a security group with a Network Load Balancer, all client traffic can reach
          its listeners.
[NLBCIP]  ELB, NLB target groups, "Client IP preservation": enabled by default for target_type
          instance, so the target's groups see the internet client's address.
[SCHEME]  ELB, "Load balancer scheme": an internet-facing load balancer's nodes have public
          IP addresses.
[ASGATT]  EC2 Auto Scaling user guide, "Use Elastic Load Balancing to distribute incoming
          application traffic in your Auto Scaling group" / "Attach a load balancer to your
          Auto Scaling group": an ASG attached to a target group registers its instances as
          targets. Terraform: aws_autoscaling_traffic_source_attachment (traffic_source
          identifier + type "elbv2"), aws_autoscaling_attachment (lb_target_group_arn), or the
          ASG's own traffic_source block (schema checked in hashicorp/aws 5.100.0); each names
          the ASG by its name (autoscaling_group_name), which may be a literal or a reference.
[TRY]     Terraform, try(): returns the first argument that evaluates without error. In
          module.b, `aws_autoscaling_group.idc` has count = 0, so `idc[0]` does not exist and
          the module's output `name` is `this[0].name` (known only after apply: name_prefix).
[ENI]     EC2 user guide, "Elastic network interfaces": a secondary interface keeps its own
          subnet, groups and addresses; an Elastic IP associated with it makes the instance it is
          attached to reachable at that address, on what that interface's groups admit.
[CLB]     Classic ELB guide, "Listeners" and "Security groups for instances": a listener forwards
          from lb_port to instance_port of the registered instances, and connects to them from
          the load balancer's own addresses (the client's address is never what they see).
[LB]      A load balancer forwards from a listener's port to its target groups' targets on the
          target port (the target group's port, 8080 here, for ASG-registered instances).

Conventions: EXPOSURES are (resource, family, protocol, ports, listener) as in
tests/test_engine.py: the internet reaches `resource` over that address family on those ports;
listener None = at the resource's own public address, "aws_lb_listener.x" = through that
listener of an internet-facing load balancer (ports: what the resource receives on). Ports are
compared as sets of port numbers per (resource, family, protocol, listener), so one row
"80-83" and four rows "80", "81", "82", "83" are the same fact.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json


# ---------------------------------------------------------------- helpers


def _ports(text: str) -> frozenset[int]:
    if text == "all":
        return frozenset(range(0, 65536))
    lo, _, hi = text.partition("-")
    return frozenset(range(int(lo), int(hi or lo) + 1))


def resource_exposures(result: dict) -> dict[tuple[str, str, str, str | None], frozenset[int]]:
    """Exposed rows of kind "resource": (address, family, protocol, listener) -> ports."""
    got: dict[tuple[str, str, str, str | None], set[int]] = {}
    for e in result["exposed"]:
        if e["kind"] == "resource":
            got.setdefault((e["address"], e["family"], e["protocol"], e.get("listener")), set()).update(
                _ports(e["ports"]))
    return {k: frozenset(v) for k, v in got.items()}


def expected(rows: set[tuple[str, str, str, str, str | None]]) -> dict[tuple[str, str, str, str | None], frozenset[int]]:
    want: dict[tuple[str, str, str, str | None], set[int]] = {}
    for address, family, proto, ports, listener in rows:
        want.setdefault((address, family, proto, listener), set()).update(_ports(ports))
    return {k: frozenset(v) for k, v in want.items()}


def reachable(result: dict) -> set[str]:
    return {e["address"] for e in result["exposed"] if e["kind"] == "resource"}


def changes(case: str) -> dict[str, dict]:
    doc = json.loads((FIXTURES / case / "plan.json").read_text())
    return {rc["address"]: rc for rc in doc["resource_changes"]}


def config_resources(case: str) -> dict[str, dict]:
    doc = json.loads((FIXTURES / case / "plan.json").read_text())
    return {r["address"]: r for r in doc["configuration"]["root_module"]["resources"]}


def show_plan(case: str, *extra: str) -> dict:
    return tfsg_json("show", plan(case), *extra)


def show_sources(case: str) -> dict:
    r = tfsg_json("show", str(FIXTURES / case))
    assert r["input"]["kind"] == "hcl"
    return r


# ================================================================ 1. engine_routes

PUBLIC_HOST, DYN_HOST = "aws_instance.public_host", "aws_instance.dyn_host"
PRIVATE_A, PRIVATE_B = "aws_instance.private_a", "aws_instance.private_b"
LONELY_HOST, DB = "aws_instance.lonely_host", "aws_db_instance.db"
MULTI, MGMT = "aws_instance.multi", "aws_network_interface.mgmt"

ROUTES_EXPOSED = {
    # public subnet, explicitly associated with table public, whose literal route block sends
    # 0.0.0.0/0 to the IGW [RT][IGW]; public IPv4 (associate_public_ip_address); ssh admits
    # 0.0.0.0/0 on 22
    (PUBLIC_HOST, "ipv4", "tcp", "22", None),
    # dyn subnet: table dyn writes the same route with a dynamic block over a one-element local
    # list [RT][IGW]
    (DYN_HOST, "ipv4", "tcp", "22", None),
    # [ENI] mgmt, made on its own in the public subnet, has an Elastic IP; its group admits
    # 0.0.0.0/0 on 9100. It is multi's device 1: the internet reaches multi at that address on
    # what mgmt's own group admits (9100), not on 22 (ssh is on eth0, which has no public address)
    (MGMT, "ipv4", "tcp", "9100", None),
    (MULTI, "ipv4", "tcp", "9100", None),
    # [ENI] the same through the interface's own attachment block (multi2's device 1), and for
    # on_eni, launched on eth0: no address of its own, the interface's Elastic IP reaches it
    ("aws_network_interface.mgmt_inline", "ipv4", "tcp", "9100", None),
    ("aws_instance.multi2", "ipv4", "tcp", "9100", None),
    ("aws_network_interface.eth0", "ipv4", "tcp", "9100", None),
    ("aws_instance.on_eni", "ipv4", "tcp", "9100", None),
}
# Not exposed, although each has a public IPv4 address (or asks for one) and a world-open group:
# - private_a, private_b: both associations name private[0] (element(..., single_nat_gateway ? 0
#   : count.index) = 0); that table has no route block [RTBLK] and its only written route is
#   aws_route.private_nat, 0.0.0.0/0 to the NAT gateway [RT][NAT]
# - lonely_host: no association, so the VPC's main table, the aws_default_route_table, whose
#   dynamic "route" over [] writes nothing: local route only [RT][DEFRT]
# - db: publicly accessible, but its DB subnet group is the two private subnets [RDSPUB][NAT]
ROUTES_NOT_EXPOSED = {PRIVATE_A, PRIVATE_B, LONELY_HOST, DB}

# --no-sources: the plan alone cannot tell private[0]'s routes from a dynamic block's [RTBLK], so
# the private instances must be listed (fail closed) with the reason; the two hosts reachable
# with sources stay reachable (dyn's route target is unknown in the plan and its configuration
# has no route expression: fail closed keeps it too).
NO_SOURCES_REQUIRED = {PUBLIC_HOST, DYN_HOST, PRIVATE_A, PRIVATE_B, MULTI, MGMT, "aws_instance.multi2",
                       "aws_network_interface.mgmt_inline", "aws_instance.on_eni", "aws_network_interface.eth0"}
# The same [RTBLK] argument holds for the default route table (`route` unknown, no `route`
# expression) and so for lonely_host, and for the db in the private subnets (tcp 5432).
NO_SOURCES_FAIL_CLOSED_TOO = {LONELY_HOST, DB}


def test_routes_plan_holds_the_scenario():
    rc = changes("engine_routes")
    assert {a: c["change"]["actions"] for a, c in rc.items()} == {a: ["create"] for a in rc}
    after = {a: c["change"]["after"] for a, c in rc.items()}
    unknown = {a: c["change"]["after_unknown"] for a, c in rc.items()}
    conf = config_resources("engine_routes")
    # literal route block: destination known, the IGW id only after apply, referenced in configuration
    assert [r["cidr_block"] for r in after["aws_route_table.public"]["route"]] == ["0.0.0.0/0"]
    assert unknown["aws_route_table.public"]["route"] == [{"gateway_id": True}]
    assert conf["aws_route_table.public"]["expressions"]["route"]["references"][0] == "aws_internet_gateway.igw.id"
    # dynamic route block: the same in `after`, absent from `configuration`
    assert [r["cidr_block"] for r in after["aws_route_table.dyn"]["route"]] == ["0.0.0.0/0"]
    assert unknown["aws_route_table.dyn"]["route"] == [{"gateway_id": True}]
    assert "route" not in conf["aws_route_table.dyn"]["expressions"]
    # no route block / dynamic over []: routes computed by the provider [RTBLK][DEFRT]
    for table in ("aws_route_table.private[0]", "aws_default_route_table.default"):
        assert "route" not in after[table] and unknown[table]["route"] is True
    assert "route" not in conf["aws_route_table.private"]["expressions"]
    assert "route" not in conf["aws_default_route_table.default"]["expressions"]
    assert "aws_route_table.private[1]" not in rc
    assert after["aws_route.private_nat"]["destination_cidr_block"] == "0.0.0.0/0"
    assert unknown["aws_route.private_nat"]["nat_gateway_id"] is True
    # the vpc module's association idiom: only splat references in configuration
    assert conf["aws_route_table_association.private"]["expressions"]["route_table_id"]["references"] == [
        "aws_route_table.private", "var.single_nat_gateway", "count.index"]
    assert {a for a in rc if a.startswith("aws_route_table_association.")} == {
        "aws_route_table_association.public", "aws_route_table_association.dyn",
        "aws_route_table_association.private[0]", "aws_route_table_association.private[1]"}
    for host in (PUBLIC_HOST, DYN_HOST, PRIVATE_A, PRIVATE_B, LONELY_HOST):
        assert after[host]["associate_public_ip_address"] is True
    assert after[DB]["publicly_accessible"] is True


def test_routes_plan_exposures():
    r = show_plan("engine_routes")
    assert resource_exposures(r) == expected(ROUTES_EXPOSED)
    assert not reachable(r) & ROUTES_NOT_EXPOSED


def test_routes_sources_exposures():
    r = show_sources("engine_routes")
    assert resource_exposures(r) == expected(ROUTES_EXPOSED)
    assert not reachable(r) & ROUTES_NOT_EXPOSED


def test_routes_no_sources_fails_closed_on_computed_routes():
    r = show_plan("engine_routes", "--no-sources")
    got = resource_exposures(r)
    assert NO_SOURCES_REQUIRED <= reachable(r)
    # nothing reachable with the sources is lost
    for key, ports in expected(ROUTES_EXPOSED).items():
        assert ports <= got.get(key, frozenset()), key
    for host in (PRIVATE_A, PRIVATE_B):
        assert _ports("22") <= got.get((host, "ipv4", "tcp", None), frozenset()), host
        reasons = [e.get("reason") or "" for e in r["exposed"] if e["kind"] == "resource" and e["address"] == host]
        assert reasons and all("known only after apply" in why for why in reasons), reasons
    # nothing else than what the plan cannot rule out
    assert reachable(r) <= NO_SOURCES_REQUIRED | NO_SOURCES_FAIL_CLOSED_TOO


def test_host_reached_at_an_attached_interface_reaches_onwards():
    """[ENI] the internet reaches multi through its second interface's Elastic IP, and multi then
    connects as itself: its eth0 group (ssh) allows all out and the db's group admits 0.0.0.0/0
    on 5432, so internet -> multi -> db is a path (a data tier behind an internet-facing host)."""
    r = show_plan("engine_routes")
    paths = {tuple(p["nodes"]): [h["services"] for h in p["hops"]] for p in r["paths"]}
    assert paths[("internet", MULTI, DB)] == [[{"protocol": "tcp", "ports": "9100"}],
                                              [{"protocol": "tcp", "ports": "5432"}]]
    why = {e["reason"] for e in r["exposed"] if e["address"] == MULTI}
    assert why == {"IPv4: through its network interface aws_network_interface.mgmt "
                   "(Elastic IP aws_eip.mgmt is associated with it)"}


def test_routes_no_sources_fails_closed_on_the_default_table_too():
    """[RTBLK] applied to the main table: the default route table's routes are as unknown in the
    plan as private[0]'s, so lonely_host (tcp 22) and the public db (tcp 5432) are listed too."""
    r = show_plan("engine_routes", "--no-sources")
    got = resource_exposures(r)
    assert _ports("22") <= got.get((LONELY_HOST, "ipv4", "tcp", None), frozenset())
    assert _ports("5432") <= got.get((DB, "ipv4", "tcp", None), frozenset())


# ================================================================ 2. engine_asg_sources

NLB = "aws_lb.nlb"
ASG_A, ASG_B = "aws_autoscaling_group.a", "module.b.aws_autoscaling_group.this[0]"
ASG_C, ASG_D = "aws_autoscaling_group.c", "aws_autoscaling_group.d"
ASG_E = "aws_autoscaling_group.e"
ATTACHMENTS = {"aws_autoscaling_traffic_source_attachment.a", "aws_autoscaling_attachment.b",
               "aws_autoscaling_attachment.c", "aws_autoscaling_attachment.e"}

ASG_EXPOSED = {
    # internet-facing NLB without groups: every listener is open to the internet [NLBSG][SCHEME];
    # ip_address_type unset = ipv4
    (NLB, "ipv4", "tcp", "80-83", None),
    # listener -> target group (instance, TCP 8080, client IP preserved [NLBCIP]) -> the ASG's
    # instances [ASGATT][LB]; the launch template's group app admits 0.0.0.0/0 on 8080
    (ASG_A, "ipv4", "tcp", "8080", "aws_lb_listener.a"),  # traffic source attachment, by reference
    (ASG_B, "ipv4", "tcp", "8080", "aws_lb_listener.b"),  # attachment via module.b.name [TRY]
    (ASG_C, "ipv4", "tcp", "8080", "aws_lb_listener.c"),  # attachment by the literal name "asg-c"
    (ASG_D, "ipv4", "tcp", "8080", "aws_lb_listener.d"),  # the ASG's inline traffic_source
    (ASG_E, "ipv4", "tcp", "8080", "aws_lb_listener.d"),  # attachment naming target group d by a local
    # [CLB] the Classic Load Balancer admits 0.0.0.0/0 on its listener port 443 and forwards to
    # port 8080 of the instance aws_elb_attachment registers; app admits 8080 from anywhere,
    # which holds the load balancer's own addresses (the source a classic ELB connects from)
    ("aws_elb.classic", "ipv4", "tcp", "443", None),
    ("aws_instance.legacy", "ipv4", "tcp", "8080", "aws_elb.classic"),
}
# Not exposed otherwise: the subnets do not map public IPs and the launch template asks for
# none, so no ASG instance has a public address of its own; a listener forwards only to its own
# target group [LB], so no ASG is reached through another ASG's listener.


def test_asg_plan_holds_the_scenario():
    rc = changes("engine_asg_sources")
    assert {a: c["change"]["actions"] for a, c in rc.items()} == {a: ["create"] for a in rc}
    after = {a: c["change"]["after"] for a, c in rc.items()}
    unknown = {a: c["change"]["after_unknown"] for a, c in rc.items()}
    conf = config_resources("engine_asg_sources")
    assert (after[NLB]["load_balancer_type"], after[NLB]["internal"]) == ("network", False)
    assert unknown[NLB]["security_groups"] is True and "security_groups" not in conf[NLB]["expressions"]
    assert {a: (after[a]["port"], after[a]["protocol"]) for a in after if a.startswith("aws_lb_listener.")} == {
        f"aws_lb_listener.{k}": (p, "TCP") for k, p in zip("abcd", (80, 81, 82, 83))}
    for k in "abcd":
        tg = after[f"aws_lb_target_group.{k}"]
        assert (tg["port"], tg["protocol"], tg["target_type"]) == (8080, "TCP", "instance")
        assert unknown[f"aws_lb_target_group.{k}"]["preserve_client_ip"] is True  # AWS default [NLBCIP]
    assert {a for a in rc if a.startswith(("aws_autoscaling_group.", "module.b.aws_autoscaling_group."))} == {
        ASG_A, ASG_B, ASG_C, ASG_D, ASG_E}
    # e's target group is local.tg_for_e: plan JSON records the reference to the local only
    assert conf["aws_autoscaling_attachment.e"]["expressions"]["lb_target_group_arn"]["references"] == [
        "local.tg_for_e"]
    assert unknown[ASG_B]["name"] is True and after[ASG_B]["name_prefix"] == "b-"
    assert after["aws_autoscaling_attachment.c"]["autoscaling_group_name"] == "asg-c"
    assert conf["aws_autoscaling_attachment.c"]["expressions"]["autoscaling_group_name"] == {"constant_value": "asg-c"}
    assert unknown["aws_autoscaling_attachment.b"]["autoscaling_group_name"] is True
    assert conf["aws_autoscaling_attachment.b"]["expressions"]["autoscaling_group_name"]["references"] == [
        "module.b.name", "module.b"]
    assert after["aws_autoscaling_traffic_source_attachment.a"]["autoscaling_group_name"] == "asg-a"
    assert after[ASG_D]["traffic_source"] == [{"type": "elbv2"}]
    assert conf[ASG_D]["expressions"]["traffic_source"][0]["identifier"]["references"][0] == "aws_lb_target_group.d.arn"
    assert after["aws_subnet.public_a"]["map_public_ip_on_launch"] is False
    assert after["aws_subnet.public_b"]["map_public_ip_on_launch"] is False


def _asg_checks(r: dict) -> None:
    assert resource_exposures(r) == expected(ASG_EXPOSED)
    asgs = {ASG_A, ASG_B, ASG_C, ASG_D, ASG_E}
    assert not [u for u in r["unknown"] if u["address"] in ATTACHMENTS | asgs]


def test_asg_plan_exposures():
    _asg_checks(show_plan("engine_asg_sources"))


def test_asg_sources_exposures():
    _asg_checks(show_sources("engine_asg_sources"))


def test_asg_link_plan_json_cannot_read_is_an_unknown_not_a_missing_hop():
    """Plan JSON alone does not record what local.tg_for_e holds: which target group
    aws_autoscaling_attachment.e registers ASG e with cannot be told. That is an explicit
    unknown on the attachment (a gate must not drop the hop silently), and e is not said to be
    reachable through any listener; the other links do not depend on locals."""
    r = tfsg_json("show", plan("engine_asg_sources"), "--no-sources")
    unknown = [(u["address"], u["attribute"]) for u in r["unknown"] if u["address"] in ATTACHMENTS]
    assert unknown == [("aws_autoscaling_attachment.e", "lb_target_group_arn")]
    listeners = {(e["address"], e["listener"]) for e in r["exposed"] if e["kind"] == "resource" and e["listener"]}
    assert listeners == {(ASG_A, "aws_lb_listener.a"), (ASG_B, "aws_lb_listener.b"), (ASG_C, "aws_lb_listener.c"),
                         (ASG_D, "aws_lb_listener.d"), ("aws_instance.legacy", "aws_elb.classic")}


# ---------------------------------------------------------------- sources per service

MIXED = "aws_security_group.mixed"


@pytest.mark.parametrize("source", ["plan.json", ""], ids=["plan", "hcl"])
def test_group_exposure_names_the_blocks_of_each_service(source):
    """aws_security_group.mixed admits tcp 22 from 0.0.0.0/0 and tcp 80 from ::/0 only: the
    internet reaches it on both, but SSH from no IPv6 address and HTTP from no IPv4 one, so
    each row names only the block that admits its service (not both for both)."""
    r = tfsg_json("show", str(FIXTURES / "engine_routes" / source))
    rows = sorted((e["protocol"], e["ports"], tuple(e["sources"])) for e in r["exposed"]
                  if e["kind"] == "group" and e["address"] == MIXED)
    assert rows == [("tcp", "22", ("0.0.0.0/0",)), ("tcp", "80", ("::/0",))]


def test_ssh_finding_names_only_the_block_that_admits_ssh(tmp_path):
    """TFSG001 (SSH/RDP from the internet) on the mixed group: its evidence names 0.0.0.0/0,
    the block that admits SSH, not ::/0, which admits HTTP only."""
    proc = run_tfsg("check", str(FIXTURES / "engine_routes" / "plan.json"), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    found = [f for f in r["findings"] if f["policy"] == "TFSG001" and f["address"] == MIXED]
    assert len(found) == 1
    assert found[0]["evidence"]["sources"] == ["0.0.0.0/0"]
    assert [s["ports"] for s in found[0]["evidence"]["services"]] == ["22"]
