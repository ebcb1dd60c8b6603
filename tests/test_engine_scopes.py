"""Names and addresses AWS scopes per Region or per VPC, origins behind CloudFront, the default VPC.

Two fixtures; every expected value is read from their .tf files by hand, with AWS's rules.

fixtures/engine_region_scopes (create plan, offline): two providers, us-east-1 (default) and
eu-west-1 (``aws.eu``), and in each case two objects with one name or one private IP address in
two scopes.

[RDSNAME] RDS API reference, CreateDBSubnetGroup / CreateDBInstance "DBSubnetGroupName": RDS
          resources are Regional; a subnet group's name is unique within a Region and account
          (DBSubnetGroupAlreadyExists otherwise), and a DB instance names a group of its own
          Region. aws_db_instance.eu (provider aws.eu) is in eu-west-1's "main" (the eu public
          subnets); aws_db_instance.us in us-east-1's "main" (the us private subnets).
[RDSPUB]  RDS API reference, CreateDBInstance "PubliclyAccessible": "When the DB instance is
          publicly accessible and you connect from outside of the DB instance's VPC, its DNS
          endpoint resolves to the public IP address ... Access to the DB instance is ultimately
          controlled by the security group it uses"; "If PubliclyAccessible is true and the VPC
          that the DBSubnetGroup is in doesn't have an internet gateway attached to it, Amazon RDS
          returns an error" (both VPCs have one). AWS Config rds-instance-subnet-igw-check: a DB
          instance is exposed when its subnet routes to the internet gateway.
[IGW]     VPC user guide, "Internet gateways" / "Route tables": a public address answers only
          when its subnet's route table sends 0.0.0.0/0 to an internet gateway. The eu public
          subnets and us public subnets do; the us private subnets have the local route only.
[LTNAME]  EC2 API reference, CreateLaunchTemplate "LaunchTemplateName": unique per Region and
          account; Terraform aws_autoscaling_group launch_template { name }: the template of that
          name in the group's Region (its provider's). eu's "web" puts a public IPv4
          (network_interfaces associate_public_ip_address = true, EC2 "Public IPv4 addresses")
          and group eu_ssh (tcp 22 from 0.0.0.0/0); us's "web" group us_ssh admits nothing.
[IPTGT]   ELB guide (Network Load Balancers), "Target groups", target type ip: the targets are IP
          addresses the load balancer sends to from its VPC; VPC user guide, "Route tables": the
          local route (the VPC CIDR) carries traffic to addresses of the VPC and cannot be
          overridden by a less specific route; VPC peering guide, "limitations": VPCs with
          overlapping CIDRs cannot be peered. So the NLB of VPC A reaches 10.0.1.10 of VPC A
          (pg_a), never 10.0.1.10 of VPC B (decoy_b, which sorts first).
[NLB]     ELB guide, "Security groups for your Network Load Balancer": with no group, all client
          traffic reaches its listeners; "Edit target group attributes", client IP preservation:
          "IP type target groups (TCP, TLS): Disabled", so "the source IP address is the private
          IP address of the Network Load Balancer" (its subnet 10.0.0.0/24, which pg_a admits).
[SGVPC]   VPC user guide, "Security group rules": a CIDR in a rule means addresses of the
          group's own VPC (or routed to it); decoy_b's 10.0.0.0/24 is VPC B's, where nothing runs.
[TIER]    tfsg baseline (README, "The gate"): TFSG001/TFSG002 on a group admitting the whole
          internet on SSH / a database port, listing the resources the internet reaches through it
          (directly or behind a load balancer without groups); TFSG007: a data-tier resource
          (a DB instance, or a group tagged Tier = data) reached from the internet directly, or
          through a load balancer or an internet-facing resource, fails; TFSG020 only for a data
          store that existed before the change (none here: both plans create them).

fixtures/engine_cloudfront_origin (update plan: before/ applied to moto, then planned, so the
data source is read from moto):

[CFPL]    CloudFront developer guide, "Locations and IP address ranges of CloudFront edge
          servers", "Use the CloudFront managed prefix list": com.amazonaws.global.cloudfront.
          origin-facing "contains the IP address ranges of all of CloudFront's globally
          distributed origin-facing servers"; admitting it "makes all CloudFront globally
          distributed origin-facing servers able to reach" the origin. Those servers fetch from
          the origin for any viewer of the internet, for any distribution (of any account) that
          names the origin; nothing in a security group limits which distribution. So group web
          (tcp 80 from the list only) lets the internet reach aws_instance.web (public IPv4,
          public subnet) through CloudFront on tcp 80, IPv4 (the list is IPv4: address_family
          IPv4); and internet -> (CloudFront) -> web -> db on tcp 5432 (db admits group web; web
          sends everything): TFSG007 on aws_db_instance.db.
[DEFSUB]  EC2 API reference, RunInstances "SubnetId" / "Placement": with no subnet, the instance
          goes to the default subnet of the Availability Zone given (us-east-1a here); VPC user
          guide, "Default subnets": default subnets are public (map_public_ip_on_launch true, the
          plan shows it for aws_default_subnet.default_a, read from moto), their instances get a
          public IPv4 address, and the default VPC's main route table sends 0.0.0.0/0 to its
          internet gateway. default_by_id and default_by_name are reachable on tcp 22 through
          admin_default (0.0.0.0/0): TFSG001.
[SGNAME]  Terraform aws_instance security_groups: "(Optional, EC2-Classic and default VPC only)
          List of security group names"; EC2 API RunInstances "SecurityGroups": "[Default VPC]
          The names of the security groups". Group names are unique per VPC (VPC user guide,
          "Security groups"): "admin" of an instance launched into the default VPC is
          admin_default, not admin_custom (the custom VPC's, admits nothing, sorts first).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

SG = "aws_security_group."
REACH = ("TFSG001", "TFSG002", "TFSG003", "TFSG007", "TFSG020")

# ================================================================ engine_region_scopes

SCOPES = "engine_region_scopes"
DB_EU, DB_US = "aws_db_instance.eu", "aws_db_instance.us"
ASG_EU, ASG_US = "aws_autoscaling_group.eu", "aws_autoscaling_group.us"
NLB, LISTENER = "aws_lb.nlb", "aws_lb_listener.pg"
PG_A, DECOY_B = "aws_instance.pg_a", "aws_instance.decoy_b"

SCOPES_SOURCES = {"plan": lambda: plan(SCOPES), "hcl": lambda: str(FIXTURES / SCOPES)}
BOTH = pytest.mark.parametrize("source", sorted(SCOPES_SOURCES))


def _show(source: str) -> dict:
    return tfsg_json("show", SCOPES_SOURCES[source]())


def _check(target: str) -> tuple[int, dict]:
    proc = run_tfsg("check", target, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _members(r: dict, groups) -> dict[str, list[str]]:
    return {g["address"]: sorted(g["attached"]) for g in r["groups"] if g["address"] in set(groups)}


def _resource_rows(r: dict, addresses) -> set[tuple]:
    return {(e["address"], e["family"], e["protocol"], e["ports"], e.get("listener"), tuple(e["via"]))
            for e in r["exposed"] if e["kind"] == "resource" and e["address"] in set(addresses)}


def _group_rows(r: dict) -> set[tuple[str, str, str]]:
    return {(e["address"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "group"}


def _resource_flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]}


def _reach_findings(r: dict) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    for f in r["findings"]:
        if f["policy"] in REACH:
            assert (f["policy"], f["address"]) not in out, f
            out[(f["policy"], f["address"])] = f
    return out


def test_scopes_plan_holds_the_scenario():
    """The fixture is what the tests assume: providers per Region, the literals, the colliding IP."""
    with open(plan(SCOPES)) as f:
        data = json.load(f)
    after = {c["address"]: c["change"]["after"] for c in data["resource_changes"]}
    config = {r["address"]: r for r in data["configuration"]["root_module"]["resources"]}
    eu = {a for a, r in config.items() if r.get("provider_config_key") == "aws.eu"}
    assert {DB_EU, ASG_EU, "aws_db_subnet_group.eu", "aws_launch_template.eu", SG + "eu_pg", SG + "eu_ssh"} <= eu
    assert not {DB_US, ASG_US, "aws_db_subnet_group.us", "aws_launch_template.us", PG_A, DECOY_B, NLB} & eu
    assert data["configuration"]["provider_config"]["aws.eu"]["expressions"]["region"]["constant_value"] == "eu-west-1"
    # (a) one name, two groups; both databases name it by the literal
    assert after["aws_db_subnet_group.eu"]["name"] == after["aws_db_subnet_group.us"]["name"] == "main"
    for db in (DB_EU, DB_US):
        assert config[db]["expressions"]["db_subnet_group_name"] == {"constant_value": "main"}
        assert after[db]["publicly_accessible"] is True
    # (b) one name, two templates; both ASGs name it by the literal
    assert after["aws_launch_template.eu"]["name"] == after["aws_launch_template.us"]["name"] == "web"
    for asg in (ASG_EU, ASG_US):
        assert config[asg]["expressions"]["launch_template"][0]["name"] == {"constant_value": "web"}
    # (c) one address in two VPCs with the same CIDR
    assert after["aws_vpc.a"]["cidr_block"] == after["aws_vpc.b"]["cidr_block"] == "10.0.0.0/16"
    assert after[PG_A]["private_ip"] == after[DECOY_B]["private_ip"] == "10.0.1.10"
    assert after["aws_lb_target_group_attachment.pg"]["target_id"] == "10.0.1.10"
    assert after["aws_lb_target_group.pg"]["target_type"] == "ip"
    assert after[NLB]["internal"] is False and after[NLB]["load_balancer_type"] == "network"


@BOTH
def test_a_db_subnet_group_name_is_read_in_the_database_s_region(source):
    """[RDSNAME][RDSPUB][IGW] eu's "main" is public: db eu is reached on tcp 5432 (IPv4: the
    default network_type); us's "main" is private: db us is not, though its group is as open."""
    r = _show(source)
    assert _resource_rows(r, {DB_EU, DB_US}) == {(DB_EU, "ipv4", "tcp", "5432", None, (SG + "eu_pg",))}


@BOTH
def test_b_a_launch_template_name_is_read_in_the_asg_s_region(source):
    """[LTNAME] each ASG stands for instances in its own Region's "web" template's group."""
    r = _show(source)
    assert _members(r, {SG + "eu_ssh", SG + "us_ssh"}) == {SG + "eu_ssh": [ASG_EU], SG + "us_ssh": [ASG_US]}


@BOTH
def test_b_only_the_eu_asg_is_reached_on_ssh(source):
    """[LTNAME][IGW] public IPv4 from eu's template, routed, eu_ssh open on 22; us_ssh admits nothing."""
    r = _show(source)
    assert _resource_rows(r, {ASG_EU, ASG_US}) == {(ASG_EU, "ipv4", "tcp", "22", None, (SG + "eu_ssh",))}


@BOTH
def test_c_an_ip_target_is_the_address_in_the_target_group_s_vpc(source):
    """[IPTGT][NLB] the NLB answers on 5432 and forwards to pg_a (VPC A); decoy_b is no target."""
    r = _show(source)
    assert _resource_rows(r, {NLB, PG_A, DECOY_B}) == {
        (NLB, "ipv4", "tcp", "5432", None, ()),
        (PG_A, "ipv4", "tcp", "5432", LISTENER, (SG + "pg_a",)),
    }
    assert {tuple(p["nodes"]) for p in r["paths"]} == {("internet", NLB, PG_A)}


@BOTH
def test_c_no_flow_crosses_into_the_other_vpc(source):
    """[IPTGT][SGVPC] the NLB's addresses are VPC A's: pg_a admits them, decoy_b (VPC B) does not
    see them. Nothing else sends (every other group has egress = [])."""
    r = _show(source)
    assert _resource_flows(r) == {(NLB, PG_A, "tcp", "5432")}


@BOTH
def test_scopes_group_rows_and_nothing_unknown(source):
    """Groups whose own rules admit the whole internet, whatever their members: eu_pg, us_pg (5432)
    and eu_ssh (22). Every value that decides the answer is in the plan (or the sources)."""
    r = _show(source)
    assert _group_rows(r) == {(SG + "eu_pg", "tcp", "5432"), (SG + "us_pg", "tcp", "5432"),
                              (SG + "eu_ssh", "tcp", "22")}
    assert r["unknown"] == []


@pytest.mark.parametrize("source", sorted(SCOPES_SOURCES))
def test_scopes_gate(source):
    """[TIER] with (a)-(c): TFSG001 on eu_ssh reaches the eu ASG only; TFSG002 on eu_pg reaches db
    eu, on us_pg nothing, on pg_a (behind the NLB) pg_a; TFSG007 on db eu (directly) and pg_a
    (through the NLB); not on db us or decoy_b. All introduced (a create plan), all blocking."""
    code, r = _check(SCOPES_SOURCES[source]())
    assert code == 1
    found = _reach_findings(r)
    assert set(found) == {("TFSG001", SG + "eu_ssh"), ("TFSG002", SG + "eu_pg"), ("TFSG002", SG + "us_pg"),
                          ("TFSG002", SG + "pg_a"), ("TFSG007", DB_EU), ("TFSG007", PG_A)}
    assert all(f["status"] == "violation" and f["introduced"] and f["blocking"] for f in found.values())
    assert found[("TFSG001", SG + "eu_ssh")]["evidence"]["exposed_resources"] == [ASG_EU]
    assert found[("TFSG002", SG + "eu_pg")]["evidence"]["exposed_resources"] == [DB_EU]
    assert found[("TFSG002", SG + "us_pg")]["evidence"]["exposed_resources"] == []
    assert found[("TFSG002", SG + "pg_a")]["evidence"]["exposed_resources"] == [PG_A]
    assert found[("TFSG007", DB_EU)]["evidence"]["path"] == ["internet", DB_EU]
    assert found[("TFSG007", PG_A)]["evidence"]["path"] == ["internet", NLB, PG_A]


# ================================================================ engine_cloudfront_origin

ORIGIN = "engine_cloudfront_origin"
WEB, DB = "aws_instance.web", "aws_db_instance.db"
BY_ID, BY_NAME = "aws_instance.default_by_id", "aws_instance.default_by_name"
CF_DATA = "data.aws_ec2_managed_prefix_list.cloudfront"


def _cloudfront_list() -> dict:
    """The data source as Terraform read it from moto (the fixture's input, not tfsg's output)."""
    doc = json.loads((FIXTURES / ORIGIN / "plan.json").read_text())
    (ds,) = [r for r in doc["prior_state"]["values"]["root_module"]["resources"] if r["address"] == CF_DATA]
    return ds["values"]


def _names_cloudfront(value) -> bool:
    """Evidence names CloudFront or its list (by the data source's address or its pl- id)."""
    text = json.dumps(value).lower()
    return "cloudfront" in text or _cloudfront_list()["id"].lower() in text


def test_origin_plan_holds_the_scenario():
    """moto served the CloudFront list and the default VPC; the after configuration as assumed."""
    values = _cloudfront_list()
    assert values["name"] == "com.amazonaws.global.cloudfront.origin-facing"
    assert values["id"].startswith("pl-") and values["address_family"] == "IPv4" and values["entries"]
    with open(plan(ORIGIN)) as f:
        data = json.load(f)
    rc = {c["address"]: c["change"] for c in data["resource_changes"]}
    assert rc[SG + "web"]["after"]["ingress"][0]["prefix_list_ids"] == [values["id"]]
    subnet = rc["aws_default_subnet.default_a"]
    assert subnet["actions"] == ["no-op"]
    assert (subnet["after"]["availability_zone"], subnet["after"]["map_public_ip_on_launch"]) == ("us-east-1a", True)
    assert rc["aws_default_vpc.default"]["actions"] == ["no-op"]
    config = {r["address"]: r.get("expressions", {}) for r in data["configuration"]["root_module"]["resources"]}
    for inst in (BY_ID, BY_NAME):
        assert rc[inst]["actions"] == ["create"]
        assert "subnet_id" not in config[inst]
        assert config[inst]["availability_zone"] == {"constant_value": "us-east-1a"}
    assert config[BY_NAME]["security_groups"] == {"constant_value": ["admin"]}
    assert rc[SG + "admin_default"]["after"]["name"] == rc[SG + "admin_custom"]["after"]["name"] == "admin"
    for address in (WEB, DB, "aws_db_subnet_group.db", SG + "web", SG + "db"):
        assert rc[address]["actions"] == ["create"]
    assert rc[DB]["after"]["publicly_accessible"] is False


def test_origin_members():
    """Members of the groups whose members are named by id."""
    r = tfsg_json("show", plan(ORIGIN))
    members = _members(r, {SG + "web", SG + "db", SG + "admin_default"})
    assert members[SG + "web"] == [WEB] and members[SG + "db"] == [DB]
    assert BY_ID in members[SG + "admin_default"]


def test_origin_group_names_resolve_in_the_default_vpc():
    """[SGNAME] default_by_name's "admin" is the default VPC's; admin_custom has no member."""
    r = tfsg_json("show", plan(ORIGIN))
    assert _members(r, {SG + "admin_default", SG + "admin_custom"}) == {
        SG + "admin_default": [BY_ID, BY_NAME], SG + "admin_custom": []}


@pytest.mark.parametrize("source", ["plan", "sources"])
def test_web_is_reached_from_the_internet_through_cloudfront(source):
    """[CFPL] web (public IPv4, routed) on tcp 80, IPv4, through group web; the row names CloudFront
    (or its list). The .tf files alone do not hold the list's entries (Terraform reads them from
    AWS while planning), but its name says what it is: the same answer."""
    r = tfsg_json("show", plan(ORIGIN) if source == "plan" else str(FIXTURES / ORIGIN))
    rows = [e for e in r["exposed"] if e["kind"] == "resource" and e["address"] == WEB]
    assert [(e["family"], e["protocol"], e["ports"], e["via"]) for e in rows] == [("ipv4", "tcp", "80", [SG + "web"])]
    assert _names_cloudfront(rows[0])


def test_the_path_to_the_database_goes_through_cloudfront_and_web():
    """[CFPL] internet -> (CloudFront) -> web -> db on tcp 5432; the only path (the default
    instances are reached directly on 22, which web adds nothing to)."""
    r = tfsg_json("show", plan(ORIGIN))
    (path,) = r["paths"]
    nodes = path["nodes"]
    assert nodes[0] == "internet" and nodes[-2:] == [WEB, DB]
    assert all(_names_cloudfront(n) for n in nodes[1:-2])
    assert path["hops"][-1]["services"] == [{"protocol": "tcp", "ports": "5432"}]
    assert [s["ports"] for s in path["hops"][-2]["services"]] == ["80"]


def test_a_default_subnet_instance_is_reached_on_ssh():
    """[DEFSUB] default_by_id: public IPv4 from the us-east-1a default subnet, routed, tcp 22
    through admin_default."""
    r = tfsg_json("show", plan(ORIGIN))
    assert _resource_rows(r, {BY_ID}) == {(BY_ID, "ipv4", "tcp", "22", None, (SG + "admin_default",))}


def test_default_subnet_instances_are_reached_on_ssh():
    """[DEFSUB][SGNAME] both default-VPC instances: public IPv4 from the us-east-1a default subnet,
    routed, tcp 22 through admin_default."""
    r = tfsg_json("show", plan(ORIGIN))
    assert _resource_rows(r, {BY_ID, BY_NAME}) == {
        (BY_ID, "ipv4", "tcp", "22", None, (SG + "admin_default",)),
        (BY_NAME, "ipv4", "tcp", "22", None, (SG + "admin_default",)),
    }


def test_origin_resource_flows_from_web():
    """web sends everything: to db on 5432 (db admits group web), and through the internet to
    default_by_id's public address on 22 (0.0.0.0/0). Nothing else sends (egress = [])."""
    r = tfsg_json("show", plan(ORIGIN))
    assert {f for f in _resource_flows(r) if BY_NAME not in f} == {(WEB, DB, "tcp", "5432"), (WEB, BY_ID, "tcp", "22")}


def test_origin_resource_flows():
    """As above, and web reaches default_by_name on 22 too (it is in admin_default)."""
    r = tfsg_json("show", plan(ORIGIN))
    assert _resource_flows(r) == {(WEB, DB, "tcp", "5432"), (WEB, BY_ID, "tcp", "22"), (WEB, BY_NAME, "tcp", "22")}


def test_origin_nothing_unknown():
    """The list's entries are in the plan; the default subnet of us-east-1a is in the plan."""
    r = tfsg_json("show", plan(ORIGIN))
    assert r["unknown"] == []


def _origin_gate() -> dict[tuple[str, str], dict]:
    code, r = _check(plan(ORIGIN))
    assert code == 1
    return _reach_findings(r)


def test_origin_gate():
    """[TIER][CFPL][DEFSUB] FAIL: TFSG007 on db (introduced: db is new, so no TFSG020), its path
    through CloudFront and web; TFSG001 on admin_default reaching the default-subnet instance. No
    database port is open to the internet itself (no TFSG002)."""
    found = _origin_gate()
    assert set(found) == {("TFSG007", DB), ("TFSG001", SG + "admin_default")}
    assert all(f["status"] == "violation" and f["introduced"] and f["blocking"] for f in found.values())
    assert BY_ID in found[("TFSG001", SG + "admin_default")]["evidence"]["exposed_resources"]
    path = found[("TFSG007", DB)]["evidence"]["path"]
    assert path[0] == "internet" and path[-2:] == [WEB, DB]
    assert all(_names_cloudfront(n) for n in path[1:-2])


def test_origin_gate_lists_both_default_vpc_instances():
    """[DEFSUB][SGNAME] TFSG001 on admin_default reaches both default-VPC instances."""
    found = _origin_gate()
    assert found[("TFSG001", SG + "admin_default")]["evidence"]["exposed_resources"] == [BY_ID, BY_NAME]
