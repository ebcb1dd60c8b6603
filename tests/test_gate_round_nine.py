"""Ninth session's update plans (moto: <case>/before/ applied, <case>/*.tf planned against it):
a route the side before could only assume, an entry resource deleted from a prefix list, and a
default group adopted with no rules while two instances sit in it.

Expected values are read from each fixture's before/main.tf and main.tf by hand, with AWS's and
the provider's documented behaviour:

[MAIN]   VPC user guide, "Route tables": every VPC comes with a main route table, which AWS makes
         with the local route only; a subnet uses the table it is associated with (explicitly,
         here). gate_route_known_now's before side associates the subnet with that main table by
         id (aws_vpc.v.main_route_table_id) and adds no route to it: no route to the internet
         gateway, so the internet does not reach web, whatever its group admits.
[IGW]    VPC user guide, "Enable internet access for a VPC using an internet gateway": an
         instance with a public IPv4 address in a subnet whose table sends 0.0.0.0/0 to an
         internet gateway is reachable from the internet on what its groups admit. Changing an
         association's route_table_id is an in-place update (ReplaceRouteTableAssociation).
[PL]     VPC user guide, "Managed prefix lists": a rule that references a customer-managed prefix
         list admits the list's CIDR blocks, and changes to the list's entries apply to the
         rules that reference it. Deleting the aws_ec2_managed_prefix_list_entry for 0.0.0.0/0
         removes that entry (ModifyManagedPrefixList RemoveEntries); the list's refreshed
         `entry` in the plan is what AWS held before the apply.
[DEFSG]  VPC user guide, "Default security groups for your VPCs": AWS makes the default group
         with inbound all traffic from the group itself and outbound all traffic to 0.0.0.0/0
         (::/0 only with IPv6). Provider docs, aws_default_security_group: "When Terraform
         first adopts the default security group, it immediately removes all ingress and egress
         rules in the Security Group. It then creates any rules specified in the configuration."
[GATE]   README, "The gate": TFSG001 (critical) is about the group; a finding that existed is
         introduced again when the change makes it reach more (evidence.grown: "now routed to the
         internet" for a route the side before only assumed, now known; README, changelog of the
         contract, ninth session); a finding the change removes is listed under `resolved`.
         Default --fail-on is high.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, flows, plan, run_tfsg, tfsg_json, validate_report

SSH = "aws_security_group.ssh"
WEB = "aws_instance.web"
WORKER = "aws_instance.worker"
DEFAULT = "aws_default_security_group.default"


def _plan_json(case: str) -> dict:
    with open(plan(case)) as f:
        return json.load(f)


def _change(p: dict, address: str) -> dict:
    [rc] = [rc for rc in p["resource_changes"] if rc["address"] == address]
    return rc["change"]


def _diff(case: str) -> dict:
    return tfsg_json("diff", plan(case), compact=True)


def _check(case: str) -> tuple[int, dict]:
    proc = run_tfsg("check", plan(case), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _rows(rows: list[dict], kind: str) -> set[tuple[str, str, str]]:
    return {(e["address"], e["protocol"], e["ports"]) for e in rows if e["kind"] == kind}


def _violations(r: dict, policy: str) -> list[dict]:
    return [f for f in r["findings"] if f["policy"] == policy and f["status"] == "violation"]


# --------------------------------------------------------------------------- gate_route_known_now

KNOWN = "gate_route_known_now"


def test_route_known_now_plan_is_what_the_fixture_says():
    """The plan itself (not tfsg): the association is updated in place from the VPC's main
    table (the id read back on aws_vpc.v) to aws_route_table.pub; everything else is no-op."""
    p = _plan_json(KNOWN)
    actions = {rc["address"]: rc["change"]["actions"] for rc in p["resource_changes"]}
    assert actions.pop("aws_route_table_association.pub") == ["update"]
    assert set(map(tuple, actions.values())) == {("no-op",)}
    assoc = _change(p, "aws_route_table_association.pub")
    vpc = _change(p, "aws_vpc.v")["after"]
    table = _change(p, "aws_route_table.pub")["after"]
    assert assoc["before"]["route_table_id"] == vpc["main_route_table_id"]
    assert assoc["after"]["route_table_id"] == table["id"] != vpc["main_route_table_id"]
    assert _change(p, WEB)["after"]["public_ip"]  # public: its subnet maps one on launch


def test_route_known_now_diff_web_newly_reachable_on_ssh():
    """[MAIN][IGW] No rule changes: no flow added or removed. Before, web's subnet used the main
    table (local route only): not reachable. After, its table routes the internet to the gateway:
    web is newly reachable on tcp 22. The group admitted 0.0.0.0/0 on 22 on both sides, so no
    group row changes; nothing stops being reachable."""
    r = _diff(KNOWN)
    assert r["added"] == [] and r["removed"] == []
    assert _rows(r["newly_exposed"], "resource") == {(WEB, "tcp", "22")}
    assert _rows(r["newly_exposed"], "group") == set()
    assert r["no_longer_exposed"] == []


def test_route_known_now_check_blocks_on_tfsg001_grown():
    """[GATE][MAIN][IGW] TFSG001 on ssh existed (the group admits the world on 22) and now
    reaches web through a route that is known: introduced, critical, blocking, exit 1; its
    evidence names web as reachable and as now routed to the internet. Nothing else blocks: the
    other baseline policies judge rules, groups and members, which the change leaves alone."""
    code, r = _check(KNOWN)
    assert code == 1
    found = _violations(r, "TFSG001")
    assert [(f["address"], f["severity"], f["introduced"], f["blocking"]) for f in found] == \
        [(SSH, "critical", True, True)]
    evidence = found[0]["evidence"]
    assert evidence["exposed_resources"] == [WEB]
    assert "now routed to the internet: aws_instance.web" in evidence["grown"]
    assert {(f["policy"], f["address"]) for f in r["findings"] if f["blocking"]} == {("TFSG001", SSH)}


# --------------------------------------------------------------------------- gate_prefix_entry_deleted

ENTRY = "gate_prefix_entry_deleted"


def test_prefix_entry_deleted_plan_is_what_the_fixture_says():
    """The plan itself: the 0.0.0.0/0 entry resource is deleted, the 10.0.0.0/8 one stays; the
    list's refreshed `entry` (before and after) still holds both [PL]."""
    p = _plan_json(ENTRY)
    assert _change(p, "aws_ec2_managed_prefix_list_entry.world")["actions"] == ["delete"]
    assert _change(p, "aws_ec2_managed_prefix_list_entry.world")["before"]["cidr"] == "0.0.0.0/0"
    assert _change(p, "aws_ec2_managed_prefix_list_entry.corp")["actions"] == ["no-op"]
    listed = _change(p, "aws_ec2_managed_prefix_list.admins")
    assert sorted(e["cidr"] for e in listed["after"]["entry"]) == ["0.0.0.0/0", "10.0.0.0/8"]
    assert _change(p, SSH)["actions"] == ["no-op"]


def test_prefix_entry_deleted_diff_ssh_no_longer_exposed():
    """[PL][IGW] After the apply the list holds 10.0.0.0/8 only: ssh admits no public address on
    tcp 22, so web and the group itself are no longer reachable from the internet on tcp 22;
    nothing becomes reachable."""
    r = _diff(ENTRY)
    assert _rows(r["no_longer_exposed"], "resource") == {(WEB, "tcp", "22")}
    assert _rows(r["no_longer_exposed"], "group") == {(SSH, "tcp", "22")}
    assert r["newly_exposed"] == []


def test_prefix_entry_deleted_check_resolves_tfsg001():
    """[GATE][PL] TFSG001 on ssh is resolved and no TFSG001 finding remains (in any status).
    What may remain (SSH from 10.0.0.0/8, TFSG004) is medium, under the default fail-on high:
    nothing blocks, exit 0."""
    code, r = _check(ENTRY)
    assert [f for f in r["findings"] if f["policy"] == "TFSG001"] == []
    assert ("TFSG001", SSH) in {(x["policy"], x["address"]) for x in r["resolved"]}
    assert [f for f in r["findings"] if f["blocking"]] == []
    assert code == 0


# --------------------------------------------------------------------------- gate_default_adopt_members

ADOPT = "gate_default_adopt_members"


def test_default_adopt_members_plan_is_what_the_fixture_says():
    """The plan itself: the adoption is a create with ingress and egress unknown (no blocks:
    Optional+Computed); web and worker are no-op and name the VPC's default group by id."""
    p = _plan_json(ADOPT)
    adopt = _change(p, DEFAULT)
    assert adopt["actions"] == ["create"]
    assert adopt["after_unknown"]["ingress"] is True and adopt["after_unknown"]["egress"] is True
    default_id = _change(p, "aws_vpc.v")["after"]["default_security_group_id"]
    for inst in (WEB, WORKER):
        assert _change(p, inst)["actions"] == ["no-op"]
        assert _change(p, inst)["after"]["vpc_security_group_ids"] == [default_id]


def test_default_adopt_members_removes_the_members_flows():
    """[DEFSG] Before: web and worker, both in the default group, reach each other on all traffic
    (its self rule admits the group, its egress allows 0.0.0.0/0). The adoption revokes both
    rules and writes none: each way is removed, nothing added."""
    r = _diff(ADOPT)
    assert flows(r["resource_flows_removed"]) == {(WEB, WORKER, "all", "all"), (WORKER, WEB, "all", "all")}
    assert r["resource_flows_added"] == []


def test_default_adopt_members_removes_the_groups_flows():
    """[DEFSG] The group-level flows of AWS's default rules are removed: the group to itself (all
    traffic, self) and the group to 0.0.0.0/0 (all traffic). Nothing is added, no CIDR-derived row
    changes, and nothing was or becomes reachable from the internet (private subnet, no inbound
    rule from an address)."""
    r = _diff(ADOPT)
    assert flows(r["removed"]) == {(DEFAULT, DEFAULT, "all", "all"), (DEFAULT, "0.0.0.0/0", "all", "all")}
    assert r["added"] == []
    assert r["cidr_added"] == [] and r["cidr_removed"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []
    assert r["summary"]["reachability_changed"] is True


def test_default_adopt_members_check_passes():
    """[DEFSG][GATE] After the apply the default group has no rules: it restricts all traffic
    (no TFSG011 violation on it), and the change adds no flow, so nothing is introduced at or
    above high: exit 0."""
    code, r = _check(ADOPT)
    assert [f for f in _violations(r, "TFSG011") if f["address"] == DEFAULT] == []
    assert [f for f in r["findings"] if f["blocking"]] == []
    assert code == 0


# HCL mode (--base): the same change read from the .tf files, and a variant that keeps the self
# rule but writes no egress block.


def _repo(tmp_path: Path, base: dict[str, str], head: dict[str, str]) -> Path:
    """A git repository whose HEAD holds ``base`` in infra/; the work tree holds ``head``."""
    repo = tmp_path / "repo"
    infra = repo / "infra"
    infra.mkdir(parents=True)
    for name, text in base.items():
        (infra / name).write_text(text)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    for name in base:
        (infra / name).unlink()
    for name, text in head.items():
        (infra / name).write_text(text)
    return repo


def _hcl_diff(tmp_path: Path, head_main: str | None = None) -> dict:
    case = FIXTURES / ADOPT
    base = {f.name: f.read_text() for f in (case / "before").glob("*.tf")}
    head = {f.name: f.read_text() for f in case.glob("*.tf")}
    if head_main is not None:
        head["main.tf"] = head_main
    repo = _repo(tmp_path, base, head)
    proc = run_tfsg("diff", "infra", "--base", "HEAD", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return r


def _self_only_main() -> str:
    """main.tf with the adoption writing AWS's self rule (all traffic from the group itself) and
    no egress block."""
    main = (FIXTURES / ADOPT / "main.tf").read_text()
    anchor = 'resource "aws_default_security_group" "default" {\n  vpc_id = aws_vpc.v.id\n'
    assert main.count(anchor) == 1
    return main.replace(anchor, anchor + (
        "\n  ingress {\n    protocol  = \"-1\"\n    self      = true\n    from_port = 0\n"
        "    to_port   = 0\n  }\n"))


# "fixture": the fixture's own before/ and main.tf, read as .tf files. "self_only": the adoption
# keeps the self rule but writes no egress block; the provider revokes both default rules and
# creates only the self rule [DEFSG], so the group admits its members but lets them send nothing
# (no egress rule at all): the same flows go as in the fixture.
VARIANTS = {"fixture": lambda: None, "self_only": _self_only_main}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_default_adopt_hcl_mode_removes_the_groups_flows(tmp_path, variant):
    """[DEFSG] The group to itself and the group to 0.0.0.0/0 (all traffic) are removed, nothing
    is added, in both variants."""
    r = _hcl_diff(tmp_path, VARIANTS[variant]())
    assert flows(r["removed"]) == {(DEFAULT, DEFAULT, "all", "all"), (DEFAULT, "0.0.0.0/0", "all", "all")}
    assert r["added"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_default_adopt_hcl_mode_removes_the_members_flows(tmp_path, variant):
    """[DEFSG] web <-> worker (all traffic, each way) is removed, as in the plan; nothing added.
    At the base, aws_vpc.v.default_security_group_id (an id HCL mode never knows) is the group AWS
    made with the VPC, the very group the head's aws_default_security_group adopts."""
    r = _hcl_diff(tmp_path, VARIANTS[variant]())
    assert flows(r["resource_flows_removed"]) == {(WEB, WORKER, "all", "all"), (WORKER, WEB, "all", "all")}
    assert r["resource_flows_added"] == []
