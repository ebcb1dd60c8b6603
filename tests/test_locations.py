"""Findings point at what grants the access (issue 12, item 3): the inline block, the rule
resource, the module call's argument; SARIF carries relatedLocations and location-exact.

Expected lines are read off the fixtures' .tf files by hand (the comments name the blocks)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tfsg.model import Location, Peer, Rule
from tfsg.netsets import services_for_rule
from tfsg.sources.blocksites import assign, text_calls, text_sites

HYGIENE = "fixtures/hygiene"
MODULES = "fixtures/module_dynamic"


def _check(target: str, fmt: str = "json") -> dict:
    proc = subprocess.run([sys.executable, "-m", "tfsg", "check", target, "--format", fmt],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _located(result: dict) -> dict[tuple[str, str], tuple]:
    return {(f["policy"], f["address"]): (f["location"], f["location_exact"], f.get("related_locations", []))
            for f in result["findings"]}


@pytest.fixture(scope="module", params=["plan", "hcl"])
def hygiene(request) -> dict[tuple[str, str], tuple]:
    return _located(_check(f"{HYGIENE}/plan.json" if request.param == "plan" else HYGIENE))


def test_inline_finding_at_its_own_block(hygiene) -> None:
    # egress_everything: "Everything to the IPv4 internet" (312) and "...IPv6 internet" (320);
    # its ingress block (304) grants nothing of it
    assert hygiene[("TFSG017", "aws_security_group.egress_everything")] == \
        (f"{HYGIENE}/main.tf:312", True, [f"{HYGIENE}/main.tf:320"])
    # the default group: its egress block (88), not its ingress (80) nor the resource line (77)
    assert hygiene[("TFSG017", "aws_default_security_group.default")][:2] == (f"{HYGIENE}/main.tf:88", True)
    # db_world: three ingress blocks from the internet (5432, 3306, 1433), each granting part
    assert hygiene[("TFSG002", "aws_security_group.db_world")] == \
        (f"{HYGIENE}/main.tf:367", True, [f"{HYGIENE}/main.tf:375", f"{HYGIENE}/main.tf:383"])
    # all_open: the one ingress block (407), not `egress = []`
    assert hygiene[("TFSG003", "aws_security_group.all_open")][:2] == (f"{HYGIENE}/main.tf:407", True)


def test_group_level_findings_stay_at_the_group(hygiene) -> None:
    # a name or tags: the resource itself is what is changed
    assert hygiene[("TFSG018", "aws_security_group.no_descriptions")][:2] == (f"{HYGIENE}/main.tf:174", True)
    assert hygiene[("TFSG019", "aws_security_group.no_descriptions")][:2] == (f"{HYGIENE}/main.tf:174", True)


@pytest.fixture(scope="module", params=["plan", "hcl"])
def modules(request) -> dict[tuple[str, str], tuple]:
    return _located(_check(f"{MODULES}/plan.json" if request.param == "plan" else MODULES))


def test_module_rule_at_the_call_argument(modules) -> None:
    # module "svc": ingress_rules = [{ port = 22, cidrs = ["10.0.100.0/24"] }] on main.tf:83;
    # the rule is written by the module's dynamic "ingress" block (modules/service_sg/main.tf:50)
    for key in ("blue", "green"):
        assert modules[("TFSG008", f'module.svc["{key}"].aws_security_group.this')] == \
            (f"{MODULES}/main.tf:83", True, [f"{MODULES}/modules/service_sg/main.tf:50"])


def test_local_module_finding_without_an_argument_is_at_the_module(modules) -> None:
    # mixing inline and standalone rules is the module's own doing, and the module is local (its
    # files are the repository's, where a pull request changes them): the group inside the
    # module (modules/service_sg/main.tf:45), exact, the call (main.tf:72) related
    assert modules[("TFSG013", 'module.svc["blue"].aws_security_group.this')] == \
        (f"{MODULES}/modules/service_sg/main.tf:45", True, [f"{MODULES}/main.tf:72"])


def test_sarif_related_locations_and_exactness() -> None:
    sarif = _check(f"{MODULES}/plan.json", "sarif")
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]):
               r for r in sarif["runs"][0]["results"]}
    ssh = results[("TFSG008", 83)]
    assert ssh["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"{MODULES}/main.tf"
    assert ssh["properties"]["location-exact"] is True
    related = [(x["physicalLocation"]["artifactLocation"]["uri"], x["physicalLocation"]["region"]["startLine"],
                x["message"]["text"]) for x in ssh["relatedLocations"]]
    assert related[0] == (f"{MODULES}/modules/service_sg/main.tf", 50, "written here, inside the module")
    local = results[("TFSG013", 45)]
    assert local["properties"]["location-exact"] is True
    assert [(x["physicalLocation"]["artifactLocation"]["uri"], x["physicalLocation"]["region"]["startLine"],
             x["message"]["text"]) for x in local["relatedLocations"]][0] == \
        (f"{MODULES}/main.tf", 72, "the module call that makes it")


# ---------------------------------------------------------------- the text scan and the matching

BODY = '''resource "aws_security_group" "x" {
  name = "x { not a block"  # a brace in a string } and a comment {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    from_port   = "22"
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.1.2.3/16", "192.168.0.0/24"]
  }
  dynamic "egress" {
    for_each = var.egress
    content {
      from_port = egress.value
      to_port   = egress.value
      protocol  = "tcp"
    }
  }
  egress {
    from_port = 0
    to_port   = 0
    protocol  = "-1"
  }
}
'''


def _rule(direction: str, proto: str, lo: int, hi: int, cidr: str) -> Rule:
    return Rule("aws_security_group.x[0]", direction, services_for_rule(proto, lo, hi), Peer("cidr", cidr),
                "aws_security_group.x[0]", inline=True)


def test_text_sites_read_blocks_and_literals() -> None:
    sites = text_sites(BODY, "main.tf", 10)
    assert [(s.direction, s.location.line, s.dynamic) for s in sites] == \
        [("ingress", 12, False), ("ingress", 18, False), ("egress", 24, True), ("egress", 32, False)]
    assert sites[1].services == services_for_rule("tcp", 22, 22)
    assert sites[1].cidrs == frozenset({"10.1.0.0/16", "192.168.0.0/24"})  # normalised as the plan has them
    assert sites[2].services is None


def test_rules_matched_to_blocks() -> None:
    sites = {"aws_security_group.x": text_sites(BODY, "main.tf", 10)}
    ssh = _rule("ingress", "tcp", 22, 22, "10.1.0.0/16")
    https = _rule("ingress", "tcp", 443, 443, "10.0.0.0/8")
    stray = _rule("ingress", "tcp", 8080, 8080, "10.0.0.0/8")  # no block writes it: no site
    out = assign([ssh, https, stray], sites)
    assert out == {ssh: Location("main.tf", 18), https: Location("main.tf", 12)}


def test_ambiguous_rule_gets_no_site() -> None:
    # tcp 5432 to 10.0.0.0/8 may come from the dynamic block or... only it: the literal block is all
    sites = {"aws_security_group.x": text_sites(BODY, "main.tf", 10)}
    dyn = _rule("egress", "tcp", 5432, 5432, "10.0.0.0/8")
    everything = _rule("egress", "-1", 0, 0, "10.0.0.0/8")
    # the all-traffic block writes no CIDR, so both blocks could have written `everything`:
    # the literal block matches its services exactly and wins; the dynamic one has no literals
    assert assign([dyn, everything], sites) == {dyn: Location("main.tf", 24), everything: Location("main.tf", 32)}
    two_dynamic = text_sites(BODY.replace('  egress {\n    from_port = 0', '  dynamic "egress" {\n    from_port = 0'),
                             "main.tf", 10)
    assert assign([dyn], {"aws_security_group.x": two_dynamic}) == {}


def test_module_call_lines() -> None:
    text = open(f"{MODULES}/main.tf", encoding="utf-8").read()
    calls = text_calls(text, "main.tf")
    assert sorted(calls) == ["edge", "svc"]
    assert calls["svc"].location == Location("main.tf", 72)
    args = {name: lines for name, lines in calls["svc"].arguments}
    assert [loc.line for loc, _ in args["egress_rules"]] == [85, 86, 87, 88]
    assert "443" in args["egress_rules"][2][1] and "0.0.0.0/0" in args["egress_rules"][2][1]


def test_blocks_told_apart_by_the_group_they_name() -> None:
    body = '''resource "aws_security_group" "db" {
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.batch.id]
  }
}
'''
    sites = {"module.data.aws_security_group.db": text_sites(body, "m/main.tf", 1)}
    pg = services_for_rule("tcp", 5432, 5432)

    def rule(peer: str) -> Rule:
        return Rule("module.data.aws_security_group.db", "ingress", pg, Peer("group", peer),
                    "module.data.aws_security_group.db", inline=True)

    app, batch, other = rule("module.data.aws_security_group.app"), rule("module.data.aws_security_group.batch"), \
        rule("sg-0123456789abcdef0")
    # the same ports in both blocks: the referenced group tells them apart; an id no block names
    # could come from either (a variable), so it gets no site
    assert assign([app, batch, other], sites) == {app: Location("m/main.tf", 2), batch: Location("m/main.tf", 8)}


def test_every_inline_rule_of_the_fixtures_has_its_block() -> None:
    """Every inline rule of the fixtures is matched to its block (or its ``ingress = var.rules``
    attribute) but those no configuration writes: the ones the plan carries from the prior state
    (hcl_unmanaged: the configuration stopped managing them; gate_forgotten: a default group the
    configuration no longer holds, which AWS keeps), and the rule added in the console
    (gate_drift_standalone)."""
    import glob

    from tfsg.sources.plan import load_plan

    missing = set()
    for plan in sorted(glob.glob("fixtures/*/plan.json")):
        snap = load_plan(plan).after
        missing |= {(plan.split("/")[1], r.defined_by, r.direction, r.services.describe())
                    for r in snap.rules if r.inline and r not in snap.rule_locations}
    assert missing == {
        ("hcl_unmanaged", "aws_default_security_group.default", "egress", "all traffic"),
        ("hcl_unmanaged", "aws_security_group.web", "egress", "tcp 5432"),
        ("gate_drift_standalone", "aws_security_group.web", "ingress", "tcp 22"),
        ("gate_forgotten", "aws_default_security_group.default", "ingress", "tcp 22"),
    }


# ---------------------------------------------------------------- cases a new user wrote (HCL mode)

CASES = "tests/data/locations"


def test_several_rule_resources_behind_one_finding() -> None:
    """rule_resources/main.tf: mysql (3306, line 8) and mssql (1433, line 17) both admit the
    internet: the finding is at the first rule resource, the other related, not at the group."""
    found = _located(_check(f"{CASES}/rule_resources"))
    assert found[("TFSG002", "aws_security_group.g")] == \
        (f"{CASES}/rule_resources/main.tf:8", True, [f"{CASES}/rule_resources/main.tf:17"])


def test_module_argument_is_the_one_the_rule_reads() -> None:
    """module_args/main.tf: `module "app"` writes 0.0.0.0/0 for port 5432 (line 11) and as
    `ssh_cidr` (line 18); the module's SSH rule reads var.ssh_cidr with port 22 written inside
    the module: TFSG001 is at line 18, TFSG002 (5432) at line 11, TFSG005 at the 6379 rule's
    block (line 15; written 10.1.0.0/16: the provider refuses a host address such as
    10.1.2.3/16 in cidr_ipv4, and so does HCL mode)."""
    found = _located(_check(f"{CASES}/module_args"))
    app = "module.app.aws_security_group.this"
    assert found[("TFSG001", app)][:2] == (f"{CASES}/module_args/main.tf:18", True)
    assert found[("TFSG002", app)][:2] == (f"{CASES}/module_args/main.tf:11", True)
    assert found[("TFSG005", app)][:2] == (f"{CASES}/module_args/main.tf:15", True)
    assert found[("TFSG001", 'module.svc["blue"].aws_security_group.this')][:2] == \
        (f"{CASES}/module_args/main.tf:25", True)


def test_ipv6_blocks_are_told_apart_by_their_cidr() -> None:
    body = '''resource "aws_security_group" "x" {
  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    ipv6_cidr_blocks = ["2001:DB8:0:0::1/64"]
  }
  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
}
'''
    sites = {"aws_security_group.x": text_sites(body, "main.tf", 1)}
    https = services_for_rule("tcp", 443, 443)
    vpn = Rule("aws_security_group.x", "ingress", https, Peer("cidr", "2001:db8::/64"), "aws_security_group.x",
               inline=True)
    world = Rule("aws_security_group.x", "ingress", https, Peer("cidr", "::/0"), "aws_security_group.x", inline=True)
    # written with host bits and upper case, the plan's normalised 2001:db8::/64 is that block
    assert assign([vpn, world], sites) == {vpn: Location("main.tf", 2), world: Location("main.tf", 8)}


def test_a_rule_a_local_module_writes_itself_is_at_its_block(tmp_path) -> None:
    """A local module's SSH rule writes 0.0.0.0/0 as text; the call passes ``api_cidrs =
    ["0.0.0.0/0"]``, which feeds only a tag. TFSG001 is at the module's ingress block (mod/main.tf
    line 9), exact, the call (main.tf line 1) related: not at the argument that merely holds the
    same text."""
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text('''variable "vpc_id" { type = string }
variable "api_cidrs" { type = list(string) }

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"
  vpc_id      = var.vpc_id
  tags        = { Name = "bastion", Api = join(",", var.api_cidrs) }
  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
''')
    (tmp_path / "main.tf").write_text('''module "bastion" {
  source    = "./mod"
  vpc_id    = aws_vpc.v.id
  api_cidrs = ["0.0.0.0/0"]
}

resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
''')
    proc = subprocess.run([sys.executable, "-m", "tfsg", "check", ".", "--format", "json"], capture_output=True,
                          text=True, cwd=tmp_path)
    found = {f["policy"]: f for f in json.loads(proc.stdout)["findings"]}
    assert (found["TFSG001"]["location"], found["TFSG001"]["location_exact"]) == ("mod/main.tf:9", True)
    assert found["TFSG001"]["related_locations"][0] == "main.tf:1"
