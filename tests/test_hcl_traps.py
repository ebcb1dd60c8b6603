"""HCL mode (`tfsg show DIR`, `tfsg check DIR`) on the traps of REFERENCE section F.

Each case is a directory of .tf files in fixtures/hcl (its README says what each one covers).
Every expected flow, exposure and unknown here is worked out by hand from those files (the
comments say from which rules), never copied from tfsg's output. The semantics are the ones
the README states for plans, because HCL mode must give the same report.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, exposures, flows, paths, run_tfsg, tfsg_json, validate_report

HCL = FIXTURES / "hcl"
ALL = ("all", "all")


@pytest.fixture(autouse=True)
def _no_tf_var_environment(monkeypatch):
    """TF_VAR_* in the caller's environment would set root variables (HCL mode reads them)."""
    for name in list(os.environ):
        if name.startswith("TF_VAR_"):
            monkeypatch.delenv(name)


def case_dir(case: str) -> Path:
    path = HCL / case
    if not path.is_dir():
        pytest.fail(f"HCL fixture {case} is missing")
    return path


@functools.lru_cache(maxsize=None)
def show(case: str, *extra: str) -> dict:
    """`tfsg show fixtures/hcl/CASE --format json`, once per case and arguments."""
    r = tfsg_json("show", str(case_dir(case)), *extra)
    assert r["input"]["kind"] == "hcl"
    return r


def check(target: Path, *args: str, cwd: Path) -> tuple[int, dict]:
    """`tfsg check DIR --fail-on-existing --format json` with the baseline pack (cwd has no
    .tfsg.yml). Without --base every finding of a directory is "existing" (nothing to compare
    with), so --fail-on-existing makes the gate judge the configuration as it stands, the way
    a create plan of the same directory is judged."""
    proc = run_tfsg("check", str(target), "--fail-on-existing", *args, "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    assert result["input"]["kind"] == "hcl"
    assert result["verdict"]["passed"] == (proc.returncode == 0)
    return proc.returncode, result


def blocking(r: dict) -> set[tuple[str, str]]:
    return {(f["policy"], f["address"]) for f in r["findings"] if f["blocking"]}


def violations(r: dict) -> set[tuple[str, str]]:
    """Violations that stand (not waived), blocking or not."""
    return {(f["policy"], f["address"]) for f in r["findings"] if f["status"] == "violation" and not f["waived"]}


def finding(r: dict, policy: str, address: str) -> dict:
    found = [f for f in r["findings"] if f["policy"] == policy and f["address"] == address]
    assert found, (policy, address, [(f["policy"], f["address"]) for f in r["findings"]])
    return found[0]


def attached(r: dict) -> dict[str, list[str]]:
    return {g["address"]: g["attached"] for g in r["groups"]}


def unknowns(r: dict) -> set[tuple[str, str]]:
    return {(u["address"], u["attribute"]) for u in r["unknown"]}


def line_of(case: str, file: str, text: str) -> int:
    return (case_dir(case) / file).read_text().splitlines().index(text) + 1


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


# ----------------------------------------------------------------------------------------------
# A group reference is an edge from that group, never the internet (checkov#6624)

APP, WORKER, DB, CACHE, API = (sg(n) for n in ("app", "worker", "db", "cache", "api"))
OUTSIDE = "sg-0a1b2c3d4e5f67890"


def test_group_references_are_edges_from_groups():
    r = show("group_reference")
    assert flows(r["flows"]) == {
        (APP, "10.0.0.0/16", *ALL), (WORKER, "10.0.0.0/16", *ALL),  # egress = [aws_vpc.main.cidr_block]
        # db_from_app (referenced_security_group_id) ∩ app egress (the VPC covers db's subnets)
        (APP, DB, "tcp", "5432"),
        # cache_from_clients[0] / [1]: source_security_group_id = local.cache_clients[count.index]
        (APP, CACHE, "tcp", "6379"), (WORKER, CACHE, "tcp", "6379"),
        # inline security_groups = [app, "sg-..."]; a group outside the configuration has unknown
        # rules, its egress taken as open (AWS's default)
        (APP, API, "tcp", "8443"), (OUTSIDE, API, "tcp", "8443"),
    }
    by = _by_pair(r)
    assert by[(WORKER, CACHE)] == ["aws_security_group.worker", "aws_security_group_rule.cache_from_clients[1]"]
    assert "aws_security_group_rule.cache_from_clients[0]" in by[(APP, CACHE)]
    assert "aws_vpc_security_group_ingress_rule.db_from_app" in by[(APP, DB)]
    # no reference is read as an address block, let alone the internet
    assert r["exposed"] == [] and r["paths"] == [] and r["unknown"] == []
    assert not [f for f in r["flows"] if f["from"] in ("0.0.0.0/0", "::/0")]
    assert r["reach"][DB]["ingress"] == {"addresses": 0, "groups": 1, "members": 2, "unknown_members": False}
    assert r["reach"][CACHE]["ingress"] == {"addresses": 0, "groups": 2, "members": 3, "unknown_members": False}
    assert r["reach"][API]["ingress"] == {"addresses": 0, "groups": 2, "members": 2, "unknown_members": True}
    assert attached(r) == {
        APP: ["aws_instance.app[0]", "aws_instance.app[1]"],  # subnet from element(..., count.index)
        WORKER: ["aws_instance.worker"], DB: ["aws_db_instance.db"],
        CACHE: ["aws_elasticache_cluster.cache"], API: ["aws_instance.api"],
    }
    assert {g["address"]: g["name"] for g in r["groups"]}[API] == "admin-api"
    line = line_of("group_reference", "main.tf", 'resource "aws_security_group" "app" {')
    assert r["locations"][APP].endswith(f"group_reference/main.tf:{line}")
    assert {g["address"]: g["location"] for g in r["groups"]}[APP] == r["locations"][APP]


def test_group_references_pass_the_baseline(tmp_path):
    code, r = check(case_dir("group_reference"), cwd=tmp_path)
    # every group is attached, described, tagged and named; every rule described; no
    # CIDR inside the VPC; data tier admits 2-3 members (budget 256); nothing from the internet
    assert code == 0
    # the VPC the configuration creates gets a default group with AWS's rules, which it does not
    # adopt (VPC user guide, "Default security groups for your VPCs"): TFSG011, medium
    assert [(f["policy"], f["address"]) for f in r["findings"]] == [("TFSG011", "aws_vpc.main")]


# ----------------------------------------------------------------------------------------------
# cidr_ipv6 = "::/0" on aws_vpc_security_group_ingress_rule is the IPv6 internet

WEB6, ADMIN = sg("web"), sg("admin")


def test_ipv6_anywhere_on_vpc_rule_resources():
    r = show("ipv6_world")
    assert flows(r["flows"]) == {
        ("::/0", WEB6, "tcp", "443"),  # https_v6
        ("::/0", WEB6, "tcp", "80"), ("::/0", WEB6, "tcp", "8080"),  # web_v6["80"], ["8080"]: local.ipv6_anywhere
        ("198.51.100.0/24", WEB6, "tcp", "443"),  # https_office (IPv4, documentation range, not public)
        (WEB6, "::/0", *ALL),  # web_all_v6: ip_protocol -1, no ports
        ("::/0", ADMIN, "tcp", "22"),
    }
    assert exposures(r["exposed"]) == {
        (WEB6, "group", "tcp", "80"), (WEB6, "group", "tcp", "443"), (WEB6, "group", "tcp", "8080"),
        ("aws_lb.web", "resource", "tcp", "80"), ("aws_lb.web", "resource", "tcp", "443"),
        ("aws_lb.web", "resource", "tcp", "8080"),  # internal = false
        (ADMIN, "group", "tcp", "22"), ("aws_instance.admin", "resource", "tcp", "22"),  # public subnet
    }
    sources = {(e["address"], e["ports"]): e["sources"] for e in r["exposed"]}
    assert sources[(ADMIN, "22")] == ["::/0"]
    assert sources[(WEB6, "443")] == ["::/0"]  # the office /24 is not part of the exposure
    by = _by_pair(r)
    assert by[("::/0", WEB6)] == ["aws_vpc_security_group_ingress_rule.https_v6",
                                  'aws_vpc_security_group_ingress_rule.web_v6["80"]',
                                  'aws_vpc_security_group_ingress_rule.web_v6["8080"]']
    assert r["paths"] == []  # no group-to-group flow
    assert r["unknown"] == []  # the subnets' IPv6 blocks are unknown but nothing depends on them


def test_ipv6_ssh_from_anywhere_fails_the_check(tmp_path):
    code, r = check(case_dir("ipv6_world"), cwd=tmp_path)
    assert code == 1
    assert blocking(r) == {("TFSG001", ADMIN)}
    f = finding(r, "TFSG001", ADMIN)
    assert f["evidence"]["sources"] == ["::/0"]
    assert f["evidence"]["exposed_resources"] == ["aws_instance.admin"]


# ----------------------------------------------------------------------------------------------
# ip_protocol = "-1" with no ports: every protocol and every port (checkov#7372)

PEERING, DEBUG = sg("peering"), sg("debug")


def test_protocol_minus_one_is_all_traffic():
    r = show("all_protocols")
    assert flows(r["flows"]) == {
        # from_trusted["partner"], ["monitoring"]: network.auto.tfvars overrides the default
        ("10.20.0.0/16", PEERING, *ALL), ("10.30.0.0/16", PEERING, *ALL),
        (PEERING, "10.20.0.0/16", *ALL),  # to_partner: var.trusted_networks["partner"]
        ("0.0.0.0/0", DEBUG, *ALL),
    }
    assert not [f for f in r["flows"] if "10.99.0.0/16" in (f["from"], f["to"])]  # the unused default
    assert exposures(r["exposed"]) == {(DEBUG, "group", *ALL), ("aws_instance.debug", "resource", *ALL)}
    by = _by_pair(r)
    assert by[("10.30.0.0/16", PEERING)] == ['aws_vpc_security_group_ingress_rule.from_trusted["monitoring"]']
    assert r["unknown"] == [] and r["paths"] == []


def test_protocol_minus_one_fails_for_every_sensitive_port(tmp_path):
    code, r = check(case_dir("all_protocols"), cwd=tmp_path)
    assert code == 1
    assert blocking(r) == {
        ("TFSG001", DEBUG), ("TFSG002", DEBUG), ("TFSG003", DEBUG),  # all traffic from the internet
    }
    # all traffic from a partner /16 to a gateway instance: its SSH/RDP (TFSG004, medium); no
    # TFSG005: a rule that opens every port names no database port, and counts for TFSG005 on
    # the data tier only (baseline blanket_rules_to; a forwarding instance, as a NAT instance is)
    assert ("TFSG004", PEERING) in violations(r)
    assert ("TFSG005", PEERING) not in violations(r)


# ----------------------------------------------------------------------------------------------
# self = true before a world-open block (checkov#6073)

WINDOWS = sg("windows")


def test_self_rule_does_not_hide_the_open_block():
    r = show("self_then_open")
    assert flows(r["flows"]) == {
        (WINDOWS, WINDOWS, *ALL),  # self = true, and the group's egress allows all
        ("0.0.0.0/0", WINDOWS, "tcp", "3389"),  # local.rdp_port, local.anywhere
        (WINDOWS, "0.0.0.0/0", *ALL),
    }
    assert exposures(r["exposed"]) == {
        (WINDOWS, "group", "tcp", "3389"),
        ("aws_instance.windows[0]", "resource", "tcp", "3389"),
        ("aws_instance.windows[1]", "resource", "tcp", "3389"),
    }
    assert r["unknown"] == []
    # each instance is reached directly on 3389 only; through the other (self: all traffic) on
    # everything else: a longer way on services no direct way carries is a path of its own
    assert {tuple(p["nodes"]) for p in r["paths"]} == {
        ("internet", "aws_instance.windows[0]", "aws_instance.windows[1]"),
        ("internet", "aws_instance.windows[1]", "aws_instance.windows[0]")}


def test_self_rule_before_open_block_fails_the_check(tmp_path):
    code, r = check(case_dir("self_then_open"), cwd=tmp_path)
    assert code == 1 and blocking(r) == {("TFSG001", WINDOWS)}
    assert finding(r, "TFSG001", WINDOWS)["evidence"]["services"] == [{"protocol": "tcp", "ports": "3389"}]


# ----------------------------------------------------------------------------------------------
# dynamic blocks: over a list of CIDR strings, a map with an iterator, nested content

BUILD = sg("build")


def test_dynamic_blocks_are_expanded():
    r = show("dynamic_blocks")
    assert flows(r["flows"]) == {
        # dynamic "ingress" over concat(var.admin_cidrs, ["0.0.0.0/0"])
        ("10.0.0.0/8", BUILD, "tcp", "22"), ("0.0.0.0/0", BUILD, "tcp", "22"),
        # dynamic "ingress" over var.services, iterator = svc, cidrs through a for expression
        ("0.0.0.0/0", BUILD, "tcp", "443"),
        ("10.0.0.0/16", BUILD, "tcp", "9100"), ("172.16.0.0/12", BUILD, "tcp", "9100"),
        # dynamic "egress" over toset([80, 443]), iterator = port
        (BUILD, "0.0.0.0/0", "tcp", "80"), (BUILD, "0.0.0.0/0", "tcp", "443"),
    }  # and nothing on 5005: var.enable_remote_debug is false, its for_each is []
    # the template launches nothing itself: the ASG that launches from it stands for its instances
    assert attached(r)[BUILD] == ["aws_autoscaling_group.build"]
    assert exposures(r["exposed"]) == {
        (BUILD, "group", "tcp", "22"), (BUILD, "group", "tcp", "443"),
        # the template through mixed_instances_policy (a dynamic block with a nested dynamic
        # "override"), whose dynamic network_interfaces set associate_public_ip_address = true
        ("aws_autoscaling_group.build", "resource", "tcp", "22"),
        ("aws_autoscaling_group.build", "resource", "tcp", "443"),
    }
    assert r["unknown"] == [] and r["paths"] == []


def test_dynamic_ssh_from_anywhere_fails_the_check(tmp_path):
    code, r = check(case_dir("dynamic_blocks"), cwd=tmp_path)
    assert code == 1 and blocking(r) == {("TFSG001", BUILD)}
    assert finding(r, "TFSG001", BUILD)["evidence"]["sources"] == ["0.0.0.0/0"]


def test_dynamic_block_for_each_follows_variables():
    r = show("dynamic_blocks", "--var", "enable_remote_debug=true", "--var", 'admin_cidrs=["192.168.10.0/24"]')
    f = flows(r["flows"])
    assert ("0.0.0.0/0", BUILD, "tcp", "5005") in f  # the debug block now expands to one rule
    assert ("192.168.10.0/24", BUILD, "tcp", "22") in f and ("10.0.0.0/8", BUILD, "tcp", "22") not in f


# ----------------------------------------------------------------------------------------------
# port ranges: containment, not equality (Terrascan)

LEGACY, REMOTE, MAIL = sg("legacy"), sg("remote"), sg("mail")


def test_port_range_containment():
    r = show("port_range")
    assert flows(r["flows"]) == {
        ("0.0.0.0/0", LEGACY, "tcp", "20-25"),  # var.legacy_first_port .. + 5
        ("0.0.0.0/0", REMOTE, "tcp", "3380-3399"),
        ("0.0.0.0/0", MAIL, "tcp", "23-25"), ("0.0.0.0/0", MAIL, "udp", "20-25"),
    }
    assert exposures(r["exposed"]) == {
        (LEGACY, "group", "tcp", "20-25"), ("aws_instance.legacy", "resource", "tcp", "20-25"),
        (REMOTE, "group", "tcp", "3380-3399"), ("aws_instance.remote", "resource", "tcp", "3380-3399"),
        (MAIL, "group", "tcp", "23-25"), (MAIL, "group", "udp", "20-25"),
        ("aws_instance.mail", "resource", "tcp", "23-25"), ("aws_instance.mail", "resource", "udp", "20-25"),
    }
    assert r["unknown"] == []


def test_ranges_containing_22_and_3389_fail_the_check(tmp_path):
    code, r = check(case_dir("port_range"), cwd=tmp_path)
    assert code == 1
    assert blocking(r) == {("TFSG001", LEGACY), ("TFSG001", REMOTE)}  # mail: 23-25 and UDP are not SSH
    assert finding(r, "TFSG001", LEGACY)["evidence"]["services"] == [{"protocol": "tcp", "ports": "22"}]
    assert finding(r, "TFSG001", REMOTE)["evidence"]["services"] == [{"protocol": "tcp", "ports": "3389"}]


# ----------------------------------------------------------------------------------------------
# CIDR algebra (KICS, trivy#7267)

SPLIT, NOT_CORP, NEAR, PARTNER, INTERNAL = (sg(n) for n in ("split", "not_corporate", "near_miss", "partner",
                                                             "internal"))
NON_CORPORATE = ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3",
                 "64.0.0.0/2", "128.0.0.0/1"]


def test_cidr_algebra():
    r = show("cidr_algebra")
    assert flows(r["flows"]) == {
        # for_each over [for i in range(2) : cidrsubnet("0.0.0.0/0", 1, i)]
        ("0.0.0.0/1", SPLIT, "tcp", "22"), ("128.0.0.0/1", SPLIT, "tcp", "22"),
        *((c, NOT_CORP, "tcp", "443") for c in NON_CORPORATE),
        ("0.0.0.0/1", NEAR, "tcp", "8443"), ("128.0.0.0/2", NEAR, "tcp", "8443"),
        ("1.2.3.4/32", PARTNER, "tcp", "80"), ("5.6.6.0/23", PARTNER, "tcp", "80"),
        ("10.0.2.0/23", INTERNAL, "tcp", "8080"),  # cidrsubnet("10.0.0.0/16", 7, 1)
    }  # no group has egress: no group-to-group flow
    by = _by_pair(r)
    assert by[("128.0.0.0/1", SPLIT)] == ['aws_vpc_security_group_ingress_rule.ssh_half["128.0.0.0/1"]']
    assert exposures(r["exposed"]) == {
        (SPLIT, "group", "tcp", "22"), ("aws_instance.bastion", "resource", "tcp", "22"),
        (NOT_CORP, "group", "tcp", "443"), ("aws_instance.web", "resource", "tcp", "443"),
    }  # near_miss lacks 192.0.0.0/2; partner is 513 addresses; internal is private
    sources = {(e["address"], e["ports"]): e["sources"] for e in r["exposed"] if e["kind"] == "group"}
    assert sources[(SPLIT, "22")] == ["0.0.0.0/1", "128.0.0.0/1"]
    assert sorted(sources[(NOT_CORP, "443")]) == sorted(NON_CORPORATE)
    assert r["reach"][PARTNER]["ingress"]["addresses"] == 513
    assert r["reach"][INTERNAL]["ingress"]["addresses"] == 512
    assert r["reach"][NEAR]["ingress"]["addresses"] == 2**31 + 2**30
    assert r["unknown"] == [] and r["paths"] == []


def test_split_internet_fails_the_check(tmp_path):
    code, r = check(case_dir("cidr_algebra"), cwd=tmp_path)
    assert code == 1 and blocking(r) == {("TFSG001", SPLIT)}
    f = finding(r, "TFSG001", SPLIT)
    assert f["evidence"]["sources"] == ["0.0.0.0/1", "128.0.0.0/1"]
    assert sorted(f["evidence"]["defined_by"]) == [
        'aws_vpc_security_group_ingress_rule.ssh_half["0.0.0.0/1"]',
        'aws_vpc_security_group_ingress_rule.ssh_half["128.0.0.0/1"]']
    # each half is part of what admits the whole internet: TFSG001 reports it, so TFSG004 (SSH
    # from wide known ranges, except_internet) does not report the halves again
    assert ("TFSG004", SPLIT) not in violations(r)
    assert not [f for f in r["findings"] if f["address"] in (NEAR, PARTNER) and f["policy"] in ("TFSG001", "TFSG002")]


# ----------------------------------------------------------------------------------------------
# attached through a module variable (checkov#3010)

JOBS, SPARE = sg("jobs"), sg("spare")


def test_group_attached_through_a_module_variable():
    r = show("module_attachment")
    assert attached(r) == {
        APP: ["module.app.aws_instance.this[0]", "module.app.aws_instance.this[1]"],
        JOBS: ['module.jobs["hourly"].aws_instance.this[0]', 'module.jobs["nightly"].aws_instance.this[0]'],
        SPARE: [],
    }
    # app_from_jobs (referenced_security_group_id) ∩ jobs' inline egress to app
    assert flows(r["flows"]) == {(JOBS, APP, "tcp", "8080")}
    assert r["exposed"] == [] and r["unknown"] == [] and r["paths"] == []
    line = line_of("module_attachment", "modules/app/main.tf", 'resource "aws_instance" "this" {')
    assert r["locations"]["module.app.aws_instance.this[1]"].endswith(f"module_attachment/modules/app/main.tf:{line}")


def test_module_attached_group_is_not_unused(tmp_path):
    code, r = check(case_dir("module_attachment"), cwd=tmp_path)
    assert code == 0
    assert {a for p, a in violations(r) if p == "TFSG012"} == {SPARE}
    assert violations(r) == {("TFSG012", SPARE), ("TFSG011", "aws_vpc.main")}  # its default group: AWS's rules


# ----------------------------------------------------------------------------------------------
# values known only after apply (checkov#3919, #5752, regula#420)

AA_API, OPS = sg("api"), sg("ops")
AFTER_APPLY_UNKNOWN = {
    ("aws_security_group_rule.from_nat", "cidr_blocks"),  # "${aws_eip.nat.public_ip}/32"
    ("aws_security_group_rule.from_cloudfront", "cidr_blocks"),  # data.aws_ip_ranges
    ("aws_vpc_security_group_ingress_rule.from_monitoring", "referenced_security_group_id"),  # data source
    ("aws_vpc_security_group_ingress_rule.from_jump", "cidr_ipv4"),  # aws_instance.jump.private_ip
}


def test_values_known_after_apply_are_reported_unknown():
    r = show("after_apply")
    assert unknowns(r) == AFTER_APPLY_UNKNOWN
    # each says what it waits for: the expression the attribute is written with
    reasons = {u["address"]: u["reason"] for u in r["unknown"]}
    assert "aws_eip.nat.public_ip" in reasons["aws_security_group_rule.from_nat"]
    assert "data.aws_ip_ranges.cloudfront" in reasons["aws_security_group_rule.from_cloudfront"]
    assert "data.aws_security_group.monitoring" in reasons["aws_vpc_security_group_ingress_rule.from_monitoring"]
    assert "aws_instance.jump.private_ip" in reasons["aws_vpc_security_group_ingress_rule.from_jump"]
    assert flows(r["flows"]) == {
        ("10.0.9.0/24", AA_API, "tcp", "22"),  # from_ops: aws_subnet.ops.cidr_block is configured
        (OPS, "10.0.0.0/16", "tcp", "22"),
        # api admits 10.0.9.0/24, which holds the jump host (group ops), and ops may send 22 into
        # the VPC: the pair is a flow
        (OPS, AA_API, "tcp", "22"),
    }  # the unknown rules add no flow and no exposure, and are not read as "nothing"
    assert r["exposed"] == [] and r["paths"] == []
    assert r["summary"]["unknown"] == len(r["unknown"])


def test_unknowns_warn_in_check_and_block_when_policy_says(tmp_path):
    code, r = check(case_dir("after_apply"), cwd=tmp_path)
    assert code == 0  # a warning does not block by default
    warned = {f["policy"] for f in r["findings"] if f["status"] == "warning"}
    # the unknowns are api's ingress sources on tcp 443, 9100 and 22 (issue 9 item 10): only the
    # SSH policies could be hidden by them, and the SSH source (from_jump) is
    # "${aws_instance.jump.private_ip}/32": one address, never the internet (TFSG001), nor wider
    # than /24 (TFSG004) or /16 (TFSG021) (thirteenth session); database ports (TFSG002,
    # TFSG005), "all traffic" (TFSG003) and the data tier (TFSG006, TFSG007) cannot be: nothing warns
    assert warned == set()
    assert {(u["address"], u["attribute"]) for u in r["unknown"]} >= AFTER_APPLY_UNKNOWN
    assert not blocking(r)
    cfg = tmp_path / "strict.yml"
    cfg.write_text("""
extends: [baseline]
policies:
  - id: TEAM-UNKNOWN
    title: HTTPS sources must be known before apply
    severity: high
    kind: forbidden-flow
    from: {internet: true}
    services: [443]
    unknown: violation
""")  # the CloudFront sources of tcp 443 are unknown: this policy may be hidden
    code, r = check(case_dir("after_apply"), "--config", str(cfg), cwd=tmp_path)
    assert code == 1
    assert {p for p, _ in blocking(r)} == {"TEAM-UNKNOWN"}
    # the CloudFront ranges may be anything; the NAT's "${aws_eip.nat.public_ip}/32" is one address
    f = next(f for f in r["findings"] if f["policy"] == "TEAM-UNKNOWN")
    assert {u["address"] for u in f["evidence"]["unknown"]} == {"aws_security_group_rule.from_cloudfront"}


# ----------------------------------------------------------------------------------------------
# 0.0.0.0/0 on 443 on a group attached only to an internet-facing load balancer (terrascan#103)

LB, SHOP_APP = sg("lb"), sg("app")


def test_https_on_an_internet_facing_load_balancer():
    r = show("lb_exposure")
    assert flows(r["flows"]) == {
        ("0.0.0.0/0", LB, "tcp", "443"), ("::/0", LB, "tcp", "443"),
        (LB, SHOP_APP, "tcp", "8080"),  # app_from_lb ∩ lb's inline egress to app
        (SHOP_APP, "0.0.0.0/0", "tcp", "443"),
    }
    assert exposures(r["exposed"]) == {
        (LB, "group", "tcp", "443"),
        ("aws_lb.shop", "resource", "tcp", "443"),  # environment = "prod" from terraform.tfvars
        # the app servers are in private subnets, reached only through the LB's listener
        ("aws_instance.app[0]", "resource", "tcp", "8080"), ("aws_instance.app[1]", "resource", "tcp", "8080"),
    }
    assert {e["listener"] for e in r["exposed"] if e["address"].startswith("aws_instance.app")} == \
        {"aws_lb_listener.https"}
    reason = {e["address"]: e["reason"] for e in r["exposed"] if e["kind"] == "resource"}["aws_lb.shop"]
    assert "internet-facing" in reason
    # paths of resources (schema v2): through the LB's listener to each app server
    assert paths(r["paths"]) == {("internet", "aws_lb.shop", f"aws_instance.app[{i}]") for i in (0, 1)}
    for p in r["paths"]:
        assert [[(s["protocol"], s["ports"]) for s in h["services"]] for h in p["hops"]] == \
            [[("tcp", "443")], [("tcp", "8080")]]
        assert p["groups"] == [[], [LB], [SHOP_APP]]
    assert attached(r) == {LB: ["aws_lb.shop"], SHOP_APP: ["aws_instance.app[0]", "aws_instance.app[1]"]}
    assert r["unknown"] == []


def test_https_on_a_load_balancer_passes_the_check(tmp_path):
    code, r = check(case_dir("lb_exposure"), cwd=tmp_path)
    assert code == 0
    assert not [f for f in r["findings"] if f["severity"] in ("critical", "high")]
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG001", "TFSG002", "TFSG003", "TFSG007")]


def _internal(r: dict) -> None:
    assert exposures(r["exposed"]) == {(LB, "group", "tcp", "443")}  # the group still admits the internet
    assert r["paths"] == []  # but its only member, the LB, is internal
    assert r["unknown"] == []


def test_load_balancer_scheme_follows_var_option():
    _internal(show("lb_exposure", "--var", "environment=dev"))


def test_load_balancer_scheme_follows_var_file(tmp_path):
    var_file = tmp_path / "staging.tfvars"
    var_file.write_text('environment = "staging"\n')
    _internal(tfsg_json("show", str(case_dir("lb_exposure")), "--var-file", str(var_file)))


def test_command_line_variables_apply_in_order(tmp_path):
    # Terraform applies -var and -var-file in the order given: the later one wins
    # (checked: `terraform console -var environment=prod -var-file staging.tfvars` says "staging")
    var_file = tmp_path / "staging.tfvars"
    var_file.write_text('environment = "staging"\n')
    lb = str(case_dir("lb_exposure"))
    _internal(tfsg_json("show", lb, "--var", "environment=prod", "--var-file", str(var_file)))
    r = tfsg_json("show", lb, "--var-file", str(var_file), "--var", "environment=prod")
    assert ("aws_lb.shop", "resource", "tcp", "443") in exposures(r["exposed"])
    r = tfsg_json("show", lb, "--var", "environment=dev", "--var", "environment=prod")
    assert ("aws_lb.shop", "resource", "tcp", "443") in exposures(r["exposed"])


def test_environment_variable_loses_to_terraform_tfvars(monkeypatch):
    # Terraform's precedence: TF_VAR_name < terraform.tfvars < *.auto.tfvars < -var / -var-file
    monkeypatch.setenv("TF_VAR_environment", "dev")
    r = tfsg_json("show", str(case_dir("lb_exposure")))
    assert ("aws_lb.shop", "resource", "tcp", "443") in exposures(r["exposed"])


def test_environment_variable_is_read(monkeypatch, tmp_path):
    case = tmp_path / "lb_exposure"
    shutil.copytree(case_dir("lb_exposure"), case)
    (case / "terraform.tfvars").unlink()
    monkeypatch.setenv("TF_VAR_environment", "prod")  # the default would be "dev"
    r = tfsg_json("show", str(case))
    assert ("aws_lb.shop", "resource", "tcp", "443") in exposures(r["exposed"])
    monkeypatch.delenv("TF_VAR_environment")
    _internal(tfsg_json("show", str(case)))


# ----------------------------------------------------------------------------------------------
# inline suppressions work on HCL input as on plans (checkov#3077)

BASTION, REPORTING = sg("bastion"), sg("reporting_db")


def test_suppressed_findings_are_still_shown():
    r = show("inline_suppression")
    assert flows(r["flows"]) == {("0.0.0.0/0", BASTION, "tcp", "22"), ("0.0.0.0/0", REPORTING, "tcp", "5432")}
    assert exposures(r["exposed"]) == {
        (BASTION, "group", "tcp", "22"), ("aws_instance.bastion", "resource", "tcp", "22"),
        (REPORTING, "group", "tcp", "5432"),  # aws_db_instance.reporting: publicly_accessible = false
    }
    assert r["unknown"] == []


def test_inline_waivers_apply_in_hcl_mode(tmp_path):
    code, r = check(case_dir("inline_suppression"), cwd=tmp_path)
    assert code == 0
    assert finding(r, "TFSG001", BASTION)["waived"] == "break-glass bastion until the VPN is live"
    # the `//` comment sits inside the rule resource, which defines the finding's rule
    assert finding(r, "TFSG002", REPORTING)["waived"] == "vendor BI tool, fixed IP list pending"
    assert not blocking(r)
    assert r["waivers"] == []  # none expired, none unused
    # the whole internet on 5432 is TFSG002's (waived): TFSG006 leaves it out (except_internet)
    assert ("TFSG006", REPORTING) not in violations(r)


def test_expired_inline_waiver_stops_applying(tmp_path):
    case = tmp_path / "inline_suppression"
    shutil.copytree(case_dir("inline_suppression"), case)
    main = case / "main.tf"
    text = main.read_text()
    old = 'reason="break-glass bastion until the VPN is live" expires=2099-01-01'
    assert old in text
    main.write_text(text.replace(old, 'reason="break-glass bastion until the VPN is live" expires=2020-01-01'))
    code, r = check(case, cwd=tmp_path)
    assert code == 1
    assert blocking(r) == {("TFSG001", BASTION)}
    assert [(w["policy"], w["status"]) for w in r["waivers"]] == [("TFSG001", "expired")]
    assert finding(r, "TFSG002", REPORTING)["waived"]


# ----------------------------------------------------------------------------------------------
# world-open database ports (trivy-checks#257)

ANALYTICS = sg("analytics")
DB_PORTS = ("1433", "3306", "5432", "6379", "27017")


def test_world_open_database_ports():
    r = show("database_ports")
    # for_each over merge(var.sql_ports, var.nosql_ports)
    assert flows(r["flows"]) == {("0.0.0.0/0", ANALYTICS, "tcp", p) for p in DB_PORTS}
    assert exposures(r["exposed"]) == {(ANALYTICS, "group", "tcp", p) for p in DB_PORTS} | \
        {("aws_instance.analytics", "resource", "tcp", p) for p in DB_PORTS}
    by = _by_pair(r)
    assert by[("0.0.0.0/0", ANALYTICS)] == sorted(f'aws_vpc_security_group_ingress_rule.analysts["{k}"]'
                                                  for k in ("mongodb", "mssql", "mysql", "postgres", "redis"))
    # each port range lists the one rule that grants it (issue 12: defined_by per port range)
    per_port = {f["ports"]: f["defined_by"] for f in r["flows"] if f["to"] == ANALYTICS}
    assert per_port["5432"] == ['aws_vpc_security_group_ingress_rule.analysts["postgres"]']
    assert r["unknown"] == []


def test_world_open_database_ports_fail_the_check(tmp_path):
    code, r = check(case_dir("database_ports"), cwd=tmp_path)
    assert code == 1
    # TFSG007: the group is the data tier (Tier = data) and the internet reaches it in one hop
    # TFSG007 judges the resource the internet reaches (issue 12): the analytics instance
    assert blocking(r) == {("TFSG002", ANALYTICS), ("TFSG007", "aws_instance.analytics")}
    assert finding(r, "TFSG002", ANALYTICS)["evidence"]["services"] == [
        {"protocol": "tcp", "ports": p} for p in DB_PORTS]
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG001", "TFSG003")]


def test_database_ports_follow_a_map_variable_on_the_command_line():
    r = show("database_ports", "--var", "nosql_ports={}")
    assert flows(r["flows"]) == {("0.0.0.0/0", ANALYTICS, "tcp", p) for p in ("1433", "3306", "5432")}


# ----------------------------------------------------------------------------------------------
# per-rule evaluation (Sentinel's library): 22 from 10/8 and 443 from anywhere is no SSH exposure

WEB, WEB_INLINE = sg("web"), sg("web_inline")


def test_port_and_peer_are_evaluated_per_rule():
    r = show("per_rule")
    assert flows(r["flows"]) == {
        ("10.0.0.0/8", WEB, "tcp", "22"), ("0.0.0.0/0", WEB, "tcp", "443"),  # for_each over local.web_ingress
        ("10.0.0.0/8", WEB_INLINE, "tcp", "22"), ("0.0.0.0/0", WEB_INLINE, "tcp", "443"),
    }  # 10.0.0.0/8 covers the other group's member, but neither group has egress: no pair flow
    assert exposures(r["exposed"]) == {
        (WEB, "group", "tcp", "443"), (WEB_INLINE, "group", "tcp", "443"),
        ("aws_instance.web", "resource", "tcp", "443"),
    }
    by = _by_pair(r)
    assert by[("10.0.0.0/8", WEB)] == ['aws_vpc_security_group_ingress_rule.web["ssh"]']
    assert r["unknown"] == []


def test_per_rule_evaluation_passes_the_check(tmp_path):
    code, r = check(case_dir("per_rule"), cwd=tmp_path)
    assert code == 0
    assert not [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert {a for p, a in violations(r) if p == "TFSG004"} == {WEB, WEB_INLINE}  # SSH from a /8 (medium)
    assert finding(r, "TFSG004", WEB)["evidence"]["source"] == "10.0.0.0/8"


# ----------------------------------------------------------------------------------------------
# the split-internet trap arriving in a change: `diff`/`check --base REV`

SPLIT_BASE = """resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "Bastion"
  vpc_id      = aws_vpc.main.id

  tags = {
    Name = "bastion"
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh_low" {
  security_group_id = aws_security_group.bastion.id
  description       = "SSH from the lower half of IPv4"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/1"
}

resource "aws_instance" "bastion" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public_a.id
  vpc_security_group_ids = [aws_security_group.bastion.id]
}
"""

SPLIT_CHANGE = """
resource "aws_vpc_security_group_ingress_rule" "ssh_high" {
  security_group_id = aws_security_group.bastion.id
  description       = "SSH from the upper half of IPv4"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "128.0.0.0/1"
}
"""


def test_completing_the_internet_is_introduced_by_the_change(tmp_path):
    """Base: SSH from 0.0.0.0/1 only (half of IPv4, no exposure). The change adds 128.0.0.0/1;
    neither rule says 0.0.0.0/0, yet together they admit the whole internet on 22. The change
    adds one flow and the exposure, and check --base fails on an introduced TFSG001."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    stack = repo / "stack"
    stack.mkdir(parents=True)
    for name in ("providers.tf", "network.tf"):
        shutil.copy(case_dir("cidr_algebra") / name, stack / name)
    (stack / "main.tf").write_text(SPLIT_BASE)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    (stack / "main.tf").write_text(SPLIT_BASE + SPLIT_CHANGE)

    proc = run_tfsg("diff", str(stack), "--base", "HEAD", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stderr.decode()
    d = json.loads(proc.stdout)
    validate_report(d)
    bastion = sg("bastion")
    assert flows(d["added"]) == {("128.0.0.0/1", bastion, "tcp", "22")}
    assert d["removed"] == []
    assert exposures(d["newly_exposed"]) == {(bastion, "group", "tcp", "22"),
                                             ("aws_instance.bastion", "resource", "tcp", "22")}
    assert d["summary"]["reachability_changed"] is True

    proc = run_tfsg("check", str(stack), "--base", "HEAD", "--format", "json", cwd=repo)
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    assert blocking(r) == {("TFSG001", bastion)}
    assert finding(r, "TFSG001", bastion)["introduced"] is True


def _by_pair(r: dict) -> dict:
    """The rules behind each (from, to) pair, over all its port ranges (each row lists those of
    its own range)."""
    out: dict = {}
    for f in r["flows"]:
        out.setdefault((f["from"], f["to"]), set()).update(f["defined_by"])
    return {k: sorted(v) for k, v in out.items()}
