"""A configuration in Terraform's JSON syntax (fixtures/engine_json_syntax) and filters that tfsg does
not evaluate (fixtures/verdict_filters).

Expected values are read from the configurations by hand, with these sources:

[JSON]  Terraform docs, "JSON Configuration Syntax": a `.tf.json` file holds the same constructs as
        a `.tf` file; "When a JSON string is encountered in a location where arbitrary
        expressions are expected, its value is first parsed as a string template", so
        `"${aws_security_group.db-sg_1A2B3C4D.id}"` is a template whose only part is that
        reference: its value is the reference's value (the group's id). A property named "//"
        in the root object or a block body is a comment. Plan JSON (`terraform show -json`,
        configuration representation) cannot evaluate JSON syntax statically: it records such an
        argument as `constant_value` (the template text) with its `references` (checked below in
        the fixture's plan). CDK for Terraform synthesizes exactly this (`cdk.tf.json`, construct
        names with a hash suffix).
[REF]   VPC user guide, "Security group rules": a rule naming a group (source_security_group_id)
        admits the network interfaces in that group; a flow needs the sender's egress and the
        receiver's ingress. An `aws_security_group_rule` belongs to its `security_group_id`.
[PUB]   VPC user guide, "Subnets": map_public_ip_on_launch gives instances launched in the subnet
        a public IPv4 address; the subnet is public when its route table sends 0.0.0.0/0 to an
        internet gateway. An aws_db_instance is not publicly accessible by default
        (publicly_accessible = false, RDS API CreateDBInstance) and its subnets here route
        nowhere outside the VPC: it has no public address.
[BASE]  The baseline pack (policies/baseline.yml): TFSG001 critical, tcp 22/3389 from the
        internet; TFSG002 critical, database ports (5432) from the internet; TFSG007 critical,
        the data tier (groups attached to aws_db_instance) reached from the internet through a
        resource that is itself internet-facing, a finding on the data store. Blocking: high and
        above (default --fail-on); on a create plan every finding is introduced; TFSG020 needs a
        data store that existed before (none on a create plan).
[NACL]  VPC user guide, "Control subnet traffic with network access control lists": a NACL is a
        stateless filter on the subnet's traffic, what no rule allows is denied.
[BPA]   VPC user guide, "Block public access to VPCs and subnets": internet gateway block mode
        "block-ingress" drops inbound internet traffic through the Region's internet gateways;
        "off" blocks nothing.
[TFSG]  README, "How flows are computed": network ACLs and VPC Block Public Access are not
        modelled; they are filters in front of the groups, so tfsg may report as reachable what
        they drop (fail closed), never the reverse, and the output says so when the input holds
        them (`input.filters_note`, the "Filters:" line under the verdict/heading).
[PL]    ELB user guide, "Security groups for your Network Load Balancer": with
        enforce_security_group_inbound_rules_on_private_link_traffic "off" the load balancer's
        inbound rules are not evaluated for traffic sent through AWS PrivateLink; an endpoint
        service with allowed_principals ["*"] and acceptance_required false lets any account
        connect: who reaches the NLB is not said by any group (an unknown on the load balancer
        naming the endpoint service).
[NLB]   ELB user guide, "Target groups for your Network Load Balancers": instance targets
        preserve the client IP; a target admitting the NLB's group admits what it forwards
        (README, "Load balancers are hops").
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import FIXTURES, exposures, flows, paths, plan, run_tfsg, tfsg_json, validate_report

# ------------------------------------------------------------------------------- engine_json_syntax

JS = "engine_json_syntax"
WEB_SG = "aws_security_group.web-sg_8F3A2B1C"
DB_SG = "aws_security_group.db-sg_1A2B3C4D"
WEB = "aws_instance.web_3C4D5E6F"
DB = "aws_db_instance.db_1E2F3A4B"
R_FROM_WEB = "aws_security_group_rule.db-from-web_5E6F7A8B"
R_WORLD = "aws_security_group_rule.db-world_9C0D1E2F"
V4 = "0.0.0.0/0"


def _groups(r: dict) -> set[tuple]:
    return {(g["address"], g["name"], g["vpc_id"], g["description"], tuple(g["attached"])) for g in r["groups"]}


def _resource_flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]}


def _check_json_syntax(r: dict) -> None:
    # [JSON] the templates are the references: each group is in its VPC, holds its member
    assert _groups(r) == {
        (WEB_SG, "web-sg", "aws_vpc.main_0A1B2C3D", "web servers", (WEB,)),
        (DB_SG, "db-sg", "aws_vpc.main_0A1B2C3D", "application database", (DB,))}
    # [REF] both rule resources belong to db-sg (security_group_id is a one-interpolation
    # template); the first admits web-sg, the second the IPv4 internet. web-sg's inline blocks,
    # written as a JSON list with every attribute set, are its rules.
    assert flows(r["flows"]) == {
        (V4, WEB_SG, "tcp", "22"),
        (WEB_SG, V4, "all", "all"),
        (V4, DB_SG, "tcp", "5432"),
        (WEB_SG, DB_SG, "tcp", "5432")}
    by_key = {(f["from"], f["to"]): f["defined_by"] for f in r["flows"]}
    assert by_key[(V4, WEB_SG)] == [WEB_SG]
    assert by_key[(WEB_SG, V4)] == [WEB_SG]
    assert by_key[(V4, DB_SG)] == [R_WORLD]
    assert R_FROM_WEB in by_key[(WEB_SG, DB_SG)]
    assert r["cidr_flows"] == []
    # [PUB] web has a public IPv4 address in a routed subnet; db has none, its group is open
    assert exposures(r["exposed"]) == {
        (WEB, "resource", "tcp", "22"),
        (WEB_SG, "group", "tcp", "22"),
        (DB_SG, "group", "tcp", "5432")}
    assert {(e["address"], e.get("family"), tuple(e["sources"])) for e in r["exposed"] if e["kind"] == "resource"} \
        == {(WEB, "ipv4", (V4,))}
    # [REF] web (all egress) opens connections to db on the port db-sg admits
    assert _resource_flows(r) == {(WEB, DB, "tcp", "5432")}
    assert paths(r["paths"]) == {("internet", WEB, DB)}
    path = r["paths"][0]
    assert [(h["from"], h["to"], h["services"]) for h in path["hops"]] == [
        ("internet", WEB, [{"protocol": "tcp", "ports": "22"}]),
        (WEB, DB, [{"protocol": "tcp", "ports": "5432"}])]
    assert r["unknown"] == []


def test_json_syntax_plan_records_templates_as_constants_with_references():
    """The fixture's premise [JSON]: plan JSON keeps the template text and its references."""
    doc = json.loads(Path(plan(JS)).read_text())
    rules = {res["address"]: res["expressions"] for res in doc["configuration"]["root_module"]["resources"]}
    sgid = rules[R_FROM_WEB]["security_group_id"]
    assert sgid["constant_value"] == "${aws_security_group.db-sg_1A2B3C4D.id}"
    assert "aws_security_group.db-sg_1A2B3C4D.id" in sgid["references"]
    src = rules[R_FROM_WEB]["source_security_group_id"]
    assert src["constant_value"] == "${aws_security_group.web-sg_8F3A2B1C.id}"
    assert "aws_security_group.web-sg_8F3A2B1C.id" in src["references"]
    # no native-syntax file in the fixture: cdk.tf.json alone
    assert sorted(p.name for p in (FIXTURES / JS).iterdir() if p.name != "plan.json") == ["cdk.tf.json"]


def test_json_syntax_plan_with_sources():
    r = tfsg_json("show", plan(JS))
    # the sources beside the plan are found: cdk.tf.json is a configuration file
    assert r["input"]["sources"] == str(Path("fixtures") / JS)
    assert "sources_note" not in r["input"]
    _check_json_syntax(r)


def test_json_syntax_plan_without_sources():
    """--no-sources: the references the plan records for each template suffice."""
    r = tfsg_json("show", plan(JS), "--no-sources")
    assert r["input"]["sources_note"].startswith("Sources: not read (--no-sources)")
    _check_json_syntax(r)


def test_json_syntax_hcl_mode():
    """HCL mode on the directory: cdk.tf.json is the root module."""
    r = tfsg_json("show", str(FIXTURES / JS))
    _check_json_syntax(r)


def test_json_syntax_text_finds_the_sources():
    proc = run_tfsg("show", plan(JS))
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode()
    assert "Sources: not found beside the plan" not in text
    assert "Sources:" not in text


def _blocking(r: dict) -> set[tuple[str, str]]:
    return {(f["policy"], f["address"]) for f in r["findings"] if f["blocking"]}


def test_json_syntax_check():
    """[BASE] SSH and PostgreSQL from the internet, and the database one public host away."""
    for target in (plan(JS), str(FIXTURES / JS)):
        proc = run_tfsg("check", target, "--format", "json")
        assert proc.returncode == 1, proc.stderr.decode()
        r = json.loads(proc.stdout)
        validate_report(r)
        assert _blocking(r) == {("TFSG001", WEB_SG), ("TFSG002", DB_SG), ("TFSG007", DB)}
        assert all(f["introduced"] for f in r["findings"] if f["blocking"])
        # [REF] the rule resource that admits 0.0.0.0/0 on db-sg is what TFSG002 names; the
        # reference rule admits a group, not the internet
        tfsg002 = next(f for f in r["findings"] if f["policy"] == "TFSG002")
        assert tfsg002["evidence"]["defined_by"] == [R_WORLD]
        assert tfsg002["evidence"]["sources"] == [V4]
        tfsg001 = next(f for f in r["findings"] if f["policy"] == "TFSG001")
        assert tfsg001["evidence"]["defined_by"] == [WEB_SG]
        assert tfsg001["evidence"]["exposed_resources"] == [WEB]


def _line(name: str) -> int:
    """The line of cdk.tf.json that declares the resource `name` (its `"name": {` property): where
    Terraform's own diagnostics place a JSON block (hcl's JSON syntax: a block's range is its body
    object's opening brace, on that line here)."""
    lines = (FIXTURES / JS / "cdk.tf.json").read_text().splitlines()
    found = [i for i, line in enumerate(lines, 1) if line.strip() == f'"{name}": {{']
    assert len(found) == 1, name
    return found[0]


_WHERE = f"fixtures/{JS}/cdk.tf.json"


def test_json_syntax_locations_hcl_mode():
    """README, The JSON contract: `locations` maps each resource to its file:line, and a finding's
    `location` is what grants the access (a rule resource). In cdk.tf.json the resources are the
    objects of their names, not line 1 (the file's opening brace)."""
    r = tfsg_json("show", str(FIXTURES / JS))
    assert r["locations"][DB_SG] == f"{_WHERE}:{_line('db-sg_1A2B3C4D')}"
    assert r["locations"][R_WORLD] == f"{_WHERE}:{_line('db-world_9C0D1E2F')}"
    proc = run_tfsg("check", str(FIXTURES / JS), "--format", "json")
    tfsg002 = next(f for f in json.loads(proc.stdout)["findings"] if f["policy"] == "TFSG002")
    assert tfsg002["location"] == f"{_WHERE}:{_line('db-world_9C0D1E2F')}"


def test_json_syntax_locations_plan_with_sources():
    """README: `locations` holds resource address -> file:line "when sources were read"; the plan
    mode with its sources beside it reads cdk.tf.json (input.sources), so it locates as HCL mode does."""
    r = tfsg_json("show", plan(JS))
    assert r["locations"][DB_SG] == f"{_WHERE}:{_line('db-sg_1A2B3C4D')}"
    assert r["locations"][R_WORLD] == f"{_WHERE}:{_line('db-world_9C0D1E2F')}"
    proc = run_tfsg("check", plan(JS), "--format", "json")
    tfsg002 = next(f for f in json.loads(proc.stdout)["findings"] if f["policy"] == "TFSG002")
    assert tfsg002["location"] == f"{_WHERE}:{_line('db-world_9C0D1E2F')}"


# ------------------------------------------------------------------------------- verdict_filters

VF = "verdict_filters"
SSH, SSH_SG = "aws_instance.ssh", "aws_security_group.ssh"
NLB, APP = "aws_lb.nlb", "aws_instance.app"
SVC = "aws_vpc_endpoint_service.svc"
ACL, BPA = "aws_network_acl.public", "aws_vpc_block_public_access_options.region"
_ADDRESS = re.compile(r"\baws_[a-z0-9_]+\.[A-Za-z0-9_-]+")


def _named(note: str) -> list[str]:
    """Resource addresses a note names, in the order it names them."""
    return _ADDRESS.findall(note)


def _check_filters(r: dict) -> None:
    # [TFSG][NACL][BPA] both filters named, sorted by address
    note = r["input"]["filters_note"]
    assert note.startswith("Filters:")
    assert _named(note) == [ACL, BPA]
    # [TFSG] not evaluated: the instance is still reported reachable on tcp 22 (fail closed)
    assert exposures(r["exposed"]) == {(SSH, "resource", "tcp", "22"), (SSH_SG, "group", "tcp", "22")}
    # [PL] the NLB's group does not filter PrivateLink traffic: an unknown naming the service
    assert [(u["address"], u["attribute"]) for u in r["unknown"]] == \
        [(NLB, "enforce_security_group_inbound_rules_on_private_link_traffic")]
    assert SVC in r["unknown"][0]["reason"]
    # [NLB] ssh reaches the NLB (its group admits the VPC), the NLB forwards tcp 443 to app
    assert _resource_flows(r) == {(SSH, NLB, "tcp", "443"), (NLB, APP, "tcp", "443")}
    assert paths(r["paths"]) == {("internet", SSH, NLB), ("internet", SSH, NLB, APP)}


def test_filters_plan():
    r = tfsg_json("show", plan(VF))
    _check_filters(r)


def test_filters_hcl_mode():
    r = tfsg_json("show", str(FIXTURES / VF))
    _check_filters(r)
    assert r["input"]["filters_note"] == tfsg_json("show", plan(VF))["input"]["filters_note"]


def test_filters_text_and_markdown():
    proc = run_tfsg("show", plan(VF))
    assert proc.returncode == 0, proc.stderr.decode()
    lines = [line for line in proc.stdout.decode().splitlines() if line.startswith("Filters:")]
    assert len(lines) == 1 and _named(lines[0]) == [ACL, BPA]
    # [BASE] SSH from the internet blocks; the comment carries the note too
    proc = run_tfsg("check", plan(VF), "--format", "markdown")
    assert proc.returncode == 1, proc.stderr.decode()
    markdown = proc.stdout.decode()
    assert "Filters:" in markdown
    assert ACL in markdown and BPA in markdown
    proc = run_tfsg("check", plan(VF))
    assert proc.returncode == 1
    assert any(line.startswith("Filters:") for line in proc.stdout.decode().splitlines())


def _variant(tmp_path: Path, filters: str | None) -> dict:
    """The fixture's configuration in tmp_path with filters.tf replaced (None: left out), HCL mode."""
    for name in ("main.tf", "providers.tf"):
        shutil.copy(FIXTURES / VF / name, tmp_path / name)
    if filters is not None:
        (tmp_path / "filters.tf").write_text(filters)
    return tfsg_json("show", str(tmp_path))


def test_filters_control_without_filters(tmp_path):
    """No NACL and no Block Public Access: no note, the same exposures."""
    r = _variant(tmp_path, None)
    assert "filters_note" not in r["input"] or r["input"]["filters_note"] is None
    assert exposures(r["exposed"]) == {(SSH, "resource", "tcp", "22"), (SSH_SG, "group", "tcp", "22")}


def test_filters_block_public_access_off_is_not_named(tmp_path):
    """[BPA] mode "off" filters nothing: only the NACL is named; alone, nothing is."""
    filters = (FIXTURES / VF / "filters.tf").read_text()
    mode = 'internet_gateway_block_mode = "block-ingress"'
    assert filters.count(mode) == 1
    off = 'internet_gateway_block_mode = "off"'
    r = _variant(tmp_path, filters.replace(mode, off))
    assert _named(r["input"]["filters_note"]) == [ACL]
    bpa_only = filters[filters.index('resource "aws_vpc_block_public_access_options"'):]
    assert "aws_network_acl" not in bpa_only
    r = _variant(tmp_path, bpa_only.replace(mode, off))
    assert "filters_note" not in r["input"] or r["input"]["filters_note"] is None
    r = _variant(tmp_path, bpa_only)
    assert _named(r["input"]["filters_note"]) == [BPA]
