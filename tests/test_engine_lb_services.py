"""Load balancers per address family, instance target groups, and what managed services get when
the configuration leaves things out (fixtures/engine_lb_families, fixtures/engine_service_defaults).

Every expected value is read from the two main.tf files by hand, with AWS's documentation:

[CIP]    ELB guide, Network Load Balancers, target groups, "Client IP preservation": defaults
         "Instance type target groups: Enabled", "IP type target groups (TCP, TLS): Disabled";
         "When you disable client IP preservation, the source IP address is the private IP
         address of the Network Load Balancer"; "Client IP preservation has no effect on traffic
         converted from IPv4 to IPv6 and from IPv6 to IPv4. The source IP of this type of traffic
         is always the private IP address of the Network Load Balancer."
[TGFAM]  ELB API CreateTargetGroup, IpAddressType: "The IP address type. The default value is
         ipv4." An ipv6 target group takes targets by IPv6 address (type ip) and needs a
         dual-stack load balancer; the NLB reaches an ipv6 target from its IPv6 address and an
         ipv4 target from its IPv4 address.
[NLBSG]  ELB guide, "Update the security groups for your Network Load Balancer": an NLB without
         a security group lets all client traffic reach its listeners.
[TGINST] ELB API CreateTargetGroup, TargetType "instance": "Register targets by instance ID";
         RegisterTargets: "If the target type of the target group is instance, specify an
         instance ID." An instance target group holds EC2 instances only, so an ALB whose only
         listener forwards to one never connects to an ElastiCache node, whatever its group's
         egress allows ("How Elastic Load Balancing works": a load balancer connects to its
         registered targets).
[REF]    VPC user guide, "Security group rules": a rule's IPv4 block matches IPv4 packets only,
         an IPv6 block IPv6 packets only; a rule naming a group admits its members' interfaces;
         a flow needs the sender's egress and the receiver's ingress.
[DEFSG]  VPC user guide, "Default security groups for your VPCs": every VPC comes with a default
         group whose rules admit all inbound traffic from the group itself and all outbound
         traffic; Terraform's aws_default_security_group, when it adopts the group, removes
         them and writes its own.
[SFTP]   CloudFormation AWS::Transfer::Server EndpointDetails, SecurityGroupIds: "If you don't
         specify security groups, your VPC's default security groups are automatically
         assigned to your endpoint"; AddressAllocationIds (Elastic IPs) make the VPC endpoint
         internet-facing (IPv4). Protocols default to SFTP: tcp 22.
[MQ]     Amazon MQ API CreateBroker, SecurityGroups / SubnetIds: a broker with no group and no
         subnet is placed in the default VPC with its default security group; that VPC's group
         is not in this plan, so what it admits is unknown. ActiveMQ brokers do not support
         dual-stack.
[AOS]    OpenSearch Service: a domain without vpc_options has a public endpoint (no security
         group); DomainEndpointOptions.EnforceHTTPS: HTTPS only, tcp 443; IPAddressType
         "dualstack": the endpoint has IPv4 and IPv6 addresses.
[R53R]   Route 53 Resolver API CreateResolverEndpoint, IpAddresses: each IpAddressRequest names
         the SubnetId the endpoint's interface is created in.
[V6ONLY] VPC user guide, "IPv6-only subnets" / "Subnet types": resources in an IPv6-only subnet
         get IPv6 addresses only (AWS requires the subnet to auto-assign IPv6 and to register
         resource-name AAAA records). The web host's subnet has no IPv6 block, so it has no IPv6
         address; its egress allows 0.0.0.0/0 only: nothing it sends reaches the cache.
[TAGS]   Terraform: a tag whose value is another resource's id is known only after apply
         (after_unknown); the baseline's data tier is "a Tier tag saying data/database/db, or
         groups attached to data stores", so the tier of group tagged is unknown.
[POL]    The baseline pack: TFSG001 tcp 22/3389 from the internet (critical), TFSG004 tcp
         22/3389 from a block wider than /24 that is not the internet (an IPv6 /M compared as an
         IPv4 /(M-40): the /56 is a /16), TFSG007 the data tier reached only through a tier that
         is not internet-facing, TFSG011 the default group restricts all traffic.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report, warned_by

LB, SVC = "engine_lb_families", "engine_service_defaults"
V4, V6 = "0.0.0.0/0", "::/0"


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def _inputs(case: str) -> dict[str, str]:
    return {"plan": plan(case), "hcl": str(FIXTURES / case)}


def _check_json(source: str) -> tuple[int, dict]:
    proc = run_tfsg("check", source, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


@pytest.fixture(scope="module", params=["plan", "hcl"])
def lb_show(request) -> dict:
    return tfsg_json("show", _inputs(LB)[request.param])


@pytest.fixture(scope="module", params=["plan", "hcl"])
def lb_check(request) -> tuple[int, dict]:
    return _check_json(_inputs(LB)[request.param])


@pytest.fixture(scope="module", params=["plan", "hcl"])
def svc_show(request) -> dict:
    return tfsg_json("show", _inputs(SVC)[request.param])


@pytest.fixture(scope="module", params=["plan", "hcl"])
def svc_check(request) -> tuple[int, dict]:
    return _check_json(_inputs(SVC)[request.param])


def _exposed(r: dict) -> set[tuple]:
    """(address, family, protocol, ports, listener, sources, via) of every exposed resource."""
    return {(e["address"], e["family"], e["protocol"], e["ports"], e.get("listener"), tuple(e["sources"]),
             tuple(e["via"])) for e in r["exposed"] if e["kind"] == "resource"}


def _exposed_groups(r: dict) -> set[tuple]:
    return {(e["address"], e["protocol"], e["ports"], tuple(e["sources"])) for e in r["exposed"] if e["kind"] == "group"}


def _paths(r: dict) -> dict[tuple[str, ...], dict]:
    return {tuple(p["nodes"]): p for p in r["paths"]}


def _hops(p: dict) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(h["from"], h["to"], [(s["protocol"], s["ports"]) for s in h["services"]]) for h in p["hops"]]


def _resource_flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]}


def _group_pairs(r: dict) -> set[tuple[str, str, str, str]]:
    """Flows between two groups of the plan (not address flows)."""
    groups = {g["address"] for g in r["groups"]}
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]
            if f["from"] in groups and f["to"] in groups}


# reachability policies and the default-group policy: the ones these fixtures are about
JUDGED = {"TFSG001", "TFSG002", "TFSG003", "TFSG004", "TFSG005", "TFSG006", "TFSG007", "TFSG011", "TFSG020"}


def _violations(r: dict) -> set[tuple[str, str]]:
    return {(f["policy"], f["address"]) for f in r["findings"] if f["status"] == "violation" and f["policy"] in JUDGED}


# ================================================================ engine_lb_families

NLB_RDP, NLB_SSH, ALB = "aws_lb.nlb_rdp", "aws_lb.nlb_ssh", "aws_lb.alb"
RDP, SSH, CACHE_RG = "aws_instance.rdp", "aws_instance.ssh", "aws_elasticache_replication_group.cache"
L_RDP, L_SSH = "aws_lb_listener.rdp", "aws_lb_listener.ssh"

LB_EXPOSED = {
    # (1)(2) dual-stack NLBs without groups answer every client of both families on their listener [NLBSG]
    (NLB_RDP, "ipv4", "tcp", "3389", None, (V4,), ()),
    (NLB_RDP, "ipv6", "tcp", "3389", None, (V6,), ()),
    (NLB_SSH, "ipv4", "tcp", "22", None, (V4,), ()),
    (NLB_SSH, "ipv6", "tcp", "22", None, (V6,), ()),
    # (1) ipv6 ip target over TCP: IPv6 clients are not preserved, IPv4 clients are converted:
    # both arrive from the NLB's IPv6 address (public subnets' /64s, inside the /56) [CIP][TGFAM]
    (RDP, "ipv4", "tcp", "3389", L_RDP, (L_RDP,), (sg("rdp"),)),
    (RDP, "ipv6", "tcp", "3389", L_RDP, (L_RDP,), (sg("rdp"),)),
    # (2) nothing for aws_instance.ssh: IPv4 packets only reach it through an ipv4 target group
    # [TGFAM][CIP][REF]
    # (3) the ALB (ipv4 by default) on its listener's port, its group admits 0.0.0.0/0
    (ALB, "ipv4", "tcp", "443", None, (V4,), (sg("alb"),)),
}


def test_lb_plan_holds_the_scenario():
    data = json.loads(open(plan(LB)).read())
    rc = {c["address"]: c["change"] for c in data["resource_changes"]}
    after = {a: c["after"] for a, c in rc.items()}
    assert after["aws_vpc.main"]["ipv6_cidr_block"] == "2600:1f18:1234:5600::/56"
    assert after[NLB_RDP]["ip_address_type"] == after[NLB_SSH]["ip_address_type"] == "dualstack"
    assert after["aws_lb_target_group.rdp"]["ip_address_type"] == "ipv6"
    # not written: computed by the provider, AWS's default (ipv4) [TGFAM]
    assert rc["aws_lb_target_group.ssh"]["after_unknown"]["ip_address_type"] is True
    assert rc["aws_lb_target_group.rdp"]["after_unknown"]["preserve_client_ip"] is True
    assert after["aws_lb_target_group_attachment.rdp"]["target_id"] == "2600:1f18:1234:5611::10"
    assert after[RDP]["ipv6_addresses"] == ["2600:1f18:1234:5611::10"]
    assert not [a for a in after if a.startswith("aws_lb_target_group_attachment.web")]
    assert "aws_default_security_group" not in {c["type"] for c in data["resource_changes"]}


def test_lb_exposures(lb_show):
    assert _exposed(lb_show) == LB_EXPOSED
    # only group alb admits internet addresses itself (rdp and ssh admit the VPC's /56)
    assert _exposed_groups(lb_show) == {(sg("alb"), "tcp", "443", (V4,))}


def test_lb_paths(lb_show):
    # (1) the one path; (2) none to ssh; (3) none to the cache, nor anywhere from the ALB [TGINST]
    paths = _paths(lb_show)
    assert set(paths) == {("internet", NLB_RDP, RDP)}
    p = paths[("internet", NLB_RDP, RDP)]
    assert _hops(p) == [("internet", NLB_RDP, [("tcp", "3389")]), (NLB_RDP, RDP, [("tcp", "3389")])]
    assert p["groups"] == [[], [], [sg("rdp")]]


def test_lb_resource_flows(lb_show):
    # the NLBs connect to their targets only; nlb_ssh's IPv4 packets are not admitted by ssh's
    # IPv6 rule [TGFAM][REF]; the ALB connects to instances only and none admits it [TGINST];
    # the instances and the cache have no egress
    assert _resource_flows(lb_show) == {(NLB_RDP, RDP, "tcp", "3389")}


def test_lb_group_flows(lb_show):
    # the rules do connect alb to cache (reference + alb's egress to the VPC): a group flow,
    # which no resource uses [TGINST][REF]; rdp and ssh admit IPv6 from groups with no IPv6 egress
    assert _group_pairs(lb_show) == {(sg("alb"), sg("cache"), "tcp", "6379")}


def test_lb_nothing_is_unknown(lb_show):
    # the literal address is aws_instance.rdp's (ipv6_addresses): the registration is known; the
    # target group ssh's family is AWS's default [TGFAM]; what may be registered in target group
    # web elsewhere is an EC2 instance, and no instance of the plan admits the ALB [TGINST]
    assert lb_show["unknown"] == []


def test_lb_findings(lb_check):
    code, r = lb_check
    assert code == 1  # TFSG001 is critical and introduced
    assert _violations(r) == {
        # (1) RDP from the whole internet through nlb_rdp [CIP][POL]
        ("TFSG001", sg("rdp")),
        # the VPC's /56 (a "/16") on 3389 and 22 is wider than /24 [POL]
        ("TFSG004", sg("rdp")), ("TFSG004", sg("ssh")),
        # (10) the VPC's default group keeps AWS's rules: all from itself, all out [DEFSG]
        ("TFSG011", "aws_vpc.main"),
    }
    rdp = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert rdp["severity"] == "critical" and rdp["blocking"] and rdp["introduced"]
    assert rdp["evidence"]["exposed_resources"] == [RDP]
    # (2) no TFSG001 on ssh, (3) no tiering finding (nor warning) for the cache [TGINST]
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG001", "TFSG002") and f["address"] == sg("ssh")]
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG007", "TFSG020")]


# ================================================================ engine_service_defaults

DEF = "aws_default_security_group.default"
SFTP, ACTIVE, SEARCH = "aws_transfer_server.sftp", "aws_mq_broker.active", "aws_opensearch_domain.search"
RESOLVER, WEB, CACHE, BACKEND = ("aws_route53_resolver_endpoint.inbound", "aws_instance.web", "aws_instance.cache",
                                 "aws_instance.backend")

SVC_EXPOSED = {
    # (4) the default group (tcp 22 from 0.0.0.0/0) on the Elastic IP's endpoint [SFTP]
    (SFTP, "ipv4", "tcp", "22", None, (V4,), (DEF,)),
    # (6) no group, both families, HTTPS only [AOS]
    (SEARCH, "ipv4", "tcp", "443", None, (V4,), ()),
    (SEARCH, "ipv6", "tcp", "443", None, (V6,), ()),
    # (8) the public web host, IPv4 only
    (WEB, "ipv4", "tcp", "443", None, (V4,), (sg("web"),)),
    # (5) nothing for the broker: its group's rules are unknown [MQ]
}


def test_svc_plan_holds_the_scenario():
    data = json.loads(open(plan(SVC)).read())
    rc = {c["address"]: c["change"] for c in data["resource_changes"]}
    after = {a: c["after"] for a, c in rc.items()}
    assert after["aws_subnet.v6only"]["ipv6_native"] is True and after["aws_subnet.v6only"]["cidr_block"] is None
    assert after["aws_subnet.public"]["ipv6_cidr_block"] is None
    assert rc["aws_security_group.tagged"]["after_unknown"]["tags"] is True  # [TAGS]
    # no group written; subnet_ids is computed (AWS picks default-VPC subnets) [MQ]
    assert after[ACTIVE]["security_groups"] is None and rc[ACTIVE]["after_unknown"]["subnet_ids"] is True
    assert after[SEARCH]["ip_address_type"] == "dualstack" and after[SEARCH]["vpc_options"] == []
    assert rc[SFTP]["after_unknown"]["endpoint_details"][0]["security_group_ids"] is True  # not written
    # two ip_address blocks whose subnet ids are known after apply: the configuration's references
    # (aws_subnet.private_a / private_b) say which subnets [R53R]
    assert [ip["subnet_id"] for ip in rc[RESOLVER]["after_unknown"]["ip_address"]] == [True, True]


def test_svc_exposures(svc_show):
    assert _exposed(svc_show) == SVC_EXPOSED
    assert _exposed_groups(svc_show) == {(DEF, "tcp", "22", (V4,)), (sg("web"), "tcp", "443", (V4,))}


def test_svc_resource_flows(svc_show):
    # among the VPC's resources (the public OpenSearch endpoint and the broker outside the VPC left
    # aside): web (all egress to 0.0.0.0/0) reaches backend (5432 from web), the resolver (53 from
    # 10.40.0.0/16) and the SFTP endpoint (22 from 0.0.0.0/0 in the default group); not the cache
    # [V6ONLY]. Nothing else has egress (the adopted default group has none).
    flows = {f for f in _resource_flows(svc_show) if f[1] not in (SEARCH, ACTIVE)}
    assert flows == {(WEB, BACKEND, "tcp", "5432"), (WEB, RESOLVER, "tcp", "53"), (WEB, RESOLVER, "udp", "53"),
                     (WEB, SFTP, "tcp", "22")}


def test_svc_no_flow_to_the_ipv6_only_cache(svc_show):
    # [V6ONLY][REF] neither the groups nor the resources
    assert not [f for f in svc_show["flows"] if f["to"] == sg("cache")]
    assert not [f for f in _resource_flows(svc_show) if f[1] == CACHE]
    assert not [p for p in svc_show["paths"] if CACHE in p["nodes"] or sg("cache") in p["nodes"]]


def test_svc_group_flows(svc_show):
    # tagged admits web by reference; resolver admits 10.40.0.0/16, which holds web's subnet [REF]
    assert _group_pairs(svc_show) == {(sg("web"), sg("tagged"), "tcp", "5432"), (sg("web"), sg("resolver"), "tcp", "53"),
                                      (sg("web"), sg("resolver"), "udp", "53")}


def test_svc_paths(svc_show):
    # web reaches backend and the resolver on services the internet does not reach them on; the SFTP
    # endpoint is reached directly on 22, the only service web reaches it on (no longer path);
    # the public OpenSearch endpoint starts no path and is reached directly on 443 [AOS]
    paths = _paths(svc_show)
    assert set(paths) == {("internet", WEB, BACKEND), ("internet", WEB, RESOLVER)}
    assert _hops(paths[("internet", WEB, BACKEND)]) == [("internet", WEB, [("tcp", "443")]),
                                                        (WEB, BACKEND, [("tcp", "5432")])]
    assert _hops(paths[("internet", WEB, RESOLVER)]) == [("internet", WEB, [("tcp", "443")]),
                                                         (WEB, RESOLVER, [("tcp", "53"), ("udp", "53")])]


def test_svc_unknowns(svc_show):
    unknown = {(u["address"], u["attribute"]) for u in svc_show["unknown"]}
    assert (ACTIVE, "security_groups") in unknown  # (5) [MQ]
    assert (sg("tagged"), "tags") in unknown  # (9) [TAGS]
    # (7) the resolver's subnets come from its ip_address blocks [R53R]; (4) the SFTP endpoint's
    # group is the adopted default group [SFTP]
    assert not [u for u in svc_show["unknown"] if u["address"] in (RESOLVER, SFTP)]


def test_svc_resolver_members_placed(svc_show):
    # [R53R] the endpoint is a member of group resolver, in the plan's private subnets
    resolver = next(g for g in svc_show["groups"] if g["address"] == sg("resolver"))
    assert resolver["attached"] == [RESOLVER]
    default = next(g for g in svc_show["groups"] if g["address"] == DEF)
    assert default["attached"] == [SFTP] and default["default"] is True  # [SFTP]


def test_svc_findings(svc_check):
    code, r = svc_check
    assert code == 1
    assert _violations(r) == {
        # (4) SSH from the internet on the default group, reaching the SFTP endpoint [SFTP][POL]
        ("TFSG001", DEF),
        # (6) a data store the internet reaches directly [AOS][POL]
        ("TFSG007", SEARCH),
        # (10) the adopted default group has a rule, so it does not restrict all [DEFSG]; the VPC
        # itself has none (its default group is managed)
        ("TFSG011", DEF),
    }
    tfsg001 = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert tfsg001["evidence"]["exposed_resources"] == [SFTP]
    warned = warned_by(r)
    # (9) the tier of group tagged decides whether internet -> web -> backend breaks tiering [TAGS]
    assert (sg("tagged"), "tags") in warned.get("TFSG007", set())
    # (5) the public broker's group is unknown [MQ]
    assert (ACTIVE, "security_groups") in warned.get("TFSG007", set())
