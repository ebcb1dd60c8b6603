"""Launch template versions and the Auto Scaling groups that launch them (fixtures/gate_launch_versions).

Update plan made against moto: four ASGs in a public subnet, each with its own launch template
and groups; the change edits only the templates' vpc_security_group_ids. Expected values are
read from before/main.tf and main.tf by hand, with these rules:

[LTVER]  Terraform aws_launch_template: updating the resource creates a new version of the
         template; `update_default_version` ("Whether to update Default Version each update")
         is not set, so the default version stays 1 (the plan shows default_version 1 -> 1).
         EC2 user guide, "Modify a launch template (manage launch template versions)".
[ASGVER] Terraform aws_autoscaling_group, launch_template.version: "Template version. Can be
         version number, $Latest, or $Default. (Default: $Default)". The ASG launches that
         version; no ASG changes here (each is no-op in the plan).
[RUN]    EC2 RunInstances reads the template when it launches; an instance keeps the groups it
         was launched with (changing a template changes no running instance, and none of these
         ASGs has an instance refresh). So the ASG, which stands for its instances, is in the
         groups of the version it runs and of the version it will launch.
[MAPIP]  VPC user guide, "Auto-assign public IPv4 address" (map_public_ip_on_launch) and
         "Internet gateways" (0.0.0.0/0 -> igw): every instance here is reachable on what its
         groups admit from 0.0.0.0/0.
[GROW]   README, "The gate": an existing finding is introduced again when the change makes it
         reach more (a resource newly reachable on its services: evidence.grown).

  a  no version ($Default = 1): [a_app 8001, a_ssh 22] -> [a_app]: version 1 still launches and
     the running instance is in a_ssh: reachable on 8001 and 22, before and after.
  b  "1": [b_app 8002] -> [b_app, b_wide 2201]: version 2 launches nothing: 8002 only.
  c  "$Latest": [c_app 8003] -> [c_app, c_rdp 3389]: the next instance launches in c_rdp:
     newly reachable on 3389; TFSG001 on c_rdp (existing, with no member) is introduced (grown).
  d  "$Latest": [d_app 8004, d_wide 2203] -> [d_app]: the running instance keeps d_wide:
     reachable on 8004 and 2203, before and after.
No group's rules change, so no flow is added or removed.
"""

from __future__ import annotations

import json

from conftest import exposures, plan, run_tfsg, tfsg_json, validate_report

CASE = "gate_launch_versions"
ASG = {c: f"aws_autoscaling_group.{c}" for c in "abcd"}
SG = "aws_security_group."

# [ASGVER][RUN][MAPIP] what the internet reaches on each ASG after the change: tcp ports
AFTER = {"a": {"8001", "22"}, "b": {"8002"}, "c": {"8003", "3389"}, "d": {"8004", "2203"}}


def _diff() -> dict:
    return tfsg_json("diff", plan(CASE))


def _show_ports(r: dict, address: str) -> set[str]:
    rows = [e for e in r["exposed"] if e["address"] == address and e["kind"] == "resource"]
    assert all(e["protocol"] == "tcp" and e["sources"] == ["0.0.0.0/0"] for e in rows), rows
    return {e["ports"] for e in rows}


def _rows_of(rows: list[dict], address: str) -> set[tuple[str, str, str, str]]:
    return {x for x in exposures(rows) if x[0] == address}


def _check() -> tuple[int, dict]:
    proc = run_tfsg("check", plan(CASE), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def test_no_rule_changes():
    r = _diff()
    assert r["added"] == [] and r["removed"] == [] and r["revoked"] == []


def test_a_default_version_keeps_ssh():
    """[LTVER][ASGVER][RUN] the ASG names no version: $Default is still version 1, in a_ssh."""
    r = _diff()
    assert _rows_of(r["no_longer_exposed"], ASG["a"]) == set()
    assert _rows_of(r["newly_exposed"], ASG["a"]) == set()
    assert _show_ports(tfsg_json("show", plan(CASE)), ASG["a"]) == AFTER["a"]


def test_b_pinned_version_ignores_the_widened_template():
    """[ASGVER] version "1": the new version 2 (with b_wide) launches nothing."""
    r = _diff()
    assert _rows_of(r["newly_exposed"], ASG["b"]) == set()
    assert not [e for e in r["newly_exposed"] if e["ports"] == "2201"]
    assert _show_ports(tfsg_json("show", plan(CASE)), ASG["b"]) == AFTER["b"]


def test_c_latest_takes_the_widened_template():
    """[ASGVER] "$Latest": the next instance launches from version 2, in c_rdp."""
    r = _diff()
    assert exposures(r["newly_exposed"]) == {(ASG["c"], "resource", "tcp", "3389")}
    row = next(e for e in r["newly_exposed"] if e["address"] == ASG["c"])
    assert SG + "c_rdp" in row["via"] and row["sources"] == ["0.0.0.0/0"] and row["family"] == "ipv4"
    assert _show_ports(tfsg_json("show", plan(CASE)), ASG["c"]) == AFTER["c"]


def test_d_latest_narrowed_keeps_the_running_instance_exposed():
    """[RUN] "$Latest" without d_wide: new instances leave it out, the running one is in it."""
    r = _diff()
    assert _rows_of(r["no_longer_exposed"], ASG["d"]) == set()
    assert _show_ports(tfsg_json("show", plan(CASE)), ASG["d"]) == AFTER["d"]


def test_nothing_is_no_longer_exposed():
    """[RUN] narrowing a template (a, d) closes nothing that runs."""
    assert _diff()["no_longer_exposed"] == []


def test_check_blocks_on_the_latest_asg_only():
    """[GROW] TFSG001 on c_rdp grows to ASG c (introduced, blocking); a_ssh's stays existing and
    still reaches ASG a; nothing the change does to b (or a, or d) introduces a finding."""
    code, r = _check()
    assert code == 1
    tfsg001 = sorted((f["address"], f["introduced"]) for f in r["findings"] if f["policy"] == "TFSG001")
    assert tfsg001 == [(SG + "a_ssh", False), (SG + "c_rdp", True)]
    c = next(f for f in r["findings"] if f["policy"] == "TFSG001" and f["address"] == SG + "c_rdp")
    assert c["blocking"] and c["evidence"]["exposed_resources"] == [ASG["c"]]
    assert c["evidence"]["grown"] == f"now reachable: {ASG['c']}"
    a = next(f for f in r["findings"] if f["policy"] == "TFSG001" and f["address"] == SG + "a_ssh")
    assert a["evidence"]["exposed_resources"] == [ASG["a"]]
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]
    introduced = sorted((f["policy"], f["address"]) for f in r["findings"]
                        if f["introduced"] and f["status"] == "violation")
    assert introduced == [("TFSG001", SG + "c_rdp")]
    assert [(f["policy"], f["address"]) for f in r["findings"] if f["blocking"]] == [("TFSG001", SG + "c_rdp")]


def test_check_reports_nothing_new_for_the_pinned_asg():
    """[ASGVER] b: no introduced finding names ASG b, its template or its groups."""
    _, r = _check()
    b = {ASG["b"], SG + "b_app", SG + "b_wide", "aws_launch_template.b"}
    for f in r["findings"]:
        if f["introduced"]:
            assert f["address"] not in b, f
            assert not b.intersection(f["evidence"].get("exposed_resources") or []), f
