"""Plan inputs (issue 9): real create plans whose shapes tfsg must read exactly, and say so
when it cannot. Every expected value is derived by hand from the fixture's .tf files and the
AWS / Terraform documentation (the comment on each says which rule gives it), never from tfsg's
output. The fixtures are described in fixtures/README.md and made by fixtures/regen.sh.

The last test runs the issue-9 cases of ../shared/cases/turn2 (when present) against their
EXPECTED.md.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import exposures, flows, plan, run_tfsg, tfsg_json, validate_report

TURN2 = Path(__file__).resolve().parents[2] / "shared" / "cases" / "turn2"
SENSITIVE = re.compile(r"^\(sensitive( \d+)?\)$")
S = "(sensitive)"  # what every placeholder is normalised to in the expected sets below


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def check(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    """`tfsg check ... --format json`: the exit code and the validated report."""
    proc = run_tfsg("check", *args, "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    return proc.returncode, result


def blocking(r: dict) -> set[tuple[str, str]]:
    return {(f["policy"], f["address"]) for f in r["findings"] if f["blocking"]}


def policy_findings(r: dict, *policies: str) -> list[dict]:
    """Findings (violations and warnings) of the given policies."""
    return [f for f in r["findings"] if f["policy"] in policies]


def attached(r: dict) -> dict[str, list[str]]:
    return {g["address"]: g["attached"] for g in r["groups"]}


def unknowns(r: dict) -> set[tuple[str, str]]:
    """(address, attribute); an inline block's attribute (`ingress`, `ingress[1]`,
    `egress[0].cidr_blocks`, ...) is normalised to its direction, the rest is kept exact."""
    out = set()
    for u in r["unknown"]:
        m = re.match(r"^(ingress|egress)(\[|\.|$)", u["attribute"])
        out.add((u["address"], m.group(1) if m else u["attribute"]))
    return out


def masked(rows: list[dict]) -> set[tuple[str, str, str, str]]:
    """flows() with every sensitive placeholder written as S."""
    return {tuple(S if isinstance(x, str) and SENSITIVE.match(x) else x for x in f) for f in flows(rows)}


def endpoints(r: dict) -> set[str]:
    return {f["from"] for f in r["flows"]} | {f["to"] for f in r["flows"]}


def text_of(proc) -> str:
    return proc.stdout.decode() + proc.stderr.decode()


# ----------------------------------------------------------------------------------------------
# 1. sensitive_rules: sensitive values are evaluated, never printed

OPS, OFFICE, PARTNER = sg("ops"), sg("office"), sg("partner")

# Every spelling of a sensitive value a report could leak (variables.tf): the literals, their
# network addresses (the provider only accepts network addresses, so literal == normalised,
# checked in the plan below), the prefix lengths that only sensitive values have in this
# fixture, and the descriptions inside the sensitive rule list.
LEAKS = ["198.51.100.77", "203.0.113.64", "192.0.2.77", "198.51.100.128", "/26", "/25", "/32",
         "break-glass ssh", "reporting host"]
# Address counts derived from sensitive values: partner's ingress is 192.0.2.77/32 +
# 198.51.100.128/25 = 1 + 128 = 129; office's is 203.0.113.64/26 (64) + 192.0.2.0/24 = 320
# (the plan marks office's whole ingress set as sensitive).
LEAKED_COUNT = re.compile(r"(?<![\d,.])(129|320|64) address")


def test_sensitive_fixture_marks_what_the_readme_says():
    """Precondition, read from the plan itself: where Terraform 1.11.4 put the marks."""
    doc = json.loads(Path(plan("sensitive_rules")).read_text())
    marks = {r["address"]: r["change"]["after_sensitive"] for r in doc["resource_changes"]}
    after = {r["address"]: r["change"]["after"] for r in doc["resource_changes"]}
    assert marks[OPS]["ingress"] is True  # ingress = var.admin_rules (sensitive)
    # ingress is a set: a mark inside one element (cidr_blocks = [var.office_cidr]) covers the set
    assert marks[OFFICE]["ingress"] is True
    assert "egress" in marks[OFFICE] and marks[OFFICE]["egress"] is not True
    assert marks["aws_security_group_rule.partner_sftp"]["cidr_blocks"] == [True]
    assert marks["aws_vpc_security_group_ingress_rule.vendor_metrics"]["cidr_ipv4"] is True
    # ...and the values are there in clear
    assert after["aws_security_group_rule.partner_sftp"]["cidr_blocks"] == ["192.0.2.77/32"]
    assert after["aws_vpc_security_group_ingress_rule.vendor_metrics"]["cidr_ipv4"] == "198.51.100.128/25"
    assert {c for rule in after[OPS]["ingress"] for c in rule["cidr_blocks"]} == {"0.0.0.0/0", "198.51.100.77/32"}


SENSITIVE_FLOWS = {
    (S, OPS, "tcp", "22"), (S, OPS, "tcp", "5432"),  # ingress = var.admin_rules (both sensitive)
    (OPS, "0.0.0.0/0", "tcp", "443"),  # literal egress, not marked
    (S, OFFICE, "tcp", "443"),  # cidr_blocks = [var.office_cidr]
    (OFFICE, "0.0.0.0/0", "tcp", "443"),
    (S, PARTNER, "tcp", "22"),  # aws_security_group_rule.partner_sftp, cidr_blocks = [var.partner_cidr]
    (S, PARTNER, "tcp", "9100"),  # aws_vpc_security_group_ingress_rule.vendor_metrics, cidr_ipv4 = var.vendor_cidr
    # partner has no egress block: the provider revokes the default egress rule on create
}


@pytest.mark.parametrize("mode", [(), ("--no-sources",)], ids=["sources", "no-sources"])
def test_sensitive_rules_are_evaluated(mode):
    r = tfsg_json("show", plan("sensitive_rules"), *mode)
    got = masked(r["flows"])
    # office's second block (tcp 80 from 192.0.2.0/24) is not sensitive in the .tf but sits in
    # the set the plan marks: shown in clear or as a placeholder, never dropped
    office_80 = {f for f in got if f[1:] == (OFFICE, "tcp", "80")}
    assert len(office_80) == 1 and next(iter(office_80))[0] in ("192.0.2.0/24", S)
    assert got - office_80 == SENSITIVE_FLOWS
    # 0.0.0.0/0 (sensitive) admits every public IPv4 address on tcp 22; the ops instance has a
    # public IP (public subnet, map_public_ip_on_launch). 198.51.100.77/32, the office /26 and
    # the partner's /32 and /25 are not the internet.
    assert exposures(r["exposed"]) == {(OPS, "group", "tcp", "22"), ("aws_instance.ops", "resource", "tcp", "22")}
    for e in r["exposed"]:
        assert e["sources"] and all(SENSITIVE.match(s) for s in e["sources"]), e
    # a value is unknown only where after_unknown says so: nothing here
    assert r["unknown"] == []
    # address counts derived from sensitive values are not reported as the number
    assert r["reach"][PARTNER]["ingress"]["addresses"] != 129
    assert r["reach"][OFFICE]["ingress"]["addresses"] not in (64, 320)
    assert r["reach"][OPS]["ingress"]["addresses"] not in (2**32, 2**32 + 1)  # /0 (+ the /32)


def test_ssh_from_the_world_through_a_sensitive_variable_blocks(tmp_path):
    code, r = check(plan("sensitive_rules"), cwd=tmp_path)
    assert code == 1  # TFSG001 is critical, introduced (create plan), at or above high
    assert blocking(r) == {("TFSG001", OPS)}
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["status"] == "violation"
    assert f["evidence"]["exposed_resources"] == ["aws_instance.ops"]
    assert f["evidence"]["sources"] and all(SENSITIVE.match(s) for s in f["evidence"]["sources"])
    # the partner's SSH source is a /32 and the office /26 is on 443: nothing else fires on 22
    assert {x["address"] for x in policy_findings(r, "TFSG001", "TFSG004")} == {OPS}


# sarif and github carry findings: check only (show and diff refuse them, exit 2)
OUTPUTS = [(cmd, fmt) for cmd in ("show", "diff", "check") for fmt in ("text", "json", "markdown", "sarif", "github")
           if cmd == "check" or fmt not in ("sarif", "github")]


@pytest.mark.parametrize("mode", [(), ("--no-sources",)], ids=["sources", "no-sources"])
@pytest.mark.parametrize("cmd,fmt", OUTPUTS, ids=[f"{c}-{f}" for c, f in OUTPUTS])
def test_no_output_holds_a_sensitive_value(cmd, fmt, mode, tmp_path):
    proc = run_tfsg(cmd, plan("sensitive_rules"), "--format", fmt, *mode, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    out = text_of(proc)
    leaked = [s for s in LEAKS if s in out]
    assert not leaked, f"{cmd} --format {fmt} prints {leaked}"
    assert not LEAKED_COUNT.search(out), LEAKED_COUNT.search(out).group(0)
    if mode:  # without the .tf, office's descriptions are only known as part of a sensitive set
        assert "portal from the office" not in out


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_no_picture_holds_a_sensitive_value(fmt, tmp_path):
    proc = run_tfsg("graph", plan("sensitive_rules"), "--format", fmt, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    out = text_of(proc)
    assert not [s for s in LEAKS if s in out]


def test_the_plan_itself_does_hold_the_values():
    text = Path(plan("sensitive_rules")).read_text()
    assert all(s in text for s in ("198.51.100.77/32", "203.0.113.64/26", "192.0.2.77/32", "198.51.100.128/25"))


# ----------------------------------------------------------------------------------------------
# 2. cross_account_refs: "ACCOUNT/sg-id" is a group of that account outside the plan

RDB, XAPI = sg("reporting_db"), sg("api")
ANALYTICS = "111111111111/sg-0a1a1a1a1a1a1a1a1"
SHIPPERS = "222222222222/sg-0b2b2b2b2b2b2b2b2"
BACKUP = "222222222222/sg-0c3c3c3c3c3c3c3c3"
BILLING = "333333333333/sg-0d4d4d4d4d4d4d4d4"
PAYMENTS = "444444444444/sg-0e5e5e5e5e5e5e5e5"
LOCAL_OUTSIDE = "sg-0f6f6f6f6f6f6f6f6"

# A group outside the plan has unknown rules: its egress is taken as open (AWS's default), so a
# flow into a planned group is decided by that group's ingress; a flow out of a planned group to
# it is decided by the planned group's egress (its own ingress is unknown and not guessed).
CROSS_ACCOUNT_FLOWS = {
    (ANALYTICS, RDB, "tcp", "5432"),  # inline ingress security_groups = [local.analytics_workers]
    (RDB, BACKUP, "tcp", "2049"),  # inline egress security_groups = [local.backup_service]
    (SHIPPERS, RDB, "udp", "514"),  # aws_security_group_rule source_security_group_id
    (LOCAL_OUTSIDE, RDB, "tcp", "8008"),  # a bare sg- id: same account, outside the plan
    (BILLING, XAPI, "tcp", "8443"),  # api_consumers["billing"]: "${account}/${group}"
    (PAYMENTS, XAPI, "tcp", "9443"),  # api_consumers["payments"]
    (XAPI, SHIPPERS, "tcp", "6514"),  # aws_vpc_security_group_egress_rule referenced_security_group_id
}


@pytest.mark.parametrize("mode", [(), ("--no-sources",)], ids=["sources", "no-sources"])
def test_cross_account_references_are_groups_outside_the_plan(mode):
    r = tfsg_json("show", plan("cross_account_refs"), *mode)
    assert flows(r["flows"]) == CROSS_ACCOUNT_FLOWS
    # the endpoint keeps the owner: no bare sg- id where the rule named an account
    bare = {x.split("/", 1)[1] for x in (ANALYTICS, SHIPPERS, BACKUP, BILLING, PAYMENTS)}
    assert not endpoints(r) & bare
    # group references are not addresses: nothing is reachable from the internet, although both
    # instances have public IPs
    assert r["exposed"] == [] and r["paths"] == []
    assert r["unknown"] == []  # every value is in the plan
    assert attached(r) == {RDB: ["aws_instance.reporting_db"], XAPI: ["aws_instance.api"]}


def test_cross_account_references_raise_no_internet_policy(tmp_path):
    code, r = check(plan("cross_account_refs"), cwd=tmp_path)
    assert code == 0
    # neither a violation nor a warning: every peer is a known group, none is the internet
    assert policy_findings(r, *(f"TFSG00{i}" for i in range(1, 8))) == []


# ----------------------------------------------------------------------------------------------
# 3. prefix_list_entries: entries from aws_ec2_managed_prefix_list_entry resources

BASTION, PDB = sg("bastion"), sg("db")
PL_ANY, PL_BRANCHES, PL_MON = (f"aws_ec2_managed_prefix_list.{n}" for n in ("anywhere", "branches", "monitoring"))


PREFIX_FLOWS = {
    (PL_ANY, BASTION, "tcp", "22"),  # bastion_ssh prefix_list_id
    ("10.0.2.0/24", PDB, "tcp", "5432"), (PL_BRANCHES, PDB, "tcp", "5432"),  # one block, two sources
    (PL_MON, PDB, "tcp", "9100"),  # the list with inline entries
    # bastion has no egress block (revoked on create), db says egress = []
}
PREFIX_EXPOSED = {(BASTION, "group", "tcp", "22"), ("aws_instance.bastion", "resource", "tcp", "22")}


def test_prefix_list_entry_resources():
    r = tfsg_json("show", plan("prefix_list_entries"))
    # prefix lists are endpoints by address while their pl- id is unknown (README, endpoints)
    assert flows(r["flows"]) == PREFIX_FLOWS
    # anywhere = entries 0.0.0.0/1 + 128.0.0.0/1 = every IPv4 address: the internet on tcp 22;
    # the bastion instance has a public IP (public subnet)
    assert exposures(r["exposed"]) == PREFIX_EXPOSED
    assert r["unknown"] == []
    # addresses: 2^31 + 2^31; db: 10.0.2.0/24 + 10.1.0.0/16 + 10.2.0.0/16 + 192.168.50.0/24
    # (branch entries) + 172.16.5.0/24 (monitoring inline entry), all disjoint
    assert r["reach"][BASTION]["ingress"]["addresses"] == 2**32
    assert r["reach"][PDB]["ingress"]["addresses"] == 256 + 65536 + 65536 + 256 + 256


def test_prefix_list_entry_resources_without_sources():
    r = tfsg_json("show", plan("prefix_list_entries"), "--no-sources")
    # the entry resources and bastion_ssh are fully in the plan (prefix_list_id by reference)
    assert exposures(r["exposed"]) == PREFIX_EXPOSED
    assert r["reach"][BASTION]["ingress"]["addresses"] == 2**32
    # db's two inline blocks: after_unknown marks each block's whole prefix_list_ids, and
    # configuration merges both blocks' references (branches, monitoring) into one list, so
    # which list is on which port is only in the sources. Either left out or assumed on both
    # ports (README: "assumes each block may reference every group the attribute names"), and
    # said under unknown either way.
    certain = PREFIX_FLOWS - {(PL_BRANCHES, PDB, "tcp", "5432"), (PL_MON, PDB, "tcp", "9100")}
    conservative = {(PL_BRANCHES, PDB, "tcp", "9100"), (PL_MON, PDB, "tcp", "5432")}
    assert certain <= flows(r["flows"]) <= PREFIX_FLOWS | conservative
    assert unknowns(r) == {(PDB, "ingress")}


def test_prefix_list_of_the_internet_halves_blocks(tmp_path):
    code, r = check(plan("prefix_list_entries"), cwd=tmp_path)
    assert code == 1
    # TFSG001: SSH from every IPv4 address (critical). TFSG005: 5432 from 10.1.0.0/16 and
    # 10.2.0.0/16 through the branches list, wider than /24 (high). Both introduced.
    assert blocking(r) == {("TFSG001", BASTION), ("TFSG005", PDB)}
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["status"] == "violation" and f["evidence"]["exposed_resources"] == ["aws_instance.bastion"]
    # TFSG006: db is in the data tier (Tier = data) and admits 131,584 addresses on 5432 (> 256)
    assert {(x["policy"], x["address"], x["status"]) for x in policy_findings(r, "TFSG006")} == {
        ("TFSG006", PDB, "violation")}


# ----------------------------------------------------------------------------------------------
# 4. default_group_attr: aws_vpc.X.default_security_group_id is X's aws_default_security_group

DMAIN, DEDGE, APP, PROBE = ("aws_default_security_group.main", "aws_default_security_group.edge",
                            sg("app"), sg("probe"))


@pytest.mark.parametrize("mode", [(), ("--no-sources",)], ids=["sources", "no-sources"])
def test_default_group_by_attribute(mode):
    # configuration records aws_vpc.main.default_security_group_id and
    # module.edge_network.default_security_group_id (-> aws_vpc.this.default_security_group_id),
    # so the plan alone is enough: same answer with and without sources
    r = tfsg_json("show", plan("default_group_attr"), *mode)
    assert flows(r["flows"]) == {
        ("10.0.0.0/16", APP, "tcp", "8080"),
        (APP, DMAIN, "tcp", "5432"),  # (a) app egress to the default-group id ∩ main ingress from app
        (DMAIN, "0.0.0.0/0", "tcp", "443"),
        ("0.0.0.0/0", DEDGE, "tcp", "443"),
        (PROBE, DEDGE, "tcp", "8081"),  # (c) probe egress to the module output ∩ edge ingress from probe
        # DEDGE has no egress block: adopting the default group removes its rules (provider docs)
    }
    assert {g["address"] for g in r["groups"]} == {DMAIN, DEDGE, APP, PROBE}
    assert {g["address"]: g["default"] for g in r["groups"]} == {DMAIN: True, DEDGE: True, APP: False, PROBE: False}
    assert attached(r) == {
        DMAIN: ["aws_instance.legacy_db"],  # (b) vpc_security_group_ids = [aws_vpc.main.default_security_group_id]
        DEDGE: ["aws_instance.edge_proxy"],  # [module.edge_network.default_security_group_id]
        APP: ["aws_instance.app"], PROBE: ["aws_instance.probe"],
    }
    assert not [e for e in endpoints(r) if "default_security_group_id" in e or e.startswith(("aws_vpc.", "sg-"))]
    # edge_proxy sits in the module's public subnet (map_public_ip_on_launch); legacy_db's group
    # admits only the app group
    assert exposures(r["exposed"]) == {(DEDGE, "group", "tcp", "443"), ("aws_instance.edge_proxy", "resource", "tcp", "443")}
    assert r["unknown"] == [] and r["paths"] == []


def test_default_groups_by_attribute_check(tmp_path):
    code, r = check(plan("default_group_attr"), cwd=tmp_path)
    assert code == 0  # nothing at or above high
    # both default groups carry rules (TFSG011, medium); both are attached, so no TFSG012
    assert {x["address"] for x in policy_findings(r, "TFSG011")} == {DMAIN, DEDGE}
    assert policy_findings(r, "TFSG012") == []


# ----------------------------------------------------------------------------------------------
# 5. asg_dynamic_lt: launch templates from dynamic blocks

NODE, METRICS = sg("node"), sg("metrics")
ASG = {n: f"aws_autoscaling_group.{n}" for n in ("web", "workers", "metrics", "plain")}
LT_NODE, LT_METRICS = "aws_launch_template.node", "aws_launch_template.metrics"


def test_asg_dynamic_launch_templates_with_sources():
    r = tfsg_json("show", plan("asg_dynamic_lt"))
    assert r["input"]["sources"]
    # web: dynamic "launch_template" (name = node); workers: dynamic "mixed_instances_policy" with
    # launch_template_specification = node; metrics: launch_template = metrics, whose dynamic
    # network_interfaces list node and metrics; plain: launch_template = node. The templates
    # launch nothing themselves: the ASGs that launch from them stand for their instances
    assert attached(r) == {
        NODE: sorted(ASG.values()),
        METRICS: [ASG["metrics"]],
    }
    assert flows(r["flows"]) == {
        ("0.0.0.0/0", NODE, "tcp", "22"), (NODE, "0.0.0.0/0", "tcp", "443"),
        ("10.0.0.0/16", METRICS, "tcp", "9100"),  # metrics has no egress: no pair from it
    }
    # every ASG launches in the public subnet (map_public_ip_on_launch), and the metrics ASG's
    # template sets associate_public_ip_address = true; nothing is unknown
    assert exposures(r["exposed"]) == {(NODE, "group", "tcp", "22")} | {
        (a, "resource", "tcp", "22") for a in ASG.values()}
    assert r["unknown"] == []
    reasons = {e["address"]: e["reason"] for e in r["exposed"]}
    assert reasons[ASG["metrics"]] == "IPv4: network_interfaces.associate_public_ip_address = true"


def test_asg_dynamic_launch_templates_without_sources(tmp_path):
    r = tfsg_json("show", plan("asg_dynamic_lt"), "--no-sources")
    got = attached(r)
    # configuration names aws_launch_template.node for plain only; the rest is in dynamic blocks,
    # which plan JSON drops: not guessed...
    for a in (ASG["web"], ASG["workers"]):
        assert not any(a in v for v in got.values()), (a, got)
    assert ASG["plain"] in got[NODE] and LT_NODE not in got[NODE]  # plain launches from it
    assert LT_METRICS not in got[METRICS]  # the template's security_groups come from a dynamic block
    # ...but said: an explicit unknown names each resource whose groups could not be read
    named = {u["address"] for u in r["unknown"]}
    assert {ASG["web"], ASG["workers"], LT_METRICS} <= named
    # the metrics group looks unattached in the plan alone, but its attachment is unknown, not
    # absent: no unattached-group finding (TFSG012)
    code, c = check(plan("asg_dynamic_lt"), "--no-sources", cwd=tmp_path)
    assert policy_findings(c, "TFSG012") == []
    assert code == 1 and ("TFSG001", NODE) in blocking(c)  # node admits SSH from anywhere either way


def test_asg_dynamic_launch_templates_check(tmp_path):
    code, r = check(plan("asg_dynamic_lt"), cwd=tmp_path)
    assert code == 1 and blocking(r) == {("TFSG001", NODE)}
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert set(f["evidence"]["exposed_resources"]) == set(ASG.values())
    assert policy_findings(r, "TFSG012") == []


# ----------------------------------------------------------------------------------------------
# 6. splat_sources: splats as rule sources

SAPP, SDB, SCACHE = sg("app"), sg("db"), sg("cache")
PRIVATE = ("10.0.10.0/24", "10.0.11.0/24")  # var.private_subnets, aws_subnet.private[*].cidr_block

SPLAT_FLOWS = {
    *((c, SAPP, "tcp", "8080") for c in PRIVATE),  # inline cidr_blocks = aws_subnet.private[*].cidr_block
    (SAPP, "0.0.0.0/0", "tcp", "443"),
    *((c, SDB, "tcp", "5432") for c in PRIVATE),  # db_from_private
    *((c, SCACHE, "tcp", "6379") for c in PRIVATE),  # cache_from_private[each.value]
    # no pair: app sends only 443, db and cache send nothing (no egress on create)
}
# aws_vpc.main[*].ipv6_cidr_block (assign_generated_ipv6_cidr_block): known only after apply
SPLAT_UNKNOWN = {
    (SAPP, "ingress"),
    ("aws_security_group_rule.db_from_vpc_v6", "ipv6_cidr_blocks"),
    ("aws_vpc_security_group_ingress_rule.cache_from_vpc_v6", "cidr_ipv6"),
}


def test_splats_with_sources():
    r = tfsg_json("show", plan("splat_sources"))
    assert flows(r["flows"]) == SPLAT_FLOWS
    assert unknowns(r) == SPLAT_UNKNOWN
    reasons = {u["address"]: u["reason"] for u in r["unknown"]}
    assert "ipv6_cidr_block" in reasons["aws_security_group_rule.db_from_vpc_v6"]
    assert r["exposed"] == []  # every instance is in a private subnet


@pytest.mark.parametrize("where", ["no-sources", "plan-alone"])
def test_splats_without_sources_never_become_the_ipv4_block(where, tmp_path):
    if where == "plan-alone":
        shutil.copy(plan("splat_sources"), tmp_path / "plan.json")
        r = tfsg_json("show", str(tmp_path / "plan.json"))
        assert r["input"]["sources"] is None
    else:
        r = tfsg_json("show", plan("splat_sources"), "--no-sources")
    # configuration records both splats as bare references (aws_vpc.main, aws_subnet.private):
    # the IPv6 one must not resolve to the VPC's cidr_block; the subnet one is known in `after`
    assert "10.0.0.0/16" not in endpoints(r)
    assert flows(r["flows"]) == SPLAT_FLOWS
    assert unknowns(r) == SPLAT_UNKNOWN


# ----------------------------------------------------------------------------------------------
# 7. unknown_scope: unknowns reach only the policies they can affect

BUILDER, BATCH, DATA, UWEB = sg("builder"), sg("batch"), sg("data"), sg("web")
INTERNET_AND_DATA_POLICIES = [f"TFSG00{i}" for i in range(1, 8)]


@pytest.mark.parametrize("mode", [(), ("--no-sources",)], ids=["sources", "no-sources"])
def test_unknowns_are_listed(mode):
    r = tfsg_json("show", plan("unknown_scope"), *mode)
    assert flows(r["flows"]) == {
        (BUILDER, "0.0.0.0/0", "tcp", "443"),  # builder_https
        (BATCH, DATA, "tcp", "5432"),  # batch_to_data ∩ data ingress from batch
        ("0.0.0.0/0", UWEB, "tcp", "443"), (UWEB, "0.0.0.0/0", "tcp", "443"),
    }
    # "${aws_eip.X.public_ip}/32": an Elastic IP is allocated at apply
    assert unknowns(r) == {
        ("aws_vpc_security_group_egress_rule.builder_git", "cidr_ipv4"),
        (DATA, "egress"),
        (UWEB, "ingress"),
    }
    assert exposures(r["exposed"]) == {(UWEB, "group", "tcp", "443"), ("aws_instance.web", "resource", "tcp", "443")}
    assert r["paths"] == []  # web sends only 443 to addresses; data admits only batch


@pytest.mark.parametrize("mode", [(), ("--no-sources",)], ids=["sources", "no-sources"])
def test_egress_and_unrelated_unknowns_raise_no_ingress_or_data_tier_warning(mode, tmp_path):
    code, r = check(plan("unknown_scope"), *mode, cwd=tmp_path)
    # An unknown egress destination cannot make a group reachable from the internet, nor open a
    # path into the data tier; web's unknown source is on udp 8125, a port no internet-ingress
    # policy names (22, 3389, database ports, all traffic), and web has no path to data.
    assert policy_findings(r, *INTERNET_AND_DATA_POLICIES) == []
    assert code == 0 and blocking(r) == set()


@pytest.mark.parametrize("mode", [(), ("--no-sources",)], ids=["sources", "no-sources"])
def test_a_strict_policy_passes_when_no_unknown_touches_it(mode, tmp_path):
    cfg = Path(plan("unknown_scope")).parent / "strict.yml"
    code, r = check(plan("unknown_scope"), "--config", str(cfg), *mode, cwd=tmp_path)
    # TEAM-SSH (internet -> any group on 22, unknown: violation): no unknown is an ingress on 22
    assert policy_findings(r, "TEAM-SSH") == []
    assert code == 0


# ----------------------------------------------------------------------------------------------
# 8. no_sources_attach: without sources, say so up front, and unknown is not "unattached"

NWEB, NAPI, SPARE = sg("web"), sg("api"), sg("spare")
SERVER = {k: f'aws_instance.server["{k}"]' for k in ("web", "api")}


def test_attachments_through_for_each_with_sources(tmp_path):
    r = tfsg_json("show", plan("no_sources_attach"))
    assert r["input"]["sources"]
    # vpc_security_group_ids = each.value.group_ids over local.servers
    assert attached(r) == {NWEB: [SERVER["web"]], NAPI: [SERVER["api"]], SPARE: []}
    assert flows(r["flows"]) == {
        ("0.0.0.0/0", NWEB, "tcp", "443"), (NWEB, "10.0.2.0/24", "tcp", "8080"),
        ("10.0.1.0/24", NAPI, "tcp", "8080"),
        # api admits 10.0.1.0/24, which holds web's member (public subnet), and web's egress to
        # 10.0.2.0/24 covers api's member (private subnet): the pair is a flow
        (NWEB, NAPI, "tcp", "8080"),
    }
    assert exposures(r["exposed"]) == {(NWEB, "group", "tcp", "443"), (SERVER["web"], "resource", "tcp", "443")}
    assert r["unknown"] == []
    code, c = check(plan("no_sources_attach"), cwd=tmp_path)
    assert code == 0
    assert {x["address"] for x in policy_findings(c, "TFSG012")} == {SPARE}  # truly unattached


def _no_sources_runs(tmp_path: Path):
    """The plan read with --no-sources, and a copy of plan.json alone in a temp dir."""
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(plan("no_sources_attach"), alone / "plan.json")
    return [("no-sources", (plan("no_sources_attach"), "--no-sources")), ("plan-alone", (str(alone / "plan.json"),))]


def test_without_sources_the_attachment_is_unknown_not_absent(tmp_path):
    for label, args in _no_sources_runs(tmp_path):
        r = tfsg_json("show", *args)
        assert r["input"]["sources"] is None, label
        # plan JSON records only `each.value.group_ids` (locals are not in the plan) and the ids
        # are unknown at create: which group each server is in is unknown, and said
        assert {SERVER["web"], SERVER["api"]} <= {u["address"] for u in r["unknown"]}, label
        assert not any(SERVER["web"] in v or SERVER["api"] in v for v in attached(r).values()), label
        # rules are still read from the plan
        assert {("0.0.0.0/0", NWEB, "tcp", "443"), ("10.0.1.0/24", NAPI, "tcp", "8080")} <= flows(r["flows"])
        code, c = check(*args, cwd=tmp_path)
        assert not {x["address"] for x in policy_findings(c, "TFSG012")} & {NWEB, NAPI}, label


def test_without_sources_the_report_says_so_up_front(tmp_path):
    for label, args in _no_sources_runs(tmp_path):
        r = tfsg_json("show", *args)
        # proposed contract: input.sources stays null, input.sources_note says what is lost
        note = r["input"].get("sources_note")
        assert isinstance(note, str) and "--source" in note, (label, r["input"])
        for cmd in ("show", "diff", "check"):
            proc = run_tfsg(cmd, *args, cwd=tmp_path)
            assert proc.returncode in (0, 1), proc.stderr.decode()
            head = proc.stdout.decode().splitlines()[:5]  # verdict / summary, header, then the note
            said = [line for line in head if "--source" in line]
            assert said, (label, cmd, head)
            if label == "plan-alone":
                assert re.search(r"not found|no \.tf|without", " ".join(said), re.I), (cmd, said)
    # with the sources beside the plan, no such note
    r = tfsg_json("show", plan("no_sources_attach"))
    assert not r["input"].get("sources_note")
    assert not [line for line in run_tfsg("show", plan("no_sources_attach")).stdout.decode().splitlines()[:5]
                if "--source" in line]


# ----------------------------------------------------------------------------------------------
# The issue-9 cases of ../shared/cases/turn2, as their EXPECTED.md says

TURN2_CASES = ["cross_account_sgref", "empty_list_vs_rule", "egress_only_unknown", "eks_remote_access",
               "splatv6", "defid", "asgdyn"]


def _turn2_cross_account_sgref(d: Path, tmp_path: Path) -> None:
    db = sg("db")
    r = tfsg_json("show", str(d / "plan.json"))
    # "ACCOUNT/sg-id" inline and in referenced_security_group_id, and a bare sg- id: groups
    # outside the plan, not the internet, nothing exposed
    assert flows(r["flows"]) == {
        ("111122223333/sg-0aa11bb22cc33dd44", db, "tcp", "5432"),
        ("sg-0ee55ff66aa77bb88", db, "tcp", "6379"),
        ("444455556666/sg-0cc99dd00ee11ff22", db, "tcp", "3306"),
    }
    assert r["exposed"] == []
    assert not {u["address"] for u in r["unknown"]} & {db, "aws_vpc_security_group_ingress_rule.db_from_peer_v5"}
    _, c = check(str(d / "plan.json"), cwd=tmp_path)
    assert policy_findings(c, *INTERNET_AND_DATA_POLICIES) == []


def _turn2_empty_list_vs_rule(d: Path, tmp_path: Path) -> None:
    api = sg("api")
    r = tfsg_json("diff", str(d / "plan.json"))
    # ingress = [] on the group revokes the rule the no-op aws_security_group_rule made
    assert ("0.0.0.0/0", api, "tcp", "443") in flows(r["removed"])
    assert not r["added"]
    _, c = check(str(d / "plan.json"), cwd=tmp_path)
    assert api in {x["address"] for x in policy_findings(c, "TFSG013")}  # mixed management, plan mode
    _, h = check(str(d), cwd=tmp_path)
    assert api in {x["address"] for x in policy_findings(h, "TFSG013")}  # and HCL mode


def _turn2_egress_only_unknown(d: Path, tmp_path: Path) -> None:
    git = sg("git_egress")
    r = tfsg_json("show", str(d / "plan.json"))
    assert flows(r["flows"]) == {(git, "140.82.112.0/20", "tcp", "443"), (git, "143.55.64.0/20", "tcp", "443")}
    assert unknowns(r) == {(git, "egress")}  # the EIP /32
    code, c = check(str(d / "plan.json"), cwd=tmp_path)
    assert policy_findings(c, *INTERNET_AND_DATA_POLICIES) == []
    code, c = check(str(d / "plan.json"), "--config", str(d / "strict.yml"), cwd=tmp_path)
    assert code == 0 and policy_findings(c, "TEAM-SSH") == []


def _turn2_eks_remote_access(d: Path, tmp_path: Path) -> None:
    ng = "aws_eks_node_group.workers"
    r = tfsg_json("show", str(d / "plan.json"))
    # remote_access with ec2_ssh_key and no source_security_group_ids: EKS opens 22 to 0.0.0.0/0
    # on the nodes (public subnets): reported reachable on tcp 22, or at least unknown
    exposed = {(e["address"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "resource"}
    reported = (ng, "tcp", "22") in exposed
    assert reported or ng in {u["address"] for u in r["unknown"]}, (exposed, r["unknown"])
    code, c = check(str(d / "plan.json"), cwd=tmp_path)
    tfsg001 = [f for f in policy_findings(c, "TFSG001") if ng in json.dumps(f)]
    assert tfsg001, c["findings"]
    if reported:
        assert code == 1 and any(f["status"] == "violation" for f in tfsg001)


def _turn2_splatv6(d: Path, tmp_path: Path) -> None:
    shutil.copy(d / "plan.json", tmp_path / "plan.json")  # EXPECTED: about a plan without sources
    r = tfsg_json("show", str(tmp_path / "plan.json"))
    assert r["input"]["sources"] is None
    assert r["flows"] == [] and r["exposed"] == []
    pattern = re.compile(r"aws_security_group_rule\.v6_from_vpc|aws_security_group\.a ingress")
    assert any(pattern.search(f"{u['address']} {u['attribute']}") for u in r["unknown"]), r["unknown"]


def _turn2_defid(d: Path, tmp_path: Path) -> None:
    r = tfsg_json("show", str(d / "plan.json"))
    assert (sg("app"), "aws_default_security_group.default", "tcp", "5432") in flows(r["flows"])
    assert r["exposed"] == []


def _turn2_asgdyn(d: Path, tmp_path: Path) -> None:
    node = sg("node")
    r = tfsg_json("show", str(d / "plan.json"))
    assert ("0.0.0.0/0", node, "tcp", "22") in flows(r["flows"])
    assert (node, "group", "tcp", "22") in exposures(r["exposed"])
    assert {"aws_autoscaling_group.dyn", "aws_autoscaling_group.plain"} <= set(attached(r)[node])


@pytest.mark.parametrize("case", TURN2_CASES)
def test_turn2_case(case, tmp_path):
    d = TURN2 / case
    if not (d / "plan.json").exists():
        pytest.skip(f"{d} is not on this machine")
    globals()[f"_turn2_{case}"](d, tmp_path)
