"""HCL values as Terraform makes them (fixtures/hcl_values): tfsg's HCL mode (the directory) and
plan mode with the sources beside the plan must both give the network Terraform planned.

Every expectation is derived by hand from main.tf and rules.yaml with the rules below (each
value checked with `terraform console` 1.11.4), and ``test_planned_values_are_the_derivation``
holds the derivation against the plan's own planned values, which are the truth.

[YAML]  Terraform, "yamldecode Function": "supports a subset of YAML 1.2"; go-cty-yaml resolves
        numbers by the YAML 1.2 core schema (YAML 1.2.2 spec, 10.3.2 "Tag Resolution":
        ``[-+]? [0-9]+`` is decimal, ``0x[0-9a-fA-F]+`` hex, ``1e3`` a float; ``22:25``,
        ``1_000`` and ``0b11`` match nothing, so they are strings) and keeps YAML 1.1's booleans
        (yaml.org/type/bool.html: yes/on are true). A YAML 1.1 reader (yaml.org/type/int.html,
        float.html) would read 1345 (base 60), 83 and 18 (octal), the string "1e3", 1000 and 3.
[ANY]   Terraform, "Type Constraints" > "Dynamic Types: The any Constraint": a collection
        typed with ``any`` takes ONE element type, the one every element converts to: ``{ssh =
        22, web = "443"}`` as map(any) is map(string); map(list(any)) unifies across the whole
        map, so web = [80, 443] beside admin = [22, "3389"] becomes ["80", "443"].
[EQ]    Terraform, "Operators" > "Equality Operators": ``==`` / ``!=`` compare type and value
        with no conversion, so "22" != 22 is true and "22" == 22 false.
[COND]  Terraform, "Conditional Expressions" > "Result Types": both results are converted to
        a common type, so ``true ? 22 : "none"`` is "22".
[COAL]  Terraform, "coalesce Function": mismatched arguments are converted to the most general
        type, so coalesce(null, 3389, "off") is "3389".
[SET]   Terraform, "toset Function": elements are unified (toset(["a", "b", 3]) is
        ["3", "a", "b"]) and duplicates removed, so toset([22, "22"]) is {"22"}.
[CONV]  Terraform, "Type Constraints" > "Conversion of Primitive Types": a string of digits is
        converted to the number an argument takes (from_port = "8080" is 8080).
[UNK]   Terraform, "Expressions" > "References to Resource Attributes" > "Values Not Yet
        Known": aws_eip.nat.public_ip is known after apply, so the CIDR list holding it is too;
        0.0.0.0/0 beside it is a literal of the configuration.
[DATA]  Terraform, "Data Sources" > "Data Resource Behavior": a data source whose depends_on
        names a resource with changes pending is read during apply (the plan says
        read_because_dependency_pending), so its cidr_blocks / entries are unknown at plan.
[EICE]  Amazon EC2 user guide, "Security groups for EC2 Instance Connect Endpoint": the
        endpoint's group must allow outbound traffic to the instances, and the instances'
        group inbound traffic from the endpoint's group.
[TFSG001] policies/baseline.yml: SSH (22) or RDP (3389) admitted from the whole internet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, exposures, flows, run_tfsg, tfsg_json, validate_report

CASE = FIXTURES / "hcl_values"
YAML, TYPED = "aws_security_group.yaml", "aws_security_group.typed"
P_INLINE, P_RULE = "aws_security_group.partial_inline", "aws_security_group.partial_rule"
EICE, TARGET, ENDPOINTS = "aws_security_group.eice", "aws_security_group.target", "aws_security_group.endpoints"
S3_PL, OFFICE_PL = "data.aws_prefix_list.s3", "data.aws_ec2_managed_prefix_list.office"
ENDPOINT, INSTANCE = "aws_ec2_instance_connect_endpoint.this", "aws_instance.target"
WORLD = "0.0.0.0/0"

# ------------------------------------------------------------------ the derivation

# aws_security_group_rule instances: (protocol, from_port, to_port, cidr_blocks)
RULES = {
    # a) [YAML] admin.public `yes` -> count 1; "22:25" split on ":" -> 22..25 [CONV]
    "aws_security_group_rule.yaml_admin[0]": ("tcp", 22, 25, [WORLD]),
    # ntp.port 0123 -> 123, ntp.public `on` -> true: the world
    "aws_security_group_rule.yaml_ntp": ("udp", 123, 123, [WORLD]),
    # legacy_ssh.port 022 -> 22
    "aws_security_group_rule.yaml_legacy_ssh": ("tcp", 22, 22, ["198.51.100.0/24"]),
    # metrics.port 1e3 is the number 1000: == 1000 holds, count 1
    "aws_security_group_rule.yaml_metrics[0]": ("tcp", 1000, 1000, ["198.51.100.0/24"]),
    # extra_ports [0x1F, 1_000, 0b11] -> [31, "1_000", "0b11"]: only 31 is a number
    'aws_security_group_rule.yaml_extra["31"]': ("tcp", 31, 31, ["203.0.113.0/24"]),
    # b) [ANY][EQ] {ssh = "22", web = "443"}: "22" != 22, ssh is kept
    'aws_security_group_rule.public["ssh"]': ("tcp", 22, 22, [WORLD]),
    'aws_security_group_rule.public["web"]': ("tcp", 443, 443, [WORLD]),
    # list(any) ["8080", "8443"]: "8080" != 8080, both kept
    'aws_security_group_rule.partner["8080"]': ("tcp", 8080, 8080, ["198.51.100.0/24"]),
    'aws_security_group_rule.partner["8443"]': ("tcp", 8443, 8443, ["198.51.100.0/24"]),
    # map(list(any)): web = ["80", "443"], "80" != 80, both kept
    'aws_security_group_rule.lb["80"]': ("tcp", 80, 80, ["203.0.113.0/24"]),
    'aws_security_group_rule.lb["443"]': ("tcp", 443, 443, ["203.0.113.0/24"]),
    # [COND][EQ] "22" == 22 is false: aws_security_group_rule.mgmt has no instance
    # [COAL] "3389" == "3389": one instance, RDP from the world
    "aws_security_group_rule.rdp[0]": ("tcp", 3389, 3389, [WORLD]),
    # [SET] toset([22, "22"]) = {"22"}: one instance
    'aws_security_group_rule.ssh_spellings["22"]': ("tcp", 22, 22, ["192.0.2.0/24"]),
    # c) [UNK] the whole list is unknown in the plan; the rule is still planned
    "aws_security_group_rule.partial": ("tcp", 22, 22, None),
    # e) [DATA] prefix_list_ids = [data...office.id], unknown in the plan
    "aws_security_group_rule.office_ssh": ("tcp", 22, 22, None),
}

FLOWS = {
    # a) yaml
    (WORLD, YAML, "tcp", "22-25"), (WORLD, YAML, "udp", "123"),
    ("198.51.100.0/24", YAML, "tcp", "22"), ("198.51.100.0/24", YAML, "tcp", "1000"),
    ("203.0.113.0/24", YAML, "tcp", "31"),
    # b) typed
    (WORLD, TYPED, "tcp", "22"), (WORLD, TYPED, "tcp", "443"), (WORLD, TYPED, "tcp", "3389"),
    ("198.51.100.0/24", TYPED, "tcp", "8080"), ("198.51.100.0/24", TYPED, "tcp", "8443"),
    ("203.0.113.0/24", TYPED, "tcp", "80"), ("203.0.113.0/24", TYPED, "tcp", "443"),
    ("192.0.2.0/24", TYPED, "tcp", "22"),
    # c) the known element of ["${aws_eip.nat.public_ip}/32", "0.0.0.0/0"], inline and rule
    (WORLD, P_INLINE, "tcp", "22"), (WORLD, P_RULE, "tcp", "22"),
    # d) [EICE] eice's egress rule names target, target's inline ingress names eice
    (EICE, TARGET, "tcp", "22"),
    # e) the prefix lists are the peers, their entries unknown
    (ENDPOINTS, S3_PL, "tcp", "443"), (OFFICE_PL, ENDPOINTS, "tcp", "22"),
}
# No group has a member with a public address (no internet gateway, target has no public IP):
# the exposures are the groups that admit 0.0.0.0/0; a prefix list of unknown entries is none
EXPOSED = {
    (YAML, "group", "tcp", "22-25"), (YAML, "group", "udp", "123"),
    (TYPED, "group", "tcp", "22"), (TYPED, "group", "tcp", "443"), (TYPED, "group", "tcp", "3389"),
    (P_INLINE, "group", "tcp", "22"), (P_RULE, "group", "tcp", "22"),
}
UNKNOWN = {
    (P_INLINE, "ingress"),  # [UNK] the inline block's EIP element
    ("aws_security_group_rule.partial", "cidr_blocks"),  # [UNK] the rule's EIP element
    (S3_PL, "cidr_blocks"),  # [DATA] data.aws_prefix_list's blocks
    (OFFICE_PL, "entries"),  # [DATA] data.aws_ec2_managed_prefix_list's entries
}
ATTACHED = {YAML: [], TYPED: [], P_INLINE: [], P_RULE: [], EICE: [ENDPOINT], TARGET: [INSTANCE], ENDPOINTS: []}
# the rules that name a deferred data source, and the list each names
RULES_ON_LISTS = {"aws_vpc_security_group_egress_rule.s3": S3_PL, "aws_security_group_rule.office_ssh": OFFICE_PL}
# [TFSG001]: yaml (22 within 22-25), typed (22 and 3389), both partial groups (22)
SSH_RDP_OPEN = {YAML, TYPED, P_INLINE, P_RULE}

SOURCES = pytest.mark.parametrize("source", ["plan.json", ""], ids=["plan", "hcl"])


def _plan() -> dict:
    path = CASE / "plan.json"
    if not path.exists():
        pytest.fail("fixture hcl_values is missing; run fixtures/regen.sh hcl_values")
    return json.loads(path.read_text())


def _planned(plan: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    stack = [plan["planned_values"]["root_module"]]
    while stack:
        module = stack.pop()
        out.update({r["address"]: r for r in module.get("resources", [])})
        stack.extend(module.get("child_modules", []))
    return out


def test_planned_values_are_the_derivation():
    """Terraform's own plan agrees with every value derived above."""
    plan = _plan()
    planned = _planned(plan)
    rules = {a: r["values"] for a, r in planned.items() if r["type"] == "aws_security_group_rule"}
    assert set(rules) == set(RULES)  # no mgmt instance, one ssh_spellings, one yaml_extra
    for address, (protocol, lo, hi, cidrs) in RULES.items():
        v = rules[address]
        assert (v["type"], v["protocol"], v["from_port"], v["to_port"]) == ("ingress", protocol, lo, hi), address
        if cidrs is not None:
            assert v["cidr_blocks"] == cidrs, address
    changes = {rc["address"]: rc for rc in plan["resource_changes"]}
    # c) the whole list is unknown in plan JSON: the sources say 0.0.0.0/0 is in it
    assert changes["aws_security_group_rule.partial"]["change"]["after_unknown"]["cidr_blocks"] is True
    inline = changes[P_INLINE]["change"]
    assert inline["after_unknown"]["ingress"][0]["cidr_blocks"] is True
    assert "cidr_blocks" not in inline["after"]["ingress"][0]
    # d) the plugin-framework resource writes the unknown element as null
    eice = changes[ENDPOINT]["change"]
    assert eice["after"]["security_group_ids"] == [None] and eice["after_unknown"]["security_group_ids"] == [True]
    # e) both data sources are read at apply
    for address, attr in ((S3_PL, "cidr_blocks"), (OFFICE_PL, "entries")):
        rc = changes[address]
        assert rc["change"]["actions"] == ["read"] and rc["action_reason"] == "read_because_dependency_pending"
        assert rc["change"]["after_unknown"][attr] is True


# HCL mode refuses "1_000" as a number as Terraform does (cty parses decimal numbers without "_";
# Python's int() and float() would take it), so only yaml_extra["31"] exists in both modes.


@pytest.mark.parametrize("source", ["plan.json", ""], ids=["plan", "hcl"])
def test_flows(source: str):
    r = tfsg_json("show", str(CASE / source))
    assert flows(r["flows"]) == FLOWS


@SOURCES
def test_flows_but_the_underscore_number(source: str):
    """Everything test_flows checks but yaml_extra, so HCL mode's other values stay checked
    while the "1_000" conversion is wrong there."""
    r = tfsg_json("show", str(CASE / source))
    rows = {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]
            if not all(d.startswith("aws_security_group_rule.yaml_extra[") for d in f["defined_by"])}
    assert rows == FLOWS - {("203.0.113.0/24", YAML, "tcp", "31")}


@SOURCES
def test_exposures(source: str):
    r = tfsg_json("show", str(CASE / source))
    assert exposures(r["exposed"]) == EXPOSED
    assert r["paths"] == []  # the exposed groups have no members and no egress


@pytest.mark.parametrize("source", ["plan.json", ""], ids=["plan", "hcl"])
def test_yaml_numbers_are_yaml_1_2(source: str):
    """[YAML] each rule of the yaml group comes from the instance Terraform planned: 0x1F is 31,
    "1_000" and "0b11" are strings that tonumber refuses (no yaml_extra["1_000"] / ["3"])."""
    r = tfsg_json("show", str(CASE / source))
    by = {(f["from"], f["protocol"], f["ports"]): sorted(f["defined_by"]) for f in r["flows"] if f["to"] == YAML}
    assert by == {
        (WORLD, "tcp", "22-25"): ["aws_security_group_rule.yaml_admin[0]"],
        (WORLD, "udp", "123"): ["aws_security_group_rule.yaml_ntp"],
        ("198.51.100.0/24", "tcp", "22"): ["aws_security_group_rule.yaml_legacy_ssh"],
        ("198.51.100.0/24", "tcp", "1000"): ["aws_security_group_rule.yaml_metrics[0]"],
        ("203.0.113.0/24", "tcp", "31"): ['aws_security_group_rule.yaml_extra["31"]'],
    }


@SOURCES
def test_unknowns_name_what_apply_decides(source: str):
    r = tfsg_json("show", str(CASE / source))
    reasons = {(u["address"], u["attribute"]): u["reason"] for u in r["unknown"]}
    assert set(reasons) >= UNKNOWN
    # beyond those, only the rules that name a deferred list may be unknown, and they name it
    for (address, attribute), reason in reasons.items():
        if (address, attribute) in UNKNOWN:
            continue
        assert address in RULES_ON_LISTS, (address, attribute, reason)
        assert RULES_ON_LISTS[address] in reason
    # the unknown EIP element does not take the known 0.0.0.0/0 with it (test_flows), and says
    # what it waits for
    assert "aws_eip.nat.public_ip" in reasons[("aws_security_group_rule.partial", "cidr_blocks")]
    assert "aws_eip.nat.public_ip" in reasons[(P_INLINE, "ingress")]


@SOURCES
def test_one_type_per_collection_keeps_and_drops_rules(source: str):
    """The rule instances behind each typed flow are exactly the ones Terraform planned."""
    r = tfsg_json("show", str(CASE / source))
    by = {(f["from"], f["to"], f["protocol"], f["ports"]): sorted(f["defined_by"]) for f in r["flows"]}
    assert by[(WORLD, TYPED, "tcp", "22")] == ['aws_security_group_rule.public["ssh"]']  # "22" != 22
    assert by[("192.0.2.0/24", TYPED, "tcp", "22")] == ['aws_security_group_rule.ssh_spellings["22"]']  # [SET]
    assert by[(WORLD, TYPED, "tcp", "3389")] == ["aws_security_group_rule.rdp[0]"]  # [COAL]
    assert by[("203.0.113.0/24", YAML, "tcp", "31")] == ['aws_security_group_rule.yaml_extra["31"]']
    assert by[("198.51.100.0/24", YAML, "tcp", "1000")] == ["aws_security_group_rule.yaml_metrics[0]"]
    assert not any("aws_security_group_rule.mgmt" in d for ds in by.values() for d in ds)  # [COND]


@SOURCES
def test_instance_connect_endpoint_is_a_member(source: str):
    """[EICE] security_group_ids = [null] with after_unknown [true] in plan JSON: the reference
    to aws_security_group.eice decides, and the endpoint reaches the instance on tcp 22."""
    r = tfsg_json("show", str(CASE / source))
    assert {g["address"]: g["attached"] for g in r["groups"]} == ATTACHED
    assert {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]} == {
        (ENDPOINT, INSTANCE, "tcp", "22")}


@SOURCES
def test_deferred_prefix_lists_are_unknown_not_empty(source: str):
    """[DATA] the lists' entries are unknown, not empty: the flows keep the lists as their peers
    and each list is an unknown of its own (TFSG001's warning below cites the office list); an
    unknown list is no exposure either."""
    r = tfsg_json("show", str(CASE / source))
    by = {(f["from"], f["to"], f["protocol"], f["ports"]): sorted(f["defined_by"]) for f in r["flows"]}
    assert by[(ENDPOINTS, S3_PL, "tcp", "443")] == ["aws_vpc_security_group_egress_rule.s3"]
    assert by[(OFFICE_PL, ENDPOINTS, "tcp", "22")] == ["aws_security_group_rule.office_ssh"]
    assert {(u["address"], u["attribute"]) for u in r["unknown"]} >= {(S3_PL, "cidr_blocks"), (OFFICE_PL, "entries")}
    assert ENDPOINTS not in {e["address"] for e in r["exposed"]}


@SOURCES
def test_ssh_and_rdp_from_the_internet(source: str, tmp_path: Path):
    proc = run_tfsg("check", str(CASE / source), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode()  # TFSG001 is critical: the gate fails
    r = json.loads(proc.stdout)
    validate_report(r)
    tfsg001 = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert {f["address"] for f in tfsg001 if f["status"] == "violation"} == SSH_RDP_OPEN
    typed = next(f for f in tfsg001 if f["address"] == TYPED and f["status"] == "violation")
    assert typed["evidence"]["services"] == [{"protocol": "tcp", "ports": "22"}, {"protocol": "tcp", "ports": "3389"}]
    for group in (P_INLINE, P_RULE):
        f = next(f for f in tfsg001 if f["address"] == group and f["status"] == "violation")
        assert f["evidence"]["sources"] == [WORLD]
        assert [s["ports"] for s in f["evidence"]["services"]] == ["22"]
    # the office list's entries may hold every address: TFSG001 warns (one warning per policy,
    # README "The gate") citing it; the S3 list is an egress destination, which cannot make a
    # group reachable from the internet (README "What it reads"), so it is not cited
    warned = [f for f in tfsg001 if f["status"] == "warning"]
    assert len(warned) == 1
    cited = warned[0]["evidence"]["unknown"]
    assert any(u["address"] == OFFICE_PL or OFFICE_PL in u["reason"] for u in cited)
    assert not any(u["address"] == S3_PL or S3_PL in u["reason"] for u in cited)


def test_plan_alone_says_what_the_sources_would_add():
    """Without the sources (--no-sources): plan JSON marks each whole CIDR list of part c
    unknown and its configuration records only the reference (aws_eip.nat.public_ip), not the
    literal 0.0.0.0/0 beside it (README "What it reads"), so those two flows and exposures are
    missing and each rule is an unknown instead; everything else is the plan's own values."""
    r = tfsg_json("show", str(CASE / "plan.json"), "--no-sources")
    partial_flows = {(WORLD, P_INLINE, "tcp", "22"), (WORLD, P_RULE, "tcp", "22")}
    assert flows(r["flows"]) == FLOWS - partial_flows
    assert exposures(r["exposed"]) == EXPOSED - {(P_INLINE, "group", "tcp", "22"), (P_RULE, "group", "tcp", "22")}
    assert {(u["address"], u["attribute"]) for u in r["unknown"]} >= UNKNOWN
    assert {g["address"]: g["attached"] for g in r["groups"]} == ATTACHED
