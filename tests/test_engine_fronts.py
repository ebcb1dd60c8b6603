"""Public fronts AWS runs in front of private resources (fixtures/engine_fronts).

Every expected value is read from main.tf by hand, with these rules:

[GAEP]   Global Accelerator developer guide, "Endpoints for standard accelerators": endpoints are
         NLBs, ALBs, EC2 instances or Elastic IPs; "Global Accelerator directs traffic to
         endpoints by using the port (or port range) that you specify for the listener";
         "Requirements for resources added as accelerator endpoints": an ALB endpoint "can be
         internet-facing or internal", a Network Load Balancer endpoint "can be internet-facing
         or internal". The accelerator's static anycast IPv4 addresses (ip_address_type IPV4)
         take any client on its listeners' port ranges.
[GAPRIV] GA guide, "Endpoints in private subnets": an ALB or an EC2 instance in a private
         subnet can be targeted, with an internet gateway attached to the VPC (the fixture's,
         which no private subnet routes to); Best practices: "When you add an internal
         Application Load Balancer or an EC2 instance endpoint in Global Accelerator, you enable
         internet traffic to flow directly to and from the endpoint".
[GACIP]  GA guide, "Preserve client IP addresses": internal ALBs and EC2 instances "always have
         client IP address preservation enabled"; with it, "the source IP address of the
         original client is preserved"; not supported for "Network Load Balancers without
         security groups"; "Benefits of client IP address preservation": without it, "the IP
         addresses used by the Global Accelerator service at the edge network replace the
         requesting user's IP address as the source address".
[ALB]    ELB guide, Application Load Balancers: an ALB answers on its listeners' ports, under
         its groups; it connects to its targets from its own addresses, which a target
         admitting the ALB's group admits. An internal ALB has private addresses only.
[NLB]    ELB guide, Network Load Balancers: without a security group "all client traffic can
         reach its listeners"; an instance target sees the source address the NLB received
         (client IP preservation, instance targets' default).
[CFVPC]  CloudFront developer guide, "Restrict access with VPC origins": an internal ALB, NLB
         or instance in a private subnet serves as a VPC origin; CloudFront is "the single
         point of entry"; the origin's group admits CloudFront (its origin-facing managed
         prefix list, pl-3b927c52 in us-east-1, or the CloudFront-VPCOrigins-Service-SG).
         aws_cloudfront_vpc_origin origin_protocol_policy "https-only": CloudFront connects on
         https_port (443) only.
[CFVIEW] CloudFront serves viewers on tcp 80 and 443 (viewer_protocol_policy redirect-to-https
         still answers on 80); aws_cloudfront_distribution is_ipv6_enabled defaults to false:
         the distribution answers on IPv4 only.
[APIPRIV] API Gateway developer guide, "Create private integrations for HTTP APIs": "You can
         expose your resources in a VPC for access by clients outside of the VPC by using
         private integrations"; the integration (connection_type VPC_LINK, integration_uri the
         ALB listener's ARN) sends through the VPC link's interfaces, whose groups govern what
         they send. The API's default endpoint (https://{api-id}.execute-api...) is public,
         HTTPS (tcp 443) only, IPv4 (ip_address_type defaults to ipv4).
[APIRT]  API Gateway developer guide, "Create routes for HTTP APIs": "Routes direct incoming API
         requests to backend resources" (a method and a path, or the catch-all $default route).
         An integration that no route targets (aws_apigatewayv2_route.target
         "integrations/<id>") receives no request.
[LB]     A load balancer, and each front, forwards only to what it is configured to forward to
         (ELB guide, "How Elastic Load Balancing works"; the same for the fronts above).

Targets sit in private subnets (10.30.1.0/24, 10.30.2.0/24) with no public address and a route
table that holds the local route only: every target is reached only through a front.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

CASE = "engine_fronts"

GA_ALB, GA_EC2, GA_NLB = ("aws_globalaccelerator_accelerator.ga_alb", "aws_globalaccelerator_accelerator.ga_ec2",
                          "aws_globalaccelerator_accelerator.ga_nlb")
GAL_ALB, GAL_EC2, GAL_NLB = ("aws_globalaccelerator_listener.ga_alb", "aws_globalaccelerator_listener.ga_ec2",
                             "aws_globalaccelerator_listener.ga_nlb")
CDN = "aws_cloudfront_distribution.cdn"
API, LINK = "aws_apigatewayv2_api.api", "aws_apigatewayv2_vpc_link.link"
INTEGRATION = "aws_apigatewayv2_integration.alb_api"
ALB_GA, NLB_GA, ALB_CF, ALB_API = "aws_lb.alb_ga", "aws_lb.nlb_ga", "aws_lb.alb_cf", "aws_lb.alb_api"
ALB_CTL, ALB_NR = "aws_lb.alb_ctl", "aws_lb.alb_nr"
SSH_GA, APP_GA, NLB_APP = "aws_instance.ssh_ga", "aws_instance.app_ga", "aws_instance.nlb_app"
RDP_CF, PG_API, SSH_CTL, REDIS_NR = ("aws_instance.rdp_cf", "aws_instance.pg_api", "aws_instance.ssh_ctl",
                                     "aws_instance.redis_nr")


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def lsn(name: str) -> str:
    return f"aws_lb_listener.{name}"


# (address, family, protocol, ports, listener, via) of every resource the internet reaches, per case
CASE_A = {
    (GA_ALB, "ipv4", "tcp", "443", None, ()),  # the accelerator, on its listener's port [GAEP]
    # the accelerator's clients keep their address [GACIP]; alb_ga admits 0.0.0.0/0 on 443
    (ALB_GA, "ipv4", "tcp", "443", GAL_ALB, (sg("alb_ga"),)),
    # the ALB's target admits the ALB's group [ALB]
    (SSH_GA, "ipv4", "tcp", "22", lsn("alb_ga"), (sg("ssh_ga"),)),
}
CASE_B = {
    (GA_EC2, "ipv4", "tcp", "8000-8001", None, ()),  # the whole listener range [GAEP]
    # EC2 endpoint: the client's address is preserved [GACIP]; app_ga admits 8000, not 8001
    (APP_GA, "ipv4", "tcp", "8000", GAL_EC2, (sg("app_ga"),)),
}
CASE_C = {
    (GA_NLB, "ipv4", "tcp", "7100", None, ()),
    # the NLB has no groups: what the accelerator forwards on 7100 reaches its listener [NLB][GAEP]
    (NLB_GA, "ipv4", "tcp", "7100", GAL_NLB, ()),
    # its instance target sees an accelerator edge address [GACIP][NLB], which 0.0.0.0/0 admits
    (NLB_APP, "ipv4", "tcp", "7101", lsn("nlb_ga"), (sg("nlb_app"),)),
}
CASE_D = {
    (CDN, "ipv4", "tcp", "80", None, ()),  # viewers on 80 and 443, IPv4 only [CFVIEW]
    (CDN, "ipv4", "tcp", "443", None, ()),
    # CloudFront connects on https_port 443, admitted by its prefix list [CFVPC]
    (ALB_CF, "ipv4", "tcp", "443", CDN, (sg("alb_cf"),)),
    (RDP_CF, "ipv4", "tcp", "3389", lsn("alb_cf"), (sg("rdp_cf"),)),
}
# (e) the integration forwards to listener 8443 from the VPC link, whose group alb_api admits
# [APIPRIV]; the ALB's target admits the ALB's group [ALB]
CASE_E_TARGETS = {
    (ALB_API, "ipv4", "tcp", "8443", INTEGRATION, (sg("alb_api"),)),
    (PG_API, "ipv4", "tcp", "5432", lsn("alb_api"), (sg("pg_api"),)),
}
# the HTTP API's public endpoint [APIPRIV]: the API answers, not its VPC link, whose interfaces in
# the private subnets only send what API Gateway sends through them
CASE_E_FRONT = {(API, "ipv4", "tcp", "443", None, ())}
EXPOSED = CASE_A | CASE_B | CASE_C | CASE_D | CASE_E_TARGETS | CASE_E_FRONT

# groups whose own rules admit every public IPv4 address (alb_cf admits a prefix list only)
GROUPS_OPEN = {(sg("alb_ga"), "tcp", "443"), (sg("app_ga"), "tcp", "8000"), (sg("nlb_app"), "tcp", "7101"),
               (sg("alb_ctl"), "tcp", "8080"),
               # CloudFront's origin-facing list by its published us-east-1 id: every public IPv4
               # address, on the ports CloudFront sends to (the group's rule: 443)
               (sg("alb_cf"), "tcp", "443")}

# paths from the internet through the fronts [LB]; each front is one node
PATHS_A_B_D = {
    ("internet", GA_ALB, ALB_GA), ("internet", GA_ALB, ALB_GA, SSH_GA),
    ("internet", GA_EC2, APP_GA),
    ("internet", CDN, ALB_CF), ("internet", CDN, ALB_CF, RDP_CF),
}
PATHS_C = {("internet", GA_NLB, NLB_GA), ("internet", GA_NLB, NLB_GA, NLB_APP)}
PATHS_E = {("internet", API, ALB_API), ("internet", API, ALB_API, PG_API)}

# (f) an internal ALB with no front [ALB]; (g) an integration no route names [APIRT]
CONTROL_F = {ALB_CTL, SSH_CTL}
CONTROL_G = {ALB_NR, REDIS_NR}

def _is_plan_node(node: str) -> bool:
    return node == "internet" or node.startswith("aws_")


def _exposed(r: dict) -> set[tuple]:
    return {(e["address"], e["family"], e["protocol"], e["ports"], e.get("listener"), tuple(e["via"]))
            for e in r["exposed"] if e["kind"] == "resource"}


def _rows_of(r: dict, addresses) -> set[tuple]:
    return {e for e in _exposed(r) if e[0] in set(addresses)}


def _paths(r: dict) -> set[tuple[str, ...]]:
    return {tuple(p["nodes"]) for p in r["paths"] if all(_is_plan_node(n) for n in p["nodes"])}


def _show(source: str) -> dict:
    return tfsg_json("show", _source(source))


def _check(source: str) -> tuple[int, dict]:
    proc = run_tfsg("check", _source(source), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _source(kind: str) -> str:
    return plan(CASE) if kind == "plan" else str(FIXTURES / CASE)


# every show/check test reads the plan and the .tf files alone (HCL mode): the same answer
SOURCES = pytest.mark.parametrize("source", ["plan", "hcl"])


# ---------------------------------------------------------------- the plan holds the scenario


def test_plan_holds_the_scenario():
    with open(plan(CASE)) as f:
        data = json.load(f)
    rc = {c["address"]: c["change"] for c in data["resource_changes"]}
    after = {a: c["after"] for a, c in rc.items()}
    for lb in (ALB_GA, NLB_GA, ALB_CF, ALB_API, ALB_CTL, ALB_NR):
        assert after[lb]["internal"] is True
    config = {r["address"]: r["expressions"] for r in data["configuration"]["root_module"]["resources"]}
    assert after[NLB_GA]["load_balancer_type"] == "network" and "security_groups" not in config[NLB_GA]
    # private subnets: no public address on launch, none asked for
    assert all(after[f"aws_subnet.{s}"]["map_public_ip_on_launch"] is False for s in ("private_a", "private_b"))
    for inst in (SSH_GA, APP_GA, NLB_APP, RDP_CF, PG_API, SSH_CTL, REDIS_NR):
        assert "associate_public_ip_address" not in config[inst]
    assert "route" not in config["aws_route_table.private"]  # the local route only
    assert after["aws_globalaccelerator_endpoint_group.ga_alb"]["endpoint_configuration"][0][
        "client_ip_preservation_enabled"] is True
    for acc in (GA_ALB, GA_EC2, GA_NLB):
        assert after[acc]["ip_address_type"] == "IPV4" and after[acc]["enabled"] is True
    assert after[GAL_EC2]["port_range"] == [{"from_port": 8000, "to_port": 8001}]
    assert after[CDN]["enabled"] is True and after[CDN]["is_ipv6_enabled"] is False
    cfg = after["aws_cloudfront_vpc_origin.alb_cf"]["vpc_origin_endpoint_config"][0]
    assert (cfg["origin_protocol_policy"], cfg["https_port"], cfg["http_port"]) == ("https-only", 443, 80)
    assert after[sg("alb_cf")]["ingress"][0]["prefix_list_ids"] == ["pl-3b927c52"]
    assert after[API]["protocol_type"] == "HTTP"
    for integ in (INTEGRATION, "aws_apigatewayv2_integration.unrouted"):
        assert after[integ]["connection_type"] == "VPC_LINK"
    # exactly one route, and it names integration alb_api (its id is known at apply only)
    assert [a for a in after if a.startswith("aws_apigatewayv2_route.")] == ["aws_apigatewayv2_route.any"]
    assert "aws_apigatewayv2_integration.alb_api" in config["aws_apigatewayv2_route.any"]["target"]["references"]


# ---------------------------------------------------------------- show: per case


@SOURCES
def test_a_accelerator_to_an_internal_alb(source):
    assert _rows_of(_show(source), {GA_ALB, ALB_GA, SSH_GA}) == CASE_A


@SOURCES
def test_b_accelerator_to_a_private_instance(source):
    assert _rows_of(_show(source), {GA_EC2, APP_GA}) == CASE_B


@SOURCES
def test_c_accelerator_to_an_internal_nlb_without_groups(source):
    r = _show(source)
    assert _rows_of(r, {GA_NLB, NLB_GA, NLB_APP}) == CASE_C
    assert {p for p in _paths(r) if p[1] == GA_NLB} == PATHS_C


@SOURCES
def test_d_distribution_to_a_vpc_origin_ipv4(source):
    rows = {e for e in _rows_of(_show(source), {CDN, ALB_CF, RDP_CF}) if e[1] == "ipv4"}
    assert rows == CASE_D


@SOURCES
def test_d_distribution_without_ipv6_answers_ipv4_only(source):
    assert _rows_of(_show(source), {CDN, ALB_CF, RDP_CF}) == CASE_D


@SOURCES
def test_e_http_api_reaches_its_integration(source):
    assert _rows_of(_show(source), {ALB_API, PG_API}) == CASE_E_TARGETS


@SOURCES
def test_e_the_http_api_is_the_public_front(source):
    r = _show(source)
    assert _rows_of(r, {API, LINK}) == CASE_E_FRONT
    assert {p for p in _paths(r) if p[1] in (API, LINK)} >= PATHS_E


@SOURCES
def test_e_http_api_paths_go_to_the_routed_integration_only(source):
    r = _show(source)
    assert {p[2:] for p in _paths(r) if p[1] in (API, LINK)} == {(ALB_API,), (ALB_API, PG_API)}


@SOURCES
def test_f_internal_alb_without_a_front_is_not_exposed(source):
    assert not {e[0] for e in _exposed(_show(source))} & CONTROL_F


@SOURCES
def test_f_no_path_reaches_the_internal_alb_without_a_front(source):
    assert not [p for p in _paths(_show(source)) if set(p) & CONTROL_F]


@SOURCES
def test_g_an_integration_no_route_names_is_not_reached(source):
    assert not {e[0] for e in _exposed(_show(source))} & CONTROL_G


@SOURCES
def test_every_exposure_exactly(source):
    assert _exposed(_show(source)) == EXPOSED


@SOURCES
def test_groups_open_to_the_internet(source):
    r = _show(source)
    assert {(e["address"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "group"} == GROUPS_OPEN


@SOURCES
def test_fronts_admit_every_client(source):
    src = {(e["address"], e["family"], e["ports"]): e["sources"] for e in _show(source)["exposed"]
           if e["kind"] == "resource"}
    for address, ports in ((GA_ALB, "443"), (GA_EC2, "8000-8001"), (CDN, "80"), (CDN, "443")):
        assert src[(address, "ipv4", ports)] == ["0.0.0.0/0"]


@SOURCES
def test_paths_through_the_accelerators_and_the_distribution(source):
    assert {p for p in _paths(_show(source)) if p[1] in (GA_ALB, GA_EC2, CDN)} == PATHS_A_B_D


@SOURCES
def test_nothing_is_unknown(source):
    """The configuration determines everything, CloudFront's prefix list too: the plan names it
    by its literal id, which AWS fixes per Region (pl-3b927c52 in us-east-1)."""
    assert _show(source)["unknown"] == []


def test_hops_of_each_front():
    r = _show("plan")
    hops = {tuple(p["nodes"]): [(h["from"], h["to"], h["services"]) for h in p["hops"]] for p in r["paths"]}

    def tcp(*ports: str) -> list[dict]:
        return [{"protocol": "tcp", "ports": p} for p in ports]

    assert hops[("internet", GA_ALB, ALB_GA, SSH_GA)] == [
        ("internet", GA_ALB, tcp("443")), (GA_ALB, ALB_GA, tcp("443")), (ALB_GA, SSH_GA, tcp("22"))]
    # the accelerator answers 8000-8001; the instance admits 8000 of what it forwards
    assert hops[("internet", GA_EC2, APP_GA)] == [("internet", GA_EC2, tcp("8000-8001")), (GA_EC2, APP_GA, tcp("8000"))]
    # viewers on 80 and 443 [CFVIEW]; CloudFront to the origin on 443 only (https-only) [CFVPC]
    assert hops[("internet", CDN, ALB_CF, RDP_CF)] == [
        ("internet", CDN, tcp("80", "443")), (CDN, ALB_CF, tcp("443")), (ALB_CF, RDP_CF, tcp("3389"))]
    # the API on 443 [APIPRIV], its integration's listener 8443, the target group's port 5432
    api = next(nodes for nodes in hops if nodes[1] in (API, LINK) and nodes[2:] == (ALB_API, PG_API))
    assert [(h[2]) for h in hops[api]] == [tcp("443"), tcp("8443"), tcp("5432")]


# ---------------------------------------------------------------- check


def _violations(r: dict, policy: str) -> dict[str, dict]:
    return {f["address"]: f for f in r["findings"] if f["policy"] == policy and f["status"] == "violation"}


@SOURCES
def test_findings(source):
    code, r = _check(source)
    assert code == 1  # critical findings block
    # SSH through the accelerator (a), RDP through the distribution (d), on the target's group
    ssh = _violations(r, "TFSG001")
    assert set(ssh) == {sg("ssh_ga"), sg("rdp_cf")}
    assert ssh[sg("ssh_ga")]["evidence"]["exposed_resources"] == [SSH_GA]
    assert ssh[sg("rdp_cf")]["evidence"]["exposed_resources"] == [RDP_CF]
    # a database port through the HTTP API (e)
    db = _violations(r, "TFSG002")
    assert db[sg("pg_api")]["evidence"]["exposed_resources"] == [PG_API]
    assert all(f["blocking"] and f["severity"] == "critical" for f in [*ssh.values(), db[sg("pg_api")]])
    # the control (f): no internet policy names it
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG001", "TFSG002", "TFSG003", "TFSG007", "TFSG020")
                and f["address"] in {sg("ssh_ctl"), sg("alb_ctl"), *CONTROL_F}]


@SOURCES
def test_g_findings_name_the_routed_integration_only(source):
    _, r = _check(source)
    assert set(_violations(r, "TFSG002")) == {sg("pg_api")}
