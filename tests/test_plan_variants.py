"""Odd but legal shapes of the same real plan: OpenTofu, older format versions, no
resource_changes, a state. The base is the real three_tier plan, changed in memory only where a
Terraform version we cannot run here would differ (REFERENCE A.1, A.2, A.9)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import flows, plan, run_tfsg, validate_report

ALB, WEB, DB = "aws_security_group.alb", "aws_security_group.web", "aws_security_group.db"
CORE = {(ALB, WEB, "tcp", "8080"), (WEB, DB, "tcp", "3306"), ("0.0.0.0/0", ALB, "tcp", "443")}


def run_json(tmp_path, doc: dict, command: str = "show", *extra: str) -> dict:
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(doc))
    proc = run_tfsg(command, str(f), "--format", "json", "--source",
                    str(__import__("pathlib").Path(plan("three_tier")).parent), *extra)
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    return result


def base() -> dict:
    return json.loads(open(plan("three_tier")).read())


def test_opentofu_shape(tmp_path):
    doc = base()
    for key in ("applyable", "complete"):
        doc.pop(key, None)
    text = json.dumps(doc).replace("registry.terraform.io/hashicorp/aws", "registry.opentofu.org/hashicorp/aws")
    r = run_json(tmp_path, json.loads(text))
    assert CORE <= flows(r["flows"])


def test_format_versions_0x_and_1x(tmp_path):
    for version in ("0.1", "0.2", "1.0", "1.1", "1.2", "1.9"):
        doc = base()
        doc["format_version"] = version
        assert CORE <= flows(run_json(tmp_path, doc)["flows"]), version


def test_without_resource_changes_uses_planned_values(tmp_path):
    doc = base()
    del doc["resource_changes"]
    r = run_json(tmp_path, doc)
    # planned_values omits what is unknown; the configuration still names the groups
    assert CORE <= flows(r["flows"])


def test_state_show_and_diff(tmp_path):
    # `terraform show -json` of the state three_tier left (planned_values omits what is unknown,
    # and a state holds every attribute: tfsg refuses one that lacks them)
    state = json.loads((Path(plan("three_tier")).parent.parent / "state_three_tier" / "state.json").read_text())
    r = run_json(tmp_path, state, "show")
    assert r["input"]["kind"] == "state"
    d = run_json(tmp_path, state, "diff")
    assert d["summary"]["reachability_changed"] is False
    assert "nothing to compare" in d["note"]


def test_older_provider_nulls_are_read(tmp_path):
    """AWS provider 2.x/3.x (Terraform 0.12-0.13 plans, as in terraform-compliance's and
    checkov's test plans) planned Optional arguments such as ``name_prefix`` as null."""
    doc = base()
    for rc in doc["resource_changes"]:
        if rc["type"] == "aws_security_group" and isinstance(rc["change"].get("after"), dict):
            rc["change"]["after"]["name_prefix"] = None
    assert CORE <= flows(run_json(tmp_path, doc)["flows"])


def test_drift_without_address_and_an_empty_no_op_are_read(tmp_path):
    """Terraform 1.0.0 wrote ``resource_drift`` entries without ``address`` (fixed in
    hashicorp/terraform#28975) and a no-op with ``before`` and ``after`` null for an object
    refresh found deleted: nothing to read there, and the plan is valid."""
    doc = base()
    doc["format_version"] = "0.2"
    doc["resource_drift"] = [{"mode": "managed", "type": "aws_security_group", "name": "gone",
                              "provider_name": "registry.terraform.io/hashicorp/aws",
                              "change": {"actions": ["delete"], "before": {"id": "sg-1"}, "after": None}}]
    doc["resource_changes"].append({"address": "aws_lambda_permission.gone", "mode": "managed",
                                    "type": "aws_lambda_permission", "name": "gone",
                                    "provider_name": "registry.terraform.io/hashicorp/aws",
                                    "change": {"actions": ["no-op"], "before": None, "after": None, "after_unknown": {},
                                               "before_sensitive": False, "after_sensitive": False}})
    assert CORE <= flows(run_json(tmp_path, doc)["flows"])


def test_refresh_only_plan_keeps_the_refreshed_network():
    """A real -refresh-only plan (fixtures/refresh_only: no resource_changes, planned_values
    empty): applying it changes nothing in AWS, so RDP open to the internet stays, as an
    existing finding; nothing is removed or resolved."""
    proc = run_tfsg("check", plan("refresh_only"), "--format", "json", "--fail-on-existing")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    assert r["removed"] == [] and r["no_longer_exposed"] == [] and r["resolved"] == []
    tfsg001 = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert [(f["address"], f["introduced"]) for f in tfsg001] == [("aws_security_group.rdp", False)]
