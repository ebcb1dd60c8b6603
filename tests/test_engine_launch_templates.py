"""What instances launched from templates and configurations are in (fixtures/engine_launch_templates).

Expected values are read from main.tf by hand, with AWS's and the provider's rules:

[RUNLT]  EC2 API reference, RunInstances, "LaunchTemplate": "Any additional parameters that you
         specify for the new instance overwrite the corresponding parameters included in the
         launch template." Terraform aws_instance, `launch_template`: "Parameters configured on
         this resource will override the corresponding parameters in the Launch Template"; the
         block names the template by `id` or by `name`. So an instance that writes no groups
         (and no subnet) takes the template's; one that writes vpc_security_group_ids has those
         only.
[RUNSG]  EC2 API reference, RunInstances, "SecurityGroupIds": "If you specify a network
         interface, you must specify any security groups as part of the network interface";
         with no group given anywhere, the instance is in the VPC's default security group (EC2
         user guide, "Default security groups for your VPCs": "If you don't specify a security
         group when you launch an instance, the instance is automatically associated with the
         default security group for the VPC"). aws_default_security_group manages that group.
[ENIPIP] EC2 API reference, InstanceNetworkInterfaceSpecification / launch template
         `network_interfaces.associate_public_ip_address`: assigns a public IPv4 address to the
         primary interface, whatever the subnet's map_public_ip_on_launch says (it is the
         subnet's *default*: EC2 user guide, "Public IPv4 addresses").
[MAPIP]  VPC user guide, subnet settings, "Auto-assign public IPv4 address"
         (map_public_ip_on_launch): what launches in the subnet gets a public IPv4 address.
[ASGLT]  Terraform aws_autoscaling_group, `launch_template`: `id` or `name` of the template
         (a literal name is a name like any other: the ASG's instances launch from the
         template called "lit-template"). EC2 Auto Scaling user guide, "Launch templates".
[MIXED]  EC2 Auto Scaling API reference, LaunchTemplateOverrides, "LaunchTemplateSpecification":
         "Provides a launch template for the specified instance type ... If not provided,
         Amazon EC2 Auto Scaling uses the launch template that's specified in the
         LaunchTemplate definition." Terraform: mixed_instances_policy.launch_template.override
         .launch_template_specification. The ASG `mixed` launches t3.micro from mixed_base and
         t3a.micro from mixed_override: its instances are in one group or the other, and the
         ASG (which stands for all of them) is attached to both.
[LC]     Terraform aws_launch_configuration: `security_groups`, `associate_public_ip_address`;
         EC2 Auto Scaling API reference, CreateLaunchConfiguration, "AssociatePublicIpAddress":
         "If you specify true, each instance in the Auto Scaling group receives a unique public
         IPv4 address."
[IGW]    VPC user guide, "Internet gateways": a public IPv4 address is reachable only when the
         subnet's route table sends 0.0.0.0/0 to an internet gateway (public and edge do).
[REF]    VPC user guide, "Security group rules": a rule naming a group admits the interfaces in
         that group; an egress rule to 10.30.0.0/16 covers the private database.
[TIER]   tfsg baseline, TFSG007 (README, "The gate"): a data-tier resource (the db group is
         attached to an aws_db_instance) reached from an internet-facing resource fails;
         TFSG001: a group admitting the whole internet on tcp 22 or 3389.

The templates launch nothing themselves (README, "What it reads"): the instances and Auto
Scaling groups that launch from them stand for their instances, so no template is a member of
a group, and template_only, whose one user overrides it, has no member at all.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_launch_templates"

BY_ID, FROM_ENI, OWN = "aws_instance.by_id", "aws_instance.from_eni", "aws_instance.own_groups"
LITERAL, MIXED = "aws_autoscaling_group.literal", "aws_autoscaling_group.mixed"
LAUNCH_CONFIG, NO_GROUPS = "aws_autoscaling_group.launch_config", "aws_autoscaling_group.no_groups"
DB = "aws_db_instance.db"


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


DEFAULT = "aws_default_security_group.default"

ATTACHED = {
    sg("by_id"): [BY_ID],  # [RUNLT] a) the instance writes no groups: the template's (by id)
    sg("eni"): [FROM_ENI],  # [RUNLT][RUNSG] b) the template's interface groups (template by name)
    sg("own"): [OWN],  # [RUNLT] c) the instance's own vpc_security_group_ids...
    sg("template_only"): [],  # ...and not its template's: nothing else launches from it
    sg("literal"): [LITERAL],  # [ASGLT] d) template named by the literal "lit-template"
    sg("mixed_base"): [MIXED],  # [MIXED] e) the base template
    sg("mixed_override"): [MIXED],  # [MIXED] e) the override's template
    sg("launch_config"): [LAUNCH_CONFIG],  # [LC] f)
    DEFAULT: [NO_GROUPS],  # [RUNSG] g) a template with no group: the VPC's default group
    sg("db"): [DB],
}

PORT = {BY_ID: "443", FROM_ENI: "8443", OWN: "9000", LITERAL: "8080", LAUNCH_CONFIG: "8383", NO_GROUPS: "22"}

# Resources: (address, family, protocol, ports, the group admitting it). All admit 0.0.0.0/0
# only: IPv4. (`via` lists groups of the resource; the admitting one must be among them.)
RESOURCE_EXPOSED = {
    (BY_ID, "ipv4", "tcp", "443", (sg("by_id"),)),  # [MAPIP][IGW] public subnet
    (FROM_ENI, "ipv4", "tcp", "8443", (sg("eni"),)),  # [ENIPIP][IGW] edge maps nothing; the template asks
    (OWN, "ipv4", "tcp", "9000", (sg("own"),)),  # [MAPIP] its own group only: not 9100
    (LITERAL, "ipv4", "tcp", "8080", (sg("literal"),)),  # [MAPIP]
    (MIXED, "ipv4", "tcp", "8181", (sg("mixed_base"),)),  # [MIXED][MAPIP] t3.micro instances
    (MIXED, "ipv4", "tcp", "8282", (sg("mixed_override"),)),  # t3a.micro instances
    (LAUNCH_CONFIG, "ipv4", "tcp", "8383", (sg("launch_config"),)),  # [LC][IGW] edge maps nothing
    (NO_GROUPS, "ipv4", "tcp", "22", (DEFAULT,)),  # [RUNSG][MAPIP]
}
# Groups: whatever their members, a group admitting every public IPv4 address is exposed.
GROUP_EXPOSED = {
    (sg("by_id"), "tcp", "443"), (sg("eni"), "tcp", "8443"), (sg("own"), "tcp", "9000"),
    (sg("template_only"), "tcp", "9100"), (sg("literal"), "tcp", "8080"),
    (sg("mixed_base"), "tcp", "8181"), (sg("mixed_override"), "tcp", "8282"),
    (sg("launch_config"), "tcp", "8383"), (DEFAULT, "tcp", "22"),
}

# Resource flows (a resource to another; an ASG's instances among themselves are left out).
# by_id and no_groups send everything anywhere: they reach every other resource on what its
# groups admit from 0.0.0.0/0, and the db by reference [REF]. The other app groups send tcp
# 5432 to the VPC only: they reach the db when it admits their group; own_groups's group is not
# admitted (template_only is, but own_groups is not in it [RUNLT]); the db sends nothing.
_OPEN = {FROM_ENI: ["8443"], OWN: ["9000"], LITERAL: ["8080"], MIXED: ["8181", "8282"],
         LAUNCH_CONFIG: ["8383"], BY_ID: ["443"], NO_GROUPS: ["22"]}
RESOURCE_FLOWS = {
    *((src, dst, "tcp", p) for src in (BY_ID, NO_GROUPS) for dst, ports in _OPEN.items() if dst != src
      for p in ports),
    *((src, DB, "tcp", "5432") for src in (BY_ID, FROM_ENI, LITERAL, MIXED, LAUNCH_CONFIG, NO_GROUPS)),
}

# Paths that reach the db: internet -> each internet-facing resource the db admits -> db. No
# other path: every other resource is reached directly on the only services anything sends it.
DB_CLIENTS = {BY_ID: [sg("by_id")], FROM_ENI: [sg("eni")], LITERAL: [sg("literal")],
              MIXED: [sg("mixed_base"), sg("mixed_override")], LAUNCH_CONFIG: [sg("launch_config")],
              NO_GROUPS: [DEFAULT]}


def _hop_ports(src: str) -> list[str]:
    return ["8181", "8282"] if src == MIXED else [PORT[src]]


def _check_show(r: dict) -> None:
    assert {g["address"]: g["attached"] for g in r["groups"]} == ATTACHED
    # no template is a node of its own
    assert not any(e["address"].startswith("aws_launch_") for e in r["exposed"])

    res_rows = [e for e in r["exposed"] if e["kind"] == "resource"]
    assert {(e["address"], e["family"], e["protocol"], e["ports"]) for e in res_rows} == \
        {row[:4] for row in RESOURCE_EXPOSED}
    groups_of = {a: {g for g, members in ATTACHED.items() if a in members} for a in PORT.keys() | {MIXED}}
    admits = {row[:4]: row[4] for row in RESOURCE_EXPOSED}
    for e in res_rows:
        via = set(e["via"])
        assert set(admits[(e["address"], e["family"], e["protocol"], e["ports"])]) <= via <= groups_of[e["address"]], e
    assert all(e.get("listener") is None and e["sources"] == ["0.0.0.0/0"] for e in r["exposed"])
    assert {(e["address"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "group"} == GROUP_EXPOSED
    reasons = {e["address"]: e["reason"] for e in r["exposed"] if e["kind"] == "resource"}
    # the public address of b) and f) is the one they ask for, not the subnet's (edge maps none)
    assert "associate_public_ip_address" in reasons[FROM_ENI], reasons[FROM_ENI]
    assert "associate_public_ip_address" in reasons[LAUNCH_CONFIG], reasons[LAUNCH_CONFIG]

    got_flows = {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"] if f["from"] != f["to"]}
    assert got_flows == RESOURCE_FLOWS

    assert {tuple(p["nodes"]) for p in r["paths"]} == {("internet", src, DB) for src in DB_CLIENTS}
    for p in r["paths"]:
        src = p["nodes"][1]
        assert p["groups"] == [[], DB_CLIENTS[src], [sg("db")]], p
        assert [(h["from"], h["to"], sorted(s["ports"] for s in h["services"] if s["protocol"] == "tcp"),
                 {s["protocol"] for s in h["services"]}) for h in p["hops"]] == [
            ("internet", src, _hop_ports(src), {"tcp"}), (src, DB, ["5432"], {"tcp"})]


def test_plan():
    _check_show(tfsg_json("show", plan(CASE)))


def test_sources_alone():
    r = tfsg_json("show", str(FIXTURES / CASE))
    assert r["input"]["kind"] == "hcl"
    _check_show(r)


# Nothing here is unknown until apply: every template is named by a reference or by the literal
# name of a template of this plan, every group and subnet is in it.
# The two templates named by `name` in an Auto Scaling group: the AWS provider's CustomizeDiff
# (launchTemplateCustomDiff, internal/service/autoscaling/group.go) writes the placeholder string "unknown" (launchTemplateIDUnknown) into the computed
# `launch_template[0].id` / override `launch_template_specification[0].launch_template_id`
# when the name is set: it is no id, and the name beside it, known, names a template of the
# plan (the groups are found by it above); nothing is unknown.


@pytest.mark.parametrize("src", ["plan", "sources"])
def test_nothing_is_unknown(src: str):
    r = tfsg_json("show", plan(CASE) if src == "plan" else str(FIXTURES / CASE))
    assert r["unknown"] == []


def test_hcl_mode_gives_the_plans_exposures():
    rows = []
    for src in (plan(CASE), str(FIXTURES / CASE)):
        proc = run_tfsg("show", src, "--format", "json")
        assert proc.returncode == 0, proc.stderr.decode()
        r = json.loads(proc.stdout)
        rows.append(sorted(json.dumps({k: e.get(k) for k in ("address", "kind", "family", "protocol", "ports",
                                                             "via", "sources", "listener")}, sort_keys=True)
                           for e in r["exposed"]))
    assert rows[0] == rows[1]


def _check(src: str, tmp_path) -> tuple[int, dict]:
    proc = run_tfsg("check", src, "--format", "json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


def _check_findings(code: int, r: dict) -> None:
    assert code == 1  # critical findings, and a create plan introduces everything
    ssh = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    # [TIER][RUNSG] only the default group admits 22 from the world; its one member is g)
    assert [(f["address"], f["introduced"], f["blocking"]) for f in ssh] == [(DEFAULT, True, True)]
    ev = ssh[0]["evidence"]
    assert ev["exposed_resources"] == [NO_GROUPS]
    assert ev["services"] == [{"protocol": "tcp", "ports": "22"}] and ev["sources"] == ["0.0.0.0/0"]

    tier = [f for f in r["findings"] if f["policy"] == "TFSG007" and f["status"] == "violation"]
    # [TIER] one finding on the db: every internet-facing resource it admits reaches it
    assert [(f["address"], f["severity"], f["blocking"]) for f in tier] == [(DB, "critical", True)]
    ev = tier[0]["evidence"]
    assert sorted(ev["through"]) == sorted(DB_CLIENTS)  # own_groups is not among them
    assert ev["path"][0] == "internet" and ev["path"][2] == DB and ev["path"][1] in DB_CLIENTS
    assert not [f for f in r["findings"] if f["policy"] == "TFSG002"]  # the db itself is private


def test_check_plan(tmp_path):
    _check_findings(*_check(plan(CASE), tmp_path))


def test_check_sources_alone(tmp_path):
    _check_findings(*_check(str(FIXTURES / CASE), tmp_path))


@pytest.mark.parametrize("src", ["plan", "sources"])
def test_no_tiering_warning(src: str, tmp_path):
    """Nothing is unknown, so TFSG007 has its violation on the db and no warning."""
    _, r = _check(plan(CASE) if src == "plan" else str(FIXTURES / CASE), tmp_path)
    assert [(f["address"], f["status"]) for f in r["findings"] if f["policy"] == "TFSG007"] == [(DB, "violation")]


# ---------------------------------------------------------------- fixtures/engine_two_interfaces

@pytest.mark.parametrize("src", ["plan", "sources"])
def test_only_the_first_interface_of_a_template_is_public(src: str):
    """A template with two interfaces: eth0 (device_index 0, associate_public_ip_address, group
    ssh: tcp 22 from anywhere), eth1 (group pg: tcp 5432 from anywhere). [ENIPIP] only eth0 gets
    the public IPv4 address, so what launches from it (the Auto Scaling group, the instance) is
    in both groups but reachable from the internet on tcp 22 only; pg is open at group level."""
    case = "engine_two_interfaces"
    r = tfsg_json("show", plan(case) if src == "plan" else str(FIXTURES / case))
    assert {g["address"]: sorted(g.get("attached", [])) for g in r["groups"]} == {
        "aws_security_group.ssh": ["aws_autoscaling_group.two", "aws_instance.two"],
        "aws_security_group.pg": ["aws_autoscaling_group.two", "aws_instance.two"]}
    assert {(e["address"], e["kind"], e["protocol"], e["ports"]) for e in r["exposed"]} == {
        ("aws_autoscaling_group.two", "resource", "tcp", "22"), ("aws_instance.two", "resource", "tcp", "22"),
        ("aws_security_group.ssh", "group", "tcp", "22"), ("aws_security_group.pg", "group", "tcp", "5432")}


def test_a_spot_fleet_launches_with_its_templates_groups(tmp_path):
    """The same kind for aws_spot_fleet_request (provider docs: launch_template_config
    .launch_template_specification names the template by id or name; overrides give the
    subnets): the fleet's instances take the template's groups and its interface's public IP."""
    (tmp_path / "providers.tf").write_text((FIXTURES / CASE / "providers.tf").read_text())
    (tmp_path / "main.tf").write_text('''
resource "aws_vpc" "main" {
  cidr_block = "10.50.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.50.1.0/24"
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "fleet" {
  name   = "fleet"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_launch_template" "fleet" {
  name_prefix = "fleet-"
  image_id    = "ami-12345678"
  network_interfaces {
    associate_public_ip_address = true
    security_groups             = [aws_security_group.fleet.id]
  }
}
resource "aws_spot_fleet_request" "fleet" {
  iam_fleet_role  = "arn:aws:iam::123456789012:role/fleet"
  target_capacity = 1
  launch_template_config {
    launch_template_specification {
      id      = aws_launch_template.fleet.id
      version = "$Latest"
    }
    overrides {
      subnet_id = aws_subnet.public.id
    }
  }
}
''')
    r = tfsg_json("show", str(tmp_path))
    assert {g["address"]: g.get("attached", []) for g in r["groups"]} == \
        {"aws_security_group.fleet": ["aws_spot_fleet_request.fleet"]}
    assert {(e["address"], e["ports"]) for e in r["exposed"] if e["kind"] == "resource"} == \
        {("aws_spot_fleet_request.fleet", "22")}
