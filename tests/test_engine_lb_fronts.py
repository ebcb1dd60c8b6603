"""Load balancers and what their targets see (fixtures/engine_lb_fronts).

Every expected value is read from main.tf by hand, with these rules:

[CIP]    ELB guide, Network Load Balancers, "Edit target group attributes" > Client IP
         preservation. Defaults: "Instance type target groups: Enabled", "IP type target groups
         (TCP, TLS): Disabled". "When you disable client IP preservation, the source IP address is
         the private IP address of the Network Load Balancer." Table "When client IP preservation
         is enabled": Instance type (IPv4): IPv4 client requests -> "Client IPv4 address", IPv6
         client requests -> "Load balancer IPv4 address".
[NLBSG]  ELB guide, "Update the security groups for your Network Load Balancer": referencing the
         NLB's security group in the targets' groups "ensures that your targets accept traffic
         from your Network Load Balancer even if you enable client IP preservation"; an NLB
         without a security group: all client traffic reaches its listeners.
[ALBT]   ELB guide, "Use Application Load Balancers as targets of a Network Load Balancer": a
         target group of type `alb` holds one ALB, "an internal or internet-facing Application
         Load Balancer as the target of an internal or internet-facing Network Load Balancer";
         the ALB then load-balances to its own targets. An internal ALB's nodes have private
         addresses only: the internet reaches it only through the NLB.
[ALB]    ELB guide, Application Load Balancer security groups: the ALB connects to its targets
         from its own addresses (its group); a target admitting the ALB's group admits it.
[CLB]    Provider docs, aws_autoscaling_group `traffic_source` and
         aws_autoscaling_traffic_source_attachment: `type` "elb" is a Classic Load Balancer,
         `identifier` its name. A Classic Load Balancer forwards lb_port to instance_port of its
         registered instances, from its own addresses (its group).
[LB]     A load balancer forwards only to the registered targets of its listeners (ELB guide,
         "How Elastic Load Balancing works").

Addresses the NLBs use: their subnets 10.0.101.0/24 and 10.0.102.0/24 (inside 10.0.0.0/16, not
inside 10.0.5.0/28). Targets sit in the private subnet 10.0.1.0/24, which has no public address
and no route to the internet: every target is reached only through a load balancer.

Note on (d): the brief asked for an instance port 8443 behind the internal ALB and TFSG001 for
it; TFSG001 covers tcp 22 and 3389 only, so the fixture uses 3389 (distinct from every other
case) to keep both the two-hop exposure and its TFSG001 finding.
"""

from __future__ import annotations

import json

from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

CASE = "engine_lb_fronts"

NLB_SG, NLB_DUAL, NLB_IP = "aws_lb.nlb_sg", "aws_lb.nlb_dual", "aws_lb.nlb_ip"
NLB_FRONT, ALB_INNER, NLB_DB = "aws_lb.nlb_front", "aws_lb.alb_inner", "aws_lb.nlb_db"
ELB_TS, ELB_TSA = "aws_elb.ts", "aws_elb.tsa"
SSH, DUAL, IP, RDP, PG = ("aws_instance.ssh", "aws_instance.dual", "aws_instance.ip", "aws_instance.rdp",
                          "aws_instance.pg")
ASG_TS, ASG_TSA = "aws_autoscaling_group.ts", "aws_autoscaling_group.tsa"


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def lsn(name: str) -> str:
    return f"aws_lb_listener.{name}"


# (address, family, protocol, ports, listener, via) of every exposed resource
EXPOSED = {
    # (a) the NLB answers on its listener, its group admits 0.0.0.0/0 on 2222 [NLBSG]
    (NLB_SG, "ipv4", "tcp", "2222", None, (sg("nlb_sg"),)),
    # (a) instance target, client IP preserved [CIP], but ssh admits the NLB's group [NLBSG]
    (SSH, "ipv4", "tcp", "22", lsn("nlb_sg"), (sg("ssh"),)),
    # (b) dual-stack NLB without groups: every client of both families reaches its listener [NLBSG]
    (NLB_DUAL, "ipv4", "tcp", "2200", None, ()),
    (NLB_DUAL, "ipv6", "tcp", "2200", None, ()),
    # (b) IPv6 clients arrive from the NLB's IPv4 address (10.0.101/102.x), which 10.0.0.0/16
    # admits; IPv4 clients keep their own public address, which it does not [CIP]: IPv6 only
    (DUAL, "ipv6", "tcp", "2200", lsn("nlb_dual"), (sg("dual"),)),
    # (c) ip target over TCP: not preserved [CIP], the NLB's address is in 10.0.0.0/16; the
    # literal 10.0.1.50 is aws_instance.ip's private_ip
    (NLB_IP, "ipv4", "tcp", "2300", None, ()),
    (IP, "ipv4", "tcp", "2300", lsn("nlb_ip"), (sg("ip"),)),
    # (d) the NLB without groups; behind it the internal ALB (0.0.0.0/0 on 443 admits whatever
    # address the NLB presents) on the target group's port 443 [ALBT]; behind that, rdp on
    # 3389 (admits the ALB's group) through the ALB's HTTPS listener [ALB]
    (NLB_FRONT, "ipv4", "tcp", "9443", None, ()),
    (ALB_INNER, "ipv4", "tcp", "443", lsn("nlb_front"), (sg("alb_inner"),)),
    (RDP, "ipv4", "tcp", "3389", lsn("alb_inner"), (sg("rdp"),)),
    # (e) the NLB answers on 5432 (no groups) [NLBSG]; pg does not: the clients' own addresses
    # arrive [CIP] and 10.0.5.0/28 admits none of them
    (NLB_DB, "ipv4", "tcp", "5432", None, ()),
    # (f) the Classic LBs on their lb_port, the Auto Scaling groups on instance_port [CLB]
    (ELB_TS, "ipv4", "tcp", "80", None, (sg("elb_ts"),)),
    (ASG_TS, "ipv4", "tcp", "8080", ELB_TS, (sg("web_ts"),)),
    (ELB_TSA, "ipv4", "tcp", "81", None, (sg("elb_tsa"),)),
    (ASG_TSA, "ipv4", "tcp", "8081", ELB_TSA, (sg("web_tsa"),)),
}

# groups whose own rules admit internet addresses (every other group admits a group or a
# private block only)
GROUPS_OPEN = {(sg("nlb_sg"), "tcp", "2222"), (sg("alb_inner"), "tcp", "443"),
               (sg("elb_ts"), "tcp", "80"), (sg("elb_tsa"), "tcp", "81")}

# every path from the internet through resources of the plan [LB]
PATHS = {
    ("internet", NLB_SG, SSH),
    ("internet", NLB_DUAL, DUAL),
    ("internet", NLB_IP, IP),
    ("internet", NLB_FRONT, ALB_INNER),
    ("internet", NLB_FRONT, ALB_INNER, RDP),
    ("internet", ELB_TS, ASG_TS),
    ("internet", ELB_TSA, ASG_TSA),
}


def _is_plan_node(node: str) -> bool:
    return node == "internet" or node.startswith("aws_")


def _exposed(r: dict) -> set[tuple]:
    return {(e["address"], e["family"], e["protocol"], e["ports"], e.get("listener"), tuple(e["via"]))
            for e in r["exposed"] if e["kind"] == "resource"}


def _paths(r: dict) -> set[tuple[str, ...]]:
    return {tuple(p["nodes"]) for p in r["paths"] if all(_is_plan_node(n) for n in p["nodes"])}


def _sources(r: dict) -> dict[tuple[str, str, str], list[str]]:
    return {(e["address"], e["family"], e["ports"]): e["sources"] for e in r["exposed"] if e["kind"] == "resource"}


def _show(source: str) -> dict:
    return tfsg_json("show", source)


def _check(source: str) -> tuple[int, dict]:
    proc = run_tfsg("check", source, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


# ---------------------------------------------------------------- the plan holds the scenario


def test_plan_holds_the_scenario():
    data = json.loads(open(plan(CASE)).read())
    rc = {c["address"]: c["change"] for c in data["resource_changes"]}
    after = {a: c["after"] for a, c in rc.items()}
    assert after[NLB_DUAL]["ip_address_type"] == "dualstack"
    assert after[ALB_INNER]["internal"] is True
    assert all(after[lb]["internal"] is False for lb in (NLB_SG, NLB_DUAL, NLB_IP, NLB_FRONT, NLB_DB))
    # preserve_client_ip is unset everywhere: AWS's defaults apply [CIP]
    for tg in ("ssh", "dual", "ip", "pg", "alb"):
        assert rc[f"aws_lb_target_group.{tg}"]["after_unknown"]["preserve_client_ip"] is True
    assert {tg: after[f"aws_lb_target_group.{tg}"]["target_type"] for tg in ("ssh", "dual", "ip", "pg", "alb")} == {
        "ssh": "instance", "dual": "instance", "ip": "ip", "pg": "instance", "alb": "alb"}
    assert after["aws_lb_target_group_attachment.ip_app"]["target_id"] == "10.0.1.50"
    assert after["aws_lb_target_group_attachment.ip_other"]["target_id"] == "10.0.1.99"
    assert after[IP]["private_ip"] == "10.0.1.50"
    assert after[ASG_TS]["traffic_source"] == [{"identifier": "ts", "type": "elb"}]
    assert after["aws_autoscaling_traffic_source_attachment.tsa"]["traffic_source"] == [
        {"identifier": "tsa", "type": "elb"}]


# ---------------------------------------------------------------- show


def _assert_network(r: dict) -> None:
    assert _exposed(r) == EXPOSED
    src = _sources(r)
    assert src[(NLB_DUAL, "ipv6", "2200")] == ["::/0"]
    assert src[(NLB_DUAL, "ipv4", "2200")] == ["0.0.0.0/0"]
    assert src[(NLB_SG, "ipv4", "2222")] == ["0.0.0.0/0"]
    groups = {(e["address"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "group"}
    assert groups == GROUPS_OPEN
    assert _paths(r) == PATHS
    # (e) nothing leads from the internet to pg [CIP]
    assert not any(PG in p["nodes"] for p in r["paths"])


def test_plan_exposures_and_paths():
    _assert_network(_show(plan(CASE)))


def test_two_load_balancers_deep_hop_by_hop():
    r = _show(plan(CASE))
    path = next(p for p in r["paths"] if p["nodes"] == ["internet", NLB_FRONT, ALB_INNER, RDP])
    assert [(h["from"], h["to"], h["services"]) for h in path["hops"]] == [
        ("internet", NLB_FRONT, [{"protocol": "tcp", "ports": "9443"}]),  # the NLB's listener
        (NLB_FRONT, ALB_INNER, [{"protocol": "tcp", "ports": "443"}]),  # the alb target group's port [ALBT]
        (ALB_INNER, RDP, [{"protocol": "tcp", "ports": "3389"}])]  # the ALB's target group's port [ALB]


def test_ip_target_outside_the_plan_is_an_unknown():
    """(c) 10.0.1.99 is no address of this plan: what it is (and its groups) is not known; the
    attachment registering it is named. Everything else of the configuration is determined."""
    r = _show(plan(CASE))
    assert {u["address"] for u in r["unknown"]} == {"aws_lb_target_group_attachment.ip_other"}


def test_sources_alone_give_the_same_network():
    hcl = _show(str(FIXTURES / CASE))
    _assert_network(hcl)
    assert "aws_lb_target_group_attachment.ip_other" in {u["address"] for u in hcl["unknown"]}
    assert _exposed(hcl) == _exposed(_show(plan(CASE)))


# ---------------------------------------------------------------- check


def _assert_findings(code: int, r: dict) -> None:
    assert code == 1  # two critical TFSG001 findings block
    ssh = {f["address"]: f for f in r["findings"] if f["policy"] == "TFSG001" and f["status"] == "violation"}
    # (a) SSH and (d) RDP from the internet, each on the group of the target it reaches
    assert set(ssh) == {sg("ssh"), sg("rdp")}
    assert ssh[sg("ssh")]["evidence"]["exposed_resources"] == [SSH]
    assert ssh[sg("rdp")]["evidence"]["exposed_resources"] == [RDP]
    assert all(f["blocking"] and f["severity"] == "critical" for f in ssh.values())
    # (e) pg is reached by no internet client: no database-port or tiering finding names it
    assert not [f for f in r["findings"]
                if f["policy"] in ("TFSG002", "TFSG007") and f["address"] in (sg("pg"), PG)]


def test_plan_findings():
    _assert_findings(*_check(plan(CASE)))


def test_sources_alone_findings():
    _assert_findings(*_check(str(FIXTURES / CASE)))
