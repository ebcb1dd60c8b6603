"""HCL mode computes what ``terraform plan`` knows (issue 11): values converted to the provider
schema's types, and null Optional+Computed arguments left to the provider.

fixtures/hcl_types is planned by Terraform (fixtures/regen.sh): every expectation below is
derived by hand from its .tf files and AWS's rules, and holds for the plan and for the
directory alike. The issue's samples in ../shared/cases/turn2 (selfstr, computednull) run too
when present.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, exposures, flows, tfsg_json

TURN2 = Path(__file__).resolve().parents[2] / "shared" / "cases" / "turn2"
APP, WEB = "aws_security_group.app", "aws_security_group.web"

HCL_TYPES_FLOWS = {
    # module.app_rules: rules from a list(map(string)) input, so "22", "true" are strings there
    ("0.0.0.0/0", APP, "tcp", "22"), ("10.0.0.0/8", APP, "tcp", "9000"),
    # app -> app: self = "true" admits members on 8443, the two CIDR rules hold them too; app has
    # no egress of its own (Terraform revokes the default), but aws_instance.web sends through
    # web's egress (all) to worker, the other member: the rules of an interface are aggregated
    (APP, APP, "tcp", "22"), (APP, APP, "tcp", "8443"), (APP, APP, "tcp", "9000"),
    # web: from_port = "443" is 443, self = "false" adds no self peer, self = "true" does
    ("0.0.0.0/0", WEB, "tcp", "443"), (WEB, WEB, "tcp", "443"), (WEB, WEB, "tcp", "8080"),
    (WEB, "0.0.0.0/0", "all", "all"),
    # 10.0.0.0/8 holds web's member (10.0.1.0/24), whose egress allows all (and 0.0.0.0/0: 22)
    (WEB, APP, "tcp", "9000"), (WEB, APP, "tcp", "22"),
}
HCL_TYPES_EXPOSED = {
    # map_public_ip_on_launch = "true" is true: both instances get a public IPv4; the subnet's
    # table routes 0.0.0.0/0 to the internet gateway
    ("aws_instance.web", "resource", "tcp", "22"), ("aws_instance.web", "resource", "tcp", "443"),
    ("aws_instance.worker", "resource", "tcp", "22"),
    (APP, "group", "tcp", "22"), (WEB, "group", "tcp", "443"),
}


@pytest.mark.parametrize("source", ["plan.json", ""])
def test_types_are_converted_as_terraform_does(source: str):
    r = tfsg_json("show", str(FIXTURES / "hcl_types" / source))
    assert flows(r["flows"]) == HCL_TYPES_FLOWS
    assert exposures(r["exposed"]) == HCL_TYPES_EXPOSED
    reasons = {e["address"]: e["reason"] for e in r["exposed"] if e["kind"] == "resource"}
    assert "assumed" not in reasons["aws_instance.web"]  # the route table is read in both modes
    # ipv6_cidr_block = null with assign_generated_ipv6_cidr_block: the provider assigns it
    assert [(u["address"], u["attribute"]) for u in r["unknown"]] == [
        ("aws_security_group_rule.v6_ssh", "ipv6_cidr_blocks")]


def _case(name: str, tmp_path: Path, keep_plan: bool = False) -> Path:
    if not (TURN2 / name).is_dir():
        pytest.skip(f"{TURN2 / name} is not here")
    dest = tmp_path / name
    shutil.copytree(TURN2 / name, dest)
    if not keep_plan:
        (dest / "plan.json").unlink(missing_ok=True)
    return dest


def test_turn2_selfstr(tmp_path: Path):
    """self = "true" (a string, as list(map(string)) inputs make it) means self."""
    for target in (_case("selfstr", tmp_path), _case("selfstr", tmp_path / "p", keep_plan=True) / "plan.json"):
        r = tfsg_json("show", str(target))
        a = "aws_security_group.a"
        assert flows(r["flows"]) == {(a, a, "tcp", "443"), (a, a, "tcp", "8443"), (a, "0.0.0.0/0", "all", "all")}
        assert r["exposed"] == []


def test_turn2_computednull(tmp_path: Path):
    """A provider-computed attribute written as null is unknown, not a definite flow."""
    for target in (_case("computednull", tmp_path), _case("computednull", tmp_path / "p", True) / "plan.json"):
        r = tfsg_json("show", str(target))
        assert r["flows"] == [] and r["exposed"] == []
        unknown = {u["address"] for u in r["unknown"]}
        assert {"aws_security_group_rule.direct", "aws_security_group_rule.joined",
                "aws_security_group_rule.compacted"} <= unknown


# ---------------------------------------------------------------- unknowns as Terraform has them


def test_turn2_neqnull(tmp_path: Path):
    """``local.rules != null`` on a map whose values are known only after apply is true: both
    for_each instances are planned (Terraform plans this["from_app"] and this["world"])."""
    r = tfsg_json("show", str(_case("neqnull", tmp_path)))
    assert ("0.0.0.0/0", "aws_security_group.lb", "tcp", "80") in flows(r["flows"])
    assert exposures(r["exposed"]) == {("aws_security_group.lb", "group", "tcp", "80")}
    assert not [u for u in r["unknown"] if "for_each" in u["attribute"] or "!= operator" in u["reason"]]


def test_turn2_knownshape(tmp_path: Path):
    """``!= null``, ``length() > 0``, ``!= {}`` guards and ``count = length(list)`` over values
    known after apply are known; ``coalesce(aws_security_group.peer.id, "sg-...")`` is the
    reference (a created resource's id is never null or empty)."""
    r = tfsg_json("show", str(_case("knownshape", tmp_path)))
    t = "aws_security_group.t"
    assert {("0.0.0.0/0", t, "tcp", p) for p in ("22", "1022", "2022")} | {
        ("sg-0123456789abcdef0", t, "tcp", "3000")} <= flows(r["flows"])
    assert exposures(r["exposed"]) == {(t, "group", "tcp", p) for p in ("22", "1022", "2022")}
    assert r["unknown"] == []
    rules = {g["address"]: g for g in r["groups"]}
    assert set(rules) == {"aws_security_group.peer", t}


def test_turn2_nestedaddr(tmp_path: Path):
    """A nested module's for_each keeps its parent's address; known keys give the instance."""
    r = tfsg_json("show", str(_case("nestedaddr", tmp_path)))
    assert {g["address"] for g in r["groups"]} == {
        "aws_security_group.peer", 'module.outer.module.inner["a"].aws_security_group.this'}
    assert r["unknown"] == [] and r["exposed"] == []


def test_unknown_nested_module_keeps_its_address(tmp_path: Path):
    """The same module with for_each keys known only after apply: the unknown names
    module.outer.module.inner, never a bare module.inner."""
    d = _case("nestedaddr", tmp_path)
    outer = d / "outer" / "main.tf"
    text = outer.read_text()
    assert "for_each = var.groups != null ? var.groups : {}" in text
    outer.write_text(text.replace("for_each = var.groups != null ? var.groups : {}",
                                  "for_each = toset([for k, v in var.groups : v.sg])")
                     .replace("sg       = each.value.sg", "sg       = each.value"))
    r = tfsg_json("show", str(d))
    assert [(u["address"], u["attribute"]) for u in r["unknown"]] == [("module.outer.module.inner", "for_each")]


# ---------------------------------------------------------------- omitted means not managed

GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]


def _base_repo(tmp_path: Path, before: Path, after: Path) -> Path:
    """A git repository whose HEAD holds ``before``'s .tf files and whose work tree ``after``'s."""
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    for f in before.glob("*.tf"):
        shutil.copy(f, repo / f.name)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + ["-C", str(repo), *args], check=True, capture_output=True)
    for f in repo.glob("*.tf"):
        f.unlink()
    for f in after.glob("*.tf"):
        shutil.copy(f, repo / f.name)
    return repo


DEFAULT = "aws_default_security_group.default"
UNMANAGED_CHANGES = {DEFAULT: "update", "aws_security_group.cache": "create", "aws_security_group.db": "no-op",
                     "aws_security_group.web": "no-op"}


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_omitted_inline_rules_stay(tmp_path: Path, mode: str):
    """fixtures/hcl_unmanaged (an update plan against moto): web's egress block deleted, db's
    ingress written as a dynamic block over [] (zero blocks: not set either), the default
    group's egress deleted: Terraform plans no change for them and AWS keeps the rules. Only the
    default group's ingress changes (self: all traffic -> tcp 22)."""
    case = FIXTURES / "hcl_unmanaged"
    if mode == "plan":
        r = tfsg_json("diff", str(case / "plan.json"))
    else:
        r = tfsg_json("diff", str(_base_repo(tmp_path, case / "before", case)), "--base", "HEAD")
    assert flows(r["added"]) == set()
    removed = flows(r["removed"])
    assert {(a, b) for a, b, _, _ in removed} == {(DEFAULT, DEFAULT)}
    assert (DEFAULT, DEFAULT, "tcp", "22") not in removed and (DEFAULT, DEFAULT, "udp", "all") in removed
    assert {g["address"]: g["change"] for g in r["groups"]} == UNMANAGED_CHANGES
    assert r["revoked"] == [] and r["newly_exposed"] == [] and r["no_longer_exposed"] == []


def test_turn2_omitted_blocks_update(tmp_path: Path):
    """Deleting the blocks without `= []` keeps the rules (the real plan: no-op); legacy_explicit's
    `ingress = []` revokes its SSH rule: the only flow removed."""
    d = TURN2 / "omitted_blocks_update"
    if not d.is_dir():
        pytest.skip(f"{d} is not here")
    r = tfsg_json("diff", str(_base_repo(tmp_path, d / "before", d)), "--base", "HEAD")
    assert flows(r["removed"]) == {("0.0.0.0/0", "aws_security_group.legacy_explicit", "tcp", "22")}
    assert flows(r["added"]) == set()
    assert {g["address"]: g["change"] for g in r["groups"]} == {
        DEFAULT: "no-op", "aws_security_group.legacy": "no-op", "aws_security_group.legacy_explicit": "update"}


# ---------------------------------------------------------------- shapes the configuration fixes

SHAPES = '''
resource "aws_security_group" "peer" {
  name   = "peer"
  vpc_id = "vpc-1"
}
data "aws_availability_zones" "az" {}
locals {
  m     = { a = aws_security_group.peer.id, b = aws_security_group.peer.id }
  azs   = slice(data.aws_availability_zones.az.names, 0, 3)
  cidrs = [for i, az in local.azs : cidrsubnet("10.0.0.0/16", 4, i)]
}
resource "aws_security_group" "t" {
  name        = "t"
  vpc_id      = "vpc-1"
  description = jsonencode([length(local.m), keys(local.m), length(local.azs)])
}
resource "aws_vpc_security_group_ingress_rule" "each" {
  for_each                     = local.m
  security_group_id            = aws_security_group.t.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = each.value
}
resource "aws_vpc_security_group_ingress_rule" "az" {
  count             = length(local.cidrs)
  security_group_id = aws_security_group.t.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = local.cidrs[count.index]
}
'''


def test_shapes_the_configuration_fixes(tmp_path: Path):
    """A map with known keys and values known after apply has a known length and keys, and
    for_each over it plans its instances (as Terraform does); slice(data...names, 0, 3) has 3
    elements (tfsg's documented inference: the data source is read from AWS at plan), so the
    terraform-aws-modules/vpc idiom [for i, az in ... : cidrsubnet(cidr, 4, i)] is known."""
    (tmp_path / "main.tf").write_text(SHAPES)
    r = tfsg_json("show", str(tmp_path))
    t = "aws_security_group.t"
    assert flows(r["flows"]) == {(c, t, "tcp", "22") for c in ("10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20")}
    assert r["unknown"] == []
    assert {g["address"]: g["description"] for g in r["groups"]}[t] == '[2,["a","b"],3]'


# ---------------------------------------------------------------- sensitivity is a mark

# fixtures/hcl_sensitive: what the sensitive defaults are, and every spelling derived from them
# (cidrsubnet respells 198.51.7.77/16 as 198.51.0.0/16; the module output is 198.51.3.0/24;
# replace, format+split and substr give 203.0.113.0/25, /32, /26; join+split marks 10.9.0.0/16
# too, as Terraform does), the prefix lengths only they have, and the note in a description.
SENSITIVE_LEAKS = ["198.51.", "203.0.113", "192.0.2.16", "10.9.0.0", "break glass", "/24", "/25", "/26", "/28", "/32"]
# sarif and github carry findings: check only (show and diff refuse them, exit 2)
OUTPUTS = [(cmd, fmt) for cmd in ("show", "diff", "check") for fmt in ("text", "json", "markdown", "sarif", "github")
           if cmd == "check" or fmt not in ("sarif", "github")]


@pytest.mark.parametrize("source", ["", "plan.json"], ids=["hcl", "plan"])
@pytest.mark.parametrize("cmd,fmt", OUTPUTS, ids=[f"{c}-{f}" for c, f in OUTPUTS])
def test_values_derived_from_sensitive_ones_are_never_printed(source: str, cmd: str, fmt: str, tmp_path: Path):
    from conftest import run_tfsg

    proc = run_tfsg(cmd, str(FIXTURES / "hcl_sensitive" / source), "--format", fmt, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    out = proc.stdout.decode() + proc.stderr.decode()
    assert not [s for s in SENSITIVE_LEAKS if s in out]


@pytest.mark.parametrize("source", ["", "plan.json"], ids=["hcl", "plan"])
def test_sensitive_values_are_still_evaluated(source: str):
    r = tfsg_json("show", str(FIXTURES / "hcl_sensitive" / source))
    app = "aws_security_group.app"
    rows = {(f["from"], f["ports"]) for f in r["flows"] if f["to"] == app}
    # seven placeholders (one per derived block), the plain rule in clear
    placeholders = {src for src, _ in rows if src.startswith("(sensitive ")}
    assert len(placeholders) == 7 and ("10.20.0.0/16", "25") in rows
    assert {p for _, p in rows} == {"443", "8443", "22", "3389", "6379", "9000", "5432", "25"}
    assert r["reach"][app]["ingress"]["addresses"] is None  # a count would tell the prefix lengths


# ---------------------------------------------------------------- the idioms of real modules

EDGE, DB = "module.edge.aws_security_group.this", "module.db.aws_security_group.this"
API, WORKER = 'module.app.module.sg["api"].aws_security_group.this', 'module.app.module.sg["worker"].aws_security_group.this'
IDIOM_FLOWS = {
    ("0.0.0.0/0", EDGE, "tcp", "443"),  # ingress_rules = ["https-443-tcp"]: a named rule
    ("10.0.0.0/16", API, "tcp", "22"),  # "ssh-tcp" from the tier's cidrs
    # extra_ingress behind `var.peers != null`, whose value (edge's id) is known after apply; the
    # VPC's 10.0.0.0/16 holds edge's members too, so edge also reaches api on 22
    (EDGE, API, "tcp", "8080"), (EDGE, API, "tcp", "22"), (EDGE, WORKER, "tcp", "8080"),
    (API, DB, "tcp", "5432"),  # the computed rule (postgresql-tcp), counted by the caller
    (EDGE, "0.0.0.0/0", "all", "all"), (API, "0.0.0.0/0", "all", "all"), (WORKER, "0.0.0.0/0", "all", "all"),
}


@pytest.mark.parametrize("source", ["plan.json", ""], ids=["plan", "hcl"])
def test_idioms_of_real_modules(source: str):
    r = tfsg_json("show", str(FIXTURES / "hcl_idioms" / source))
    assert {g["address"] for g in r["groups"]} == {EDGE, DB, API, WORKER}  # module.app.module.sg["..."]
    assert flows(r["flows"]) == IDIOM_FLOWS
    assert r["unknown"] == []
