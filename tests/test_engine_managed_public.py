"""Public endpoints AWS runs, code-running public fronts, and a launch template with two network
interfaces (fixtures/engine_managed_public).

Expected values are read from main.tf by hand, with AWS's documentation:

[NEP]   Neptune user guide, "Neptune public endpoints": engine 1.4.6.x, IAM authentication on the
        cluster; the setting is per instance (PubliclyAccessible), so one instance of a cluster
        can be public and another not; the subnets must route to an internet gateway and
        "access to the database is controlled by the security group it uses" (tcp 8182 from
        0.0.0.0/0 here). A cluster instance takes its cluster's groups and subnets.
[MQ]    Amazon MQ developer guide, "Amazon MQ for RabbitMQ brokers", listener ports: 5671
        (AMQPS), 443 and 15671 (web console and management API). A public RabbitMQ broker is
        given no subnet and no security group here: nothing filters who connects.
        An ActiveMQ broker with publicly_accessible = false has private addresses only.
[MQ6]   Amazon MQ developer guide, "Connecting to Amazon MQ", broker endpoints:
        brokerId.mq.region.on.aws is dual-stack (IPv4 and IPv6); "Amazon MQ for ActiveMQ brokers
        do not support dual-stack". So the public RabbitMQ broker is on the IPv6 internet too.
[AOS]   OpenSearch Service: a domain without vpc_options has a public endpoint governed by its
        access policy, not by security groups; DomainEndpointOptions.EnforceHTTPS "require that
        all traffic to the domain arrive over HTTPS": tcp 443 only. IPAddressType defaults to
        ipv4.
[SFTP]  Transfer Family API, EndpointDetails: with EndpointType VPC you "associate up to three
        Elastic IPv4 addresses ... with your server's endpoint and use VPC security groups to
        restrict traffic by the client's public IP address" (AddressAllocationIds: "set this
        parameter if you want to make your VPC endpoint public-facing"). EndpointType PUBLIC
        (the default) is an AWS endpoint on the internet with no group. Protocols default to
        SFTP: tcp 22.
[LURL]  Lambda developer guide, "Lambda function URLs": a function URL is "a dedicated HTTP(S)
        endpoint for your Lambda function", reachable "only through the public internet";
        "Function URLs are dual stack-enabled, supporting IPv4 and IPv6"; authorization_type
        NONE lets anyone invoke it. Its VPC config carries the function's own outbound
        traffic: so the internet runs fn (tcp 443), and fn connects to the database (tcp 5432).
[LVPC]  Lambda developer guide, "Connecting Lambda functions to your VPC": the function's
        interfaces carry its outbound traffic only; a function with no URL (batch) is invoked
        by nothing on the internet.
[APR]   App Runner API: IngressConfiguration.IsPubliclyAccessible defaults to true (a public
        HTTPS endpoint, tcp 443; IpAddressType IPV4 here); EgressConfiguration EgressType VPC
        sends the service's outbound traffic through the VPC connector, whose SecurityGroups
        govern it ("security groups that App Runner should use for access to AWS resources").
[EC2IP] EC2 user guide, "Manage the IPv4 addresses for your EC2 instances": "You can't
        auto-assign a public IP address if you specify more than one network interface." The
        subnet's map_public_ip_on_launch gives a one-interface instance a public IPv4 address.
[REF]   VPC user guide, "Security group rules": a rule naming a group admits the network
        interfaces in that group; a flow needs the sender's egress and the receiver's ingress.
[TIER]  The baseline pack's TFSG007: the data tier (groups attached to aws_db_instance,
        aws_neptune_cluster, aws_elasticache_*, ...) is reached from the internet only through a
        tier that is not internet-facing; a data store the internet reaches directly, or through
        a resource the internet reaches directly, is a finding on that store. TFSG001: tcp 22
        from the internet; TFSG002: database ports (8182 among them) from the internet.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

CASE = "engine_managed_public"
V4, V6 = "0.0.0.0/0", "::/0"

NEP_PUB, NEP_PRIV = "aws_neptune_cluster_instance.public", "aws_neptune_cluster_instance.private"
RABBIT, ACTIVE = "aws_mq_broker.rabbit", "aws_mq_broker.active"
SEARCH = "aws_opensearch_domain.search"
SFTP_VPC, SFTP_PUBLIC = "aws_transfer_server.vpc", "aws_transfer_server.public"
FN, BATCH, DB = "aws_lambda_function.fn", "aws_lambda_function.batch", "aws_db_instance.db"
X, WEB, CACHE = "aws_apprunner_vpc_connector.x", "aws_apprunner_service.web", "aws_elasticache_cluster.cache"
ASG_ONE, ASG_TWO = "aws_autoscaling_group.one", "aws_autoscaling_group.two"


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def _inputs() -> dict[str, str]:
    return {"plan": plan(CASE), "hcl": str(FIXTURES / CASE)}


@pytest.fixture(scope="module", params=["plan", "hcl"])
def show(request) -> dict:
    return tfsg_json("show", _inputs()[request.param])


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> tuple[int, dict]:
    proc = run_tfsg("check", _inputs()[request.param], "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    return proc.returncode, result


def _resources(r: dict) -> dict[str, set[tuple]]:
    """address -> {(family, protocol, ports, sources, via)} of the exposed resources."""
    out: dict[str, set[tuple]] = {}
    for e in r["exposed"]:
        if e["kind"] == "resource":
            out.setdefault(e["address"], set()).add(
                (e.get("family"), e["protocol"], e["ports"], tuple(e["sources"]), tuple(e["via"])))
    return out


def _family(r: dict, address: str, family: str) -> set[tuple]:
    return {row for row in _resources(r).get(address, set()) if row[0] == family}


def _paths(r: dict) -> dict[tuple[str, ...], dict]:
    return {tuple(p["nodes"]): p for p in r["paths"]}


def _hops(p: dict) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(h["from"], h["to"], [(s["protocol"], s["ports"]) for s in h["services"]]) for h in p["hops"]]


def _resource_flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]}


# ---- 1. Neptune

def test_neptune_public_instance(show):
    # [NEP] the public instance, behind its cluster's group; IPv4 only (no IPv6 setting)
    assert _resources(show).get(NEP_PUB) == {("ipv4", "tcp", "8182", (V4,), (sg("neptune"),))}


def test_neptune_instance_without_public_endpoint(show):
    # [NEP] same cluster, subnets and group, publicly_accessible unset: no public address
    assert NEP_PRIV not in _resources(show)


# ---- 2. Amazon MQ

def test_rabbitmq_public_broker_ipv4(show):
    # [MQ] every listener port, from the whole IPv4 internet, no group
    assert _family(show, RABBIT, "ipv4") == {("ipv4", "tcp", port, (V4,), ()) for port in ("443", "5671", "15671")}


def test_rabbitmq_public_broker_ipv6(show):
    assert _family(show, RABBIT, "ipv6") == {("ipv6", "tcp", port, (V6,), ()) for port in ("443", "5671", "15671")}


def test_private_activemq_broker(show):
    # [MQ] its group admits tcp 61617 from anywhere, but the broker has private addresses only
    assert ACTIVE not in _resources(show)


# ---- 3. OpenSearch

def test_opensearch_public_domain(show):
    # [AOS] HTTPS only, IPv4, no group
    assert _resources(show).get(SEARCH) == {("ipv4", "tcp", "443", (V4,), ())}


# ---- 4. Transfer Family

def test_transfer_vpc_endpoint_with_elastic_ip(show):
    # [SFTP] internet-facing through the Elastic IP, behind group sftp
    assert _resources(show).get(SFTP_VPC) == {("ipv4", "tcp", "22", (V4,), (sg("sftp"),))}


def test_transfer_public_endpoint(show):
    # [SFTP] endpoint_type PUBLIC: no group
    assert _resources(show).get(SFTP_PUBLIC) == {("ipv4", "tcp", "22", (V4,), ())}


# ---- 5. Lambda function URL

def test_function_url_ipv4(show):
    # [LURL] the URL, not group fn, decides who invokes the function: anyone, on tcp 443
    assert _family(show, FN, "ipv4") == {("ipv4", "tcp", "443", (V4,), ())}


def test_function_url_ipv6(show):
    assert _family(show, FN, "ipv6") == {("ipv6", "tcp", "443", (V6,), ())}


def test_functions_reach_the_database(show):
    # [REF][LVPC] both functions send from group fn (egress tcp 5432 to db), db admits fn
    flows = _resource_flows(show)
    assert (FN, DB, "tcp", "5432") in flows and (BATCH, DB, "tcp", "5432") in flows
    # [LVPC] nothing connects to a function through its VPC interfaces
    assert not any(to in (FN, BATCH) for _, to, _, _ in flows)


def test_function_url_path_to_the_database(show):
    # [LURL][REF] internet -443-> fn (the URL runs it) -5432-> db
    p = _paths(show).get(("internet", FN, DB))
    assert p is not None
    assert _hops(p) == [("internet", FN, [("tcp", "443")]), (FN, DB, [("tcp", "5432")])]
    assert p["groups"] == [[], [sg("fn")], [sg("db")]]


def test_function_without_url_is_not_reachable(show):
    # [LVPC] batch reaches the database (above) but the internet reaches neither it nor the
    # database through it
    assert BATCH not in _resources(show)
    assert not any(BATCH in nodes for nodes in _paths(show))


# ---- 6. App Runner

def test_apprunner_connector_reaches_the_cache(show):
    # [APR][REF] the connector's group sends tcp 6379 to cache, which admits runner
    assert (X, CACHE, "tcp", "6379") in _resource_flows(show)


def test_apprunner_path_to_the_cache(show):
    # [APR][REF] internet -443-> the service, whose code sends through connector x -6379-> cache;
    # the service's public endpoint, no group guarding it, stands at its connector
    assert _resources(show).get(X) == {("ipv4", "tcp", "443", (V4,), ())}
    p = _paths(show).get(("internet", X, CACHE))
    assert p is not None
    assert _hops(p) == [("internet", X, [("tcp", "443")]), (X, CACHE, [("tcp", "6379")])]
    assert p["groups"] == [[], [sg("runner")], [sg("cache")]]


# ---- 7. Launch templates

def test_two_interfaces_get_no_public_address(show):
    # [EC2IP] map_public_ip_on_launch does not apply with two interfaces
    assert ASG_TWO not in _resources(show)


def test_one_interface_gets_the_subnets_public_address(show):
    # [EC2IP] the control: same group and subnet, one interface
    assert _resources(show).get(ASG_ONE) == {("ipv4", "tcp", "22", (V4,), (sg("lt"),))}


def test_no_launch_template_node(show):
    # the template launches nothing itself: the Auto Scaling groups stand for its instances
    assert not any(a.startswith("aws_launch_template.") for a in _resources(show))


# ---- the whole picture

def test_group_exposures(show):
    # each group admitting 0.0.0.0/0, whatever is attached to it (lt and activemq included)
    rows = {(e["address"], e["protocol"], e["ports"], tuple(e["sources"])) for e in show["exposed"]
            if e["kind"] == "group"}
    assert rows == {(sg("neptune"), "tcp", "8182", (V4,)), (sg("activemq"), "tcp", "61617", (V4,)),
                    (sg("sftp"), "tcp", "22", (V4,)), (sg("lt"), "tcp", "22", (V4,))}


def test_nothing_else_is_exposed(show):
    # what must never be reported reachable, and no resource beyond those derived above (the
    # App Runner service itself may stand beside its connector)
    exposed = set(_resources(show))
    assert not exposed & {NEP_PRIV, ACTIVE, BATCH, DB, CACHE, ASG_TWO}
    assert exposed - {WEB} <= {NEP_PUB, RABBIT, SEARCH, SFTP_VPC, SFTP_PUBLIC, FN, X, ASG_ONE}


def test_no_other_path(show):
    # only the code-running fronts have egress to anything: the other exposed resources' groups
    # (neptune, sftp, lt) have no egress rule at all
    assert set(_paths(show)) <= {("internet", FN, DB), ("internet", X, CACHE)}


def test_nothing_unknown(show):
    # every subnet, group, cluster, Elastic IP and connector is named by reference in the plan
    assert show["unknown"] == []


def test_hcl_mode_agrees_with_the_plan():
    full = {}
    for mode, path in _inputs().items():
        r = tfsg_json("show", path)
        full[mode] = ({(e["address"], e["kind"], e.get("family"), e["protocol"], e["ports"], tuple(e["sources"]),
                        tuple(e["via"])) for e in r["exposed"]}, set(_paths(r)), _resource_flows(r))
    assert full["hcl"] == full["plan"]


# ---- tfsg check

def _findings(r: dict, policy: str) -> dict[str, dict]:
    return {f["address"]: f for f in r["findings"] if f["policy"] == policy and f["status"] == "violation"}


def test_check_blocks(check):
    code, r = check
    assert code == 1  # critical findings, all introduced by this create plan


def test_ssh_from_the_internet(check):
    # [TIER] TFSG001 on the two groups open on tcp 22; the resources each one exposes
    tfsg001 = {a: f for a, f in _findings(check[1], "TFSG001").items() if a.startswith("aws_security_group.")}
    assert set(tfsg001) == {sg("sftp"), sg("lt")}
    assert tfsg001[sg("sftp")]["evidence"]["exposed_resources"] == [SFTP_VPC]
    assert tfsg001[sg("lt")]["evidence"]["exposed_resources"] == [ASG_ONE]  # [EC2IP] not ASG_TWO


def test_database_port_from_the_internet(check):
    # [TIER] TFSG002 on neptune (8182), and on activemq: 61617 (OpenWire) is the broker's own
    # service port (Amazon MQ developer guide, "Security groups"; store_ports, thirteenth
    # session), open to the whole internet, though the broker is private (nothing reached)
    tfsg002 = {a: f for a, f in _findings(check[1], "TFSG002").items() if a.startswith("aws_security_group.")}
    assert set(tfsg002) == {sg("neptune"), sg("activemq")}
    assert tfsg002[sg("neptune")]["evidence"]["exposed_resources"] == [NEP_PUB]
    assert tfsg002[sg("activemq")]["key"] == "internet tcp 61617"
    assert tfsg002[sg("activemq")]["evidence"]["exposed_resources"] == []


def test_tiering_neptune_reached_directly(check):
    # [TIER][NEP] a data store the internet reaches directly
    assert NEP_PUB in _findings(check[1], "TFSG007")


def test_tiering_database_behind_a_function_url(check):
    # [TIER][LURL] the database is reached from fn, which the internet reaches directly
    assert DB in _findings(check[1], "TFSG007")


def test_tiering_cache_behind_app_runner(check):
    # [TIER][APR] the cache is reached from the connector of a public App Runner service
    assert CACHE in _findings(check[1], "TFSG007")


def test_tiering_groupless_data_stores(check):
    # [TIER][AOS][MQ] data stores with public endpoints and no group are in the data tier by
    # their type (the baseline's attached_to list names aws_opensearch_domain and aws_mq_broker):
    # reached from the internet directly
    assert {SEARCH, RABBIT} <= set(_findings(check[1], "TFSG007"))


def test_tiering_spares_what_the_internet_does_not_reach(check):
    # [NEP] the private instance of the same cluster, the private ActiveMQ broker; nothing else
    # of the data tier is reached other than through fn and the connector
    assert set(_findings(check[1], "TFSG007")) == {NEP_PUB, DB, CACHE, SEARCH, RABBIT}
