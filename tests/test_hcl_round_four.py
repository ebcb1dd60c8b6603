"""HCL against Terraform, round 4 (fixtures/hcl_round_four): expressions whose value Terraform
knows at plan, read in HCL mode (``tfsg show DIR``), in plan mode with the sources beside the plan,
and (item 1, item 7 and the rest) in plan mode with ``--no-sources``. Then three configurations
Terraform refuses, which HCL mode must refuse too (made in tmp_path, no plan).

Expected values are derived by hand from main.tf with Terraform's and AWS's rules; the values of
the expressions were checked with ``terraform console`` (Terraform 1.11.4, aws 5.100.0) and are
written in main.tf's comments:

[NULL]  Terraform docs, "Types and Values", null: "If you set an argument of a resource to null,
        Terraform behaves as though you had completely omitted it". ``var.public ? true : null``
        with var.public = false is null, not false. aws_instance docs: associate_public_ip_address
        is Optional (and Computed in the schema: the plan has ``after_unknown: true`` for it).
        EC2 user guide, "Public IPv4 addresses": an instance launched in a subnet whose public
        IPv4 addressing attribute (map_public_ip_on_launch) is true gets a public IPv4 address
        unless the launch says otherwise. So aws_instance.app is public, and its subnet routes
        0.0.0.0/0 to the internet gateway (explicit association): reachable on tcp 8080, the port
        its group admits from 0.0.0.0/0.
[TMPL]  Terraform docs, "Strings and Templates", strip markers, and HCL's scanner (a literal
        token ends at each newline, so ``~}`` consumes the rest of its own line and that newline
        only): console gives "cidrs:\\n  - 198.51.100.0/24\\n  - 0.0.0.0/0\\n"; "yamldecode
        Function": cidrs = ["198.51.100.0/24", "0.0.0.0/0"]. tmpl admits tcp 22 from both.
[HEREDOC] "Strings and Templates", "Indented Heredocs" (``<<-`` removes the indentation of the
        least-indented line) with ``%{~`` stripping its own line's indentation: that line is the
        least indented (0), nothing is removed; console gives "    port: 443\\n    cidrs:\\n
        - 10.0.0.0/8\\n      - 0.0.0.0/0\\n", a uniformly indented YAML mapping: heredoc admits
        tcp 443 from 10.0.0.0/8 and 0.0.0.0/0.
[SET]   "toset Function" (discards the ordering), "tolist Function" ("Since set elements are not
        ordered, the resulting list will have an undefined order that will be consistent within a
        particular run of Terraform"); go-cty orders a set of objects by hash. Console:
        tolist(toset([{443, 10.0.0.0/8}, {22, 0.0.0.0/0}])) = [{22, 0.0.0.0/0}, {443, 10.0.0.0/8}],
        so set_pick admits tcp 22 from 0.0.0.0/0 (the plan shows it). tfsg does not reproduce
        go-cty's hash order, so in HCL mode an explicit unknown on set_pick is acceptable too; a
        known wrong element (tcp 443 from 10.0.0.0/8) is not. Plan mode reads the planned value.
[FOREACH] "The for_each Meta-Argument": a map or a set of strings; the map made from the set is
        keyed by port, so set_each["22"] (tcp 22 from 0.0.0.0/0) and set_each["443"] (tcp 443
        from 10.0.0.0/8) both exist whatever the order.
[UNSET] aws_security_group_rule docs: ipv6_cidr_blocks is Optional (not Computed in the schema);
        base does not write it, so it is null at plan (the plan shows ``null``). "coalesce
        Function": the first argument that is not null or "": ["::/0"]. v6 admits tcp 22 from
        ::/0 (v6_ssh) and from 198.51.100.0/24 (base).
[BLOCKS] aws_security_group docs, ingress: a block's unwritten arguments take their defaults (the
        plan shows empty lists and self = false); ``dynamic "ingress"`` over
        aws_security_group.base_inline.ingress (known at plan: literals) makes copy's rules the
        same two: tcp 22 from 0.0.0.0/0 and tcp 443 from ::/0. Nothing about copy is unknown.
[CIDR]  "cidrhost Function": "this function interprets IPv4 address octets that have leading
        zeros as decimal numbers": cidrhost("010.0.0.0/8", 1) = "10.0.0.1". "cidrnetmask
        Function": the prefix "must be given in IPv4 CIDR notation"; console: cidrnetmask(
        "198.51.100.7") fails ("invalid CIDR address"), so "can Function" is false and the block
        is "198.51.100.7/32". cidr_fn admits tcp 22 from 10.0.0.1/32 and 198.51.100.7/32.
[ACCT]  EC2 API, UserIdGroupPair (UserId: the account of the referenced group) and the AWS
        provider, which splits a group id written "[UserID/]GroupID" (aws_security_group_rule's
        source_security_group_id, the v5 rule's referenced_security_group_id): both rules name
        aws_security_group.web, whatever the account written before the slash. web's egress
        allows all traffic to target's members: flows web -> target on tcp 5432 and tcp 3306.
        The group is named by the template; nothing about them is unknown.
[INET]  tfsg README, "How flows are computed": a group is reachable from the internet on what its
        rules admit from every public address of a family (0.0.0.0/0, ::/0); 198.51.100.0/24,
        10.0.0.0/8 and /32s are not the internet. Only aws_instance.app has a public address.
[NOEGR] aws_security_group docs: the provider removes AWS's default egress rule on create; only
        web writes egress (to target, by reference), and web has no members: no resource flows,
        no paths, and no group pairs made by the 10.0.0.0/8 blocks.
[POLICY] policies/baseline.yml: TFSG001 (22/3389 from the internet) on tmpl, set_pick, set_each,
        v6 (IPv6), base_inline and copy; TFSG002 (database ports from the internet) on none (5432
        and 3306 are admitted from web only); TFSG003 (all traffic) none; TFSG004 (22/3389 from a
        block wider than /24, the internet excepted) none: 198.51.100.0/24 is a /24 and the /8s
        admit 443; TFSG005 (database ports from wide blocks) none.
[REFUSE] Terraform refuses (terraform validate, Terraform 1.11.4): a resource declared twice
        ("Duplicate resource ... configuration", on the second declaration's file and line), a
        block type the schema does not have ("Unsupported block type ... ingres"), an argument an
        ingress block does not have ("Unsupported argument ... port"). tfsg README: an input error
        is exit 2 with one stderr line naming the file and the line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json


@pytest.fixture(autouse=True)
def _no_tf_var_environment(monkeypatch):
    """TF_VAR_* in the caller's environment would set root variables (HCL mode reads them)."""
    for name in list(os.environ):
        if name.startswith("TF_VAR_"):
            monkeypatch.delenv(name)


CASE = "hcl_round_four"
SG = "aws_security_group."
APP_SG, TMPL, HEREDOC = SG + "app", SG + "tmpl", SG + "heredoc"
SET_PICK, SET_EACH, V6 = SG + "set_pick", SG + "set_each", SG + "v6"
BASE_INLINE, COPY, CIDR_FN = SG + "base_inline", SG + "copy", SG + "cidr_fn"
TARGET, WEB = SG + "target", SG + "web"
APP = "aws_instance.app"
ANY4, ANY6 = "0.0.0.0/0", "::/0"
OFFICE = "198.51.100.0/24"
RULE_V5 = "aws_vpc_security_group_ingress_rule.target_from_web"
RULE_LEGACY = "aws_security_group_rule.target_from_web_legacy"

GROUPS = {APP_SG, TMPL, HEREDOC, SET_PICK, SET_EACH, V6, BASE_INLINE, COPY, CIDR_FN, TARGET, WEB}
MEMBERS = {g: set() for g in GROUPS} | {APP_SG: {APP}}

# every flow, group pairs written out (--expand); [NOEGR]
FLOWS = {
    (ANY4, APP_SG, "tcp", "8080"),  # [NULL]: the group's rule, whatever the instance's address
    (OFFICE, TMPL, "tcp", "22"), (ANY4, TMPL, "tcp", "22"),  # [TMPL]
    ("10.0.0.0/8", HEREDOC, "tcp", "443"), (ANY4, HEREDOC, "tcp", "443"),  # [HEREDOC]
    (ANY4, SET_PICK, "tcp", "22"),  # [SET]
    (ANY4, SET_EACH, "tcp", "22"), ("10.0.0.0/8", SET_EACH, "tcp", "443"),  # [FOREACH]
    (OFFICE, V6, "tcp", "22"), (ANY6, V6, "tcp", "22"),  # [UNSET]
    (ANY4, BASE_INLINE, "tcp", "22"), (ANY6, BASE_INLINE, "tcp", "443"),  # [BLOCKS]
    (ANY4, COPY, "tcp", "22"), (ANY6, COPY, "tcp", "443"),
    ("10.0.0.1/32", CIDR_FN, "tcp", "22"), ("198.51.100.7/32", CIDR_FN, "tcp", "22"),  # [CIDR]
    (WEB, TARGET, "tcp", "5432"), (WEB, TARGET, "tcp", "3306"),  # [ACCT]
}
WRONG_SET_PICK = ("10.0.0.0/8", SET_PICK, "tcp", "443")  # the element in the order written

# what makes the flows that standalone rule resources write
DEFINED_BY = {
    (ANY4, SET_EACH, "tcp", "22"): ['aws_security_group_rule.set_each["22"]'],
    ("10.0.0.0/8", SET_EACH, "tcp", "443"): ['aws_security_group_rule.set_each["443"]'],
    (OFFICE, V6, "tcp", "22"): ["aws_security_group_rule.base"],
    (ANY6, V6, "tcp", "22"): ["aws_security_group_rule.v6_ssh"],
    # a pair's flow is made by both sides: web's inline egress (the group) and target's rule
    (WEB, TARGET, "tcp", "5432"): [WEB, RULE_V5],
    (WEB, TARGET, "tcp", "3306"): [WEB, RULE_LEGACY],
}

# (address, kind, protocol, ports, family, sources) -> via [INET]
EXPOSED = {
    (APP, "resource", "tcp", "8080", "ipv4", (ANY4,)): [APP_SG],  # [NULL]
    (APP_SG, "group", "tcp", "8080", None, (ANY4,)): [APP_SG],
    (TMPL, "group", "tcp", "22", None, (ANY4,)): [TMPL],
    (HEREDOC, "group", "tcp", "443", None, (ANY4,)): [HEREDOC],
    (SET_PICK, "group", "tcp", "22", None, (ANY4,)): [SET_PICK],
    (SET_EACH, "group", "tcp", "22", None, (ANY4,)): [SET_EACH],
    (V6, "group", "tcp", "22", None, (ANY6,)): [V6],
    (BASE_INLINE, "group", "tcp", "22", None, (ANY4,)): [BASE_INLINE],
    (BASE_INLINE, "group", "tcp", "443", None, (ANY6,)): [BASE_INLINE],
    (COPY, "group", "tcp", "22", None, (ANY4,)): [COPY],
    (COPY, "group", "tcp", "443", None, (ANY6,)): [COPY],
}


def _flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]}


def _exposed(r: dict) -> dict[tuple, list[str]]:
    return {(e["address"], e["kind"], e["protocol"], e["ports"], e.get("family"), tuple(e["sources"])): e["via"]
            for e in r["exposed"]}


def _members(r: dict) -> dict[str, set[str]]:
    return {g["address"]: set(g["attached"]) for g in r["groups"]}


def _hcl() -> dict:
    return tfsg_json("show", str(FIXTURES / CASE))


def _plan() -> dict:
    return tfsg_json("show", plan(CASE))


def _plan_no_sources() -> dict:
    return tfsg_json("show", plan(CASE), "--no-sources")


def _set_pick_known(r: dict) -> bool:
    """[SET] HCL mode: the right element, or an explicit unknown on set_pick, never the wrong one.
    Returns True when tfsg knows the element (then it must be the right one)."""
    flows = _flows(r)
    assert WRONG_SET_PICK not in flows, "tolist(set of objects)[0] taken in the order written"
    into = {f for f in flows if f[1] == SET_PICK}
    unknown = [u for u in r["unknown"] if u["address"] == SET_PICK]
    if into:
        assert into == {(ANY4, SET_PICK, "tcp", "22")}, into
        assert not unknown, unknown
        return True
    assert unknown, "set_pick has no rule and no unknown: a silent miss"
    return False


def _check(r: dict, set_pick_may_be_unknown: bool = False, unknown_ok: frozenset[str] = frozenset()) -> None:
    """Everything exact; ``unknown_ok``: addresses whose unknowns another test judges."""
    assert _members(r) == MEMBERS
    flows, exposed = FLOWS, dict(EXPOSED)
    if set_pick_may_be_unknown and not _set_pick_known(r):
        flows = FLOWS - {(ANY4, SET_PICK, "tcp", "22")}
        del exposed[(SET_PICK, "group", "tcp", "22", None, (ANY4,))]
        unknown_ok = unknown_ok | {SET_PICK}
    assert _flows(r) == flows
    for f in r["flows"]:
        key = (f["from"], f["to"], f["protocol"], f["ports"])
        if key in DEFINED_BY:
            assert f["defined_by"] == DEFINED_BY[key], f
    assert _exposed(r) == exposed
    assert r["resource_flows"] == [] and r["paths"] == []  # [NOEGR]
    assert [u for u in r["unknown"] if u["address"] not in unknown_ok] == []


def test_the_plan_holds_terraform_values():
    """What Terraform planned, which the hand derivation above predicts."""
    p = json.loads(Path(plan(CASE)).read_text())
    rc = {r["address"]: r["change"] for r in p["resource_changes"]}
    # [NULL] null, so computed by the provider; the plan's configuration names only var.public
    assert "associate_public_ip_address" not in rc[APP]["after"]
    assert rc[APP]["after_unknown"]["associate_public_ip_address"] is True
    assert rc["aws_subnet.public"]["after"]["map_public_ip_on_launch"] is True
    conf = {r["address"]: r for r in p["configuration"]["root_module"]["resources"]}
    assert conf[APP]["expressions"]["associate_public_ip_address"] == {"references": ["var.public"]}
    assert p["variables"]["public"]["value"] is False

    def ingress(address):
        return [(b["protocol"], b["from_port"], b["to_port"], b["cidr_blocks"], b["ipv6_cidr_blocks"])
                for b in rc[address]["after"]["ingress"]]

    assert ingress(TMPL) == [("tcp", 22, 22, [OFFICE, ANY4], [])]  # [TMPL]
    assert ingress(HEREDOC) == [("tcp", 443, 443, ["10.0.0.0/8", ANY4], [])]  # [HEREDOC]
    assert ingress(SET_PICK) == [("tcp", 22, 22, [ANY4], [])]  # [SET]
    assert ingress(COPY) == ingress(BASE_INLINE) == [("tcp", 22, 22, [ANY4], []), ("tcp", 443, 443, [], [ANY6])]
    assert ingress(CIDR_FN) == [("tcp", 22, 22, ["10.0.0.1/32"], []), ("tcp", 22, 22, ["198.51.100.7/32"], [])]
    assert rc["aws_security_group_rule.base"]["after"]["ipv6_cidr_blocks"] is None  # [UNSET]
    assert rc["aws_security_group_rule.v6_ssh"]["after"]["ipv6_cidr_blocks"] == [ANY6]
    assert {a for a in rc if a.startswith("aws_security_group_rule.set_each")} == {
        'aws_security_group_rule.set_each["22"]', 'aws_security_group_rule.set_each["443"]'}
    # [ACCT] the group ids are known only after apply: plan JSON has no value for either rule
    assert rc[RULE_V5]["after_unknown"]["referenced_security_group_id"] is True
    assert rc[RULE_LEGACY]["after_unknown"]["source_security_group_id"] is True


def test_sources_alone():
    _check(_hcl(), set_pick_may_be_unknown=True)


def test_plan_with_its_sources():
    r = _plan()
    assert r["input"]["sources"], "the .tf files beside the plan are read"
    _check(r, unknown_ok=frozenset({SET_PICK}))  # set_pick's unknowns: the next test


def test_plan_with_its_sources_set_pick_is_not_unknown():
    """[SET] Terraform evaluated tolist(set)[0] at plan: the plan's ``after.ingress`` of set_pick
    is known (after_unknown cidr_blocks [false]); nothing about it is unknown in plan mode."""
    r = _plan()
    assert (ANY4, SET_PICK, "tcp", "22") in _flows(r)
    assert [u for u in r["unknown"] if u["address"] == SET_PICK] == []


def test_app_is_public_in_hcl_mode_and_beside_its_sources():
    """[NULL] item 1 on its own, so that a failure names it."""
    for r in (_hcl(), _plan()):
        rows = {k for k in _exposed(r) if k[0] == APP}
        assert rows == {(APP, "resource", "tcp", "8080", "ipv4", (ANY4,))}
        assert not [u for u in r["unknown"] if u["address"] == APP]


def test_no_sources_app_is_not_silently_private():
    """[NULL] from plan JSON alone the conditional cannot be read (the configuration records only
    its reference to var.public, whose value false is NOT the argument's value): tfsg must either
    find the instance reachable or say that something about it is unknown; never neither."""
    r = _plan_no_sources()
    assert r["input"].get("sources_note")
    rows = {k for k in _exposed(r) if k[0] == APP}
    unknown = [u for u in r["unknown"] if u["address"] == APP]
    assert rows == {(APP, "resource", "tcp", "8080", "ipv4", (ANY4,))} or (not rows and unknown), (rows, r["unknown"])


def test_no_sources_everything_else():
    """Items 2-7 from plan JSON alone: every value but the two account-qualified group ids is in
    the plan's ``after``, and those two are templates over references the plan's configuration
    lists ([ACCT]); the only unknown allowed is about aws_instance.app (item 1)."""
    r = _plan_no_sources()
    assert _members(r) == MEMBERS
    assert _flows(r) == FLOWS
    assert {k: v for k, v in _exposed(r).items() if k[0] != APP} == {k: v for k, v in EXPOSED.items() if k[0] != APP}
    # the legacy rule's unknown: test_account_qualified_group_ids[plan --no-sources]
    assert [u for u in r["unknown"] if u["address"] not in (APP, RULE_LEGACY)] == []
    assert r["resource_flows"] == [] and r["paths"] == []


@pytest.mark.parametrize("mode", ["hcl", "plan", "plan --no-sources"])
def test_account_qualified_group_ids(mode):
    """[ACCT] web -> target on 5432 and 3306, each from its rule, and no unknown about them."""
    r = {"hcl": _hcl, "plan": _plan, "plan --no-sources": _plan_no_sources}[mode]()
    rows = {(f["from"], f["to"], f["protocol"], f["ports"]): f["defined_by"] for f in r["flows"]
            if TARGET in (f["from"], f["to"]) or WEB in (f["from"], f["to"])}
    assert rows == {(WEB, TARGET, "tcp", "5432"): [WEB, RULE_V5], (WEB, TARGET, "tcp", "3306"): [WEB, RULE_LEGACY]}
    involved = {TARGET, WEB, RULE_V5, RULE_LEGACY}
    assert [u for u in r["unknown"] if u["address"] in involved or any(a in u["reason"] for a in involved)] == []
    assert not any("123456789012" in u["reason"] or "owner_id" in u["reason"] for u in r["unknown"])


def _findings(target: str, *extra: str) -> list[dict]:
    proc = run_tfsg("check", target, *extra, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()  # TFSG001 is critical: blocking
    return json.loads(proc.stdout)["findings"]


def _internet_findings(findings: list[dict]) -> set[tuple]:
    return {(f["policy"], f["address"],
             tuple((s["protocol"], s["ports"]) for s in f["evidence"]["services"]),
             tuple(f["evidence"]["sources"]), tuple(f["evidence"].get("exposed_resources", [])))
            for f in findings
            if f["policy"] in ("TFSG001", "TFSG002", "TFSG003", "TFSG004", "TFSG005") and f["status"] == "violation"}


EXPECTED_INTERNET_FINDINGS = {  # [POLICY]
    ("TFSG001", TMPL, (("tcp", "22"),), (ANY4,), ()),
    ("TFSG001", SET_PICK, (("tcp", "22"),), (ANY4,), ()),
    ("TFSG001", SET_EACH, (("tcp", "22"),), (ANY4,), ()),
    ("TFSG001", V6, (("tcp", "22"),), (ANY6,), ()),
    ("TFSG001", BASE_INLINE, (("tcp", "22"),), (ANY4,), ()),
    ("TFSG001", COPY, (("tcp", "22"),), (ANY4,), ()),
}


def test_findings_from_the_sources():
    findings = _findings(str(FIXTURES / CASE))
    found = _internet_findings(findings)
    if not _set_pick_known(_hcl()):  # [SET] the explicit unknown: a warning, not a violation
        assert found == {f for f in EXPECTED_INTERNET_FINDINGS if f[1] != SET_PICK}
        assert any(f["policy"] == "TFSG001" and f["address"] == SET_PICK and f["status"] == "warning"
                   for f in findings), "the gate is told that set_pick's rule is unknown"
    else:
        assert found == EXPECTED_INTERNET_FINDINGS


def test_findings_from_the_plan():
    assert _internet_findings(_findings(plan(CASE))) == EXPECTED_INTERNET_FINDINGS


def test_findings_from_the_plan_without_sources():
    assert _internet_findings(_findings(plan(CASE), "--no-sources")) == EXPECTED_INTERNET_FINDINGS


# ---- configurations Terraform refuses [REFUSE]

SSH_GROUP = """resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "ssh from anywhere"

  ingress {
    description = "ssh"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""

REFUSED = {
    # Terraform: "Duplicate resource "aws_security_group" configuration", on b.tf line 3
    "duplicate": ({"a.tf": SSH_GROUP,
                   "b.tf": "# the same address again: Terraform refuses the configuration\n\n"
                           'resource "aws_security_group" "ssh" {\n'
                           '  name        = "ssh"\n'
                           '  description = "nothing admitted"\n'
                           "}\n"},
                  "b.tf", 3, "aws_security_group"),
    # Terraform: "Unsupported block type", on main.tf line 4: Blocks of type "ingres" are not expected here
    "misspelt block": ({"main.tf": SSH_GROUP.replace('\n\n  ingress {', '\n  ingres {')}, "main.tf", 4, "ingres"),
    # Terraform: "Unsupported argument", on main.tf line 10: An argument named "port" is not expected here
    "unknown argument": ({"main.tf": SSH_GROUP.replace("    to_port     = 22\n",
                                                       "    to_port     = 22\n    port        = 22\n")},
                         "main.tf", 10, "port"),
    # Terraform: "Incorrect attribute value type", on main.tf line 10: Inappropriate value for attribute
    # "cidr_blocks": list of string required (a string written for a list)
    "string for a list": ({"main.tf": SSH_GROUP.replace('["0.0.0.0/0"]', '"0.0.0.0/0"')}, "main.tf", 10,
                          "cidr_blocks"),
    # Terraform: the same for a port that is no number ("a number is required")
    "word for a number": ({"main.tf": SSH_GROUP.replace("from_port   = 22", 'from_port   = "ssh"')}, "main.tf", 8,
                          "from_port"),
    # Terraform: "Inappropriate value for attribute "cidr_ipv4": string required" (a list for a string)
    "list for a string": ({"main.tf": SSH_GROUP + '''
resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.ssh.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = ["0.0.0.0/0"]
}
'''}, "main.tf", 19, "cidr_ipv4"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
@pytest.mark.parametrize("command", ["show", "check"])
def test_configurations_terraform_refuses(tmp_path, name, command):
    files, bad_file, line, word = REFUSED[name]
    (tmp_path / "providers.tf").write_text((FIXTURES / CASE / "providers.tf").read_text())
    for fname, text in files.items():
        (tmp_path / fname).write_text(text)
    lines = (tmp_path / bad_file).read_text().splitlines()
    assert word in lines[line - 1] or (name == "duplicate" and lines[line - 1].startswith("resource")), lines
    proc = run_tfsg(command, str(tmp_path))
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err, proc.stdout.decode()[:800])
    assert proc.stdout == b""
    assert "Traceback" not in err
    out = err.strip().splitlines()
    assert len(out) == 1, err
    assert re.search(rf"\b{re.escape(bad_file)}:{line}\b", out[0]), out[0]
    assert word in out[0], out[0]
