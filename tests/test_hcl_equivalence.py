"""The main acceptance test of HCL mode: the .tf sources of every plan fixture give the same
network as the plan, except what only a plan or apply can know.

Known, deliberate differences (asserted, not ignored):
- HCL mode knows more where plan JSON drops a value: ``each.value`` of a for_each over a local or
  a module output is not recorded in plan JSON, so the plan reports those rules as unknown; HCL
  mode evaluates them. Such extra flows must come from exactly the rules the plan calls unknown.
- An existing instance's public IP is in the plan (state); HCL mode infers it from the subnet,
  so the *reason* of an exposure may differ, never the exposure itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import FIXTURES, flows, paths, run_tfsg, tfsg_json

CREATE = ["three_tier", "microservices_mesh", "module_dynamic", "vpc_rules", "traps", "hygiene"]
UPDATE = ["tighten_cidr", "ssh_open", "new_path_to_db", "refactor_inline_to_rules",
          "refactor_inline_to_rules_emptied", "existing_rdp"]


def _exposures(rows: list[dict]) -> set:
    return {(r["address"], r["kind"], r["protocol"], r["ports"], tuple(r.get("sources", ()))) for r in rows}


def _groups(result: dict) -> dict:
    return {g["address"]: (g["name"], tuple(g.get("attached", ()))) for g in result["groups"]}


@pytest.mark.parametrize("case", CREATE)
def test_sources_give_the_plans_network(case: str) -> None:
    plan = tfsg_json("show", str(FIXTURES / case / "plan.json"))
    hcl = tfsg_json("show", str(FIXTURES / case))
    assert hcl["input"]["kind"] == "hcl"
    assert _groups(hcl) == _groups(plan)
    assert _exposures(hcl["exposed"]) == _exposures(plan["exposed"])
    plan_flows, hcl_flows = flows(plan["flows"]), flows(hcl["flows"])
    assert plan_flows <= hcl_flows
    # Every flow only HCL mode sees comes from a rule the plan could not resolve.
    unknown_in_plan = {u["address"] for u in plan["unknown"]}
    for row in hcl["flows"]:
        if (row["from"], row["to"], row["protocol"], row["ports"]) not in plan_flows:
            assert set(row["defined_by"]) & unknown_in_plan, row
    # ... and HCL mode resolves every one of those (no unknowns the plan did not have).
    plan_unknown_attrs = {(u["address"], u["attribute"]) for u in plan["unknown"]}
    assert {(u["address"], u["attribute"]) for u in hcl["unknown"]} <= plan_unknown_attrs
    assert paths(plan["paths"]) <= paths(hcl["paths"])


def test_extra_knowledge_is_exact_where_the_plan_says_unknown() -> None:
    """microservices_mesh: for_each over a local built with setproduct(); the plan cannot tell
    which sidecar group each control-plane rule names. From the .tf: every service's group
    (auth, inventory, orders, payments) reaches mesh_control on 15010-15011, and mesh_control
    reaches each sidecar on 15001."""
    hcl = flows(tfsg_json("show", str(FIXTURES / "microservices_mesh"))["flows"])
    for svc in ("auth", "inventory", "orders", "payments"):
        assert (f"aws_security_group.{svc}", "aws_security_group.mesh_control", "tcp", "15010-15011") in hcl
        assert ("aws_security_group.mesh_control", f"aws_security_group.{svc}", "tcp", "15001") in hcl


def _git_repo(tmp_path, case: str):
    """A repository whose HEAD holds the case's before/ sources; the work tree holds the change."""
    src = FIXTURES / case
    stack = tmp_path / "stack"
    stack.mkdir()
    for f in (src / "before").glob("*.tf"):
        shutil.copy(f, stack)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "before")
    for f in stack.glob("*.tf"):
        f.unlink()
    for f in src.glob("*.tf"):
        shutil.copy(f, stack)
    return stack


def _change(result: dict) -> dict:
    return {
        "added": flows(result["added"]), "removed": flows(result["removed"]),
        "newly_exposed": _exposures(result["newly_exposed"]),
        "no_longer_exposed": _exposures(result["no_longer_exposed"]),
        "paths_added": paths(result["paths_added"]), "paths_removed": paths(result["paths_removed"]),
        "exposure_changes": sorted(json.dumps(e, sort_keys=True) for e in result["exposure_changes"]),
    }


@pytest.mark.parametrize("case", UPDATE)
def test_base_revision_gives_the_plans_diff(tmp_path, case: str) -> None:
    stack = _git_repo(tmp_path, case)
    plan = tfsg_json("diff", str(FIXTURES / case / "plan.json"))
    hcl = tfsg_json("diff", str(stack), "--base", "HEAD")
    assert hcl["input"]["base"] == "HEAD"
    assert _change(hcl) == _change(plan)


@pytest.mark.parametrize("case", ["ssh_open", "tighten_cidr"])
def test_check_with_base_gates_like_the_plan(tmp_path, case: str) -> None:
    stack = _git_repo(tmp_path, case)
    by_plan = run_tfsg("check", str(FIXTURES / case / "plan.json"), "--format", "json")
    by_hcl = run_tfsg("check", str(stack), "--base", "HEAD", "--format", "json")
    assert by_hcl.returncode == by_plan.returncode

    def blocking(proc):
        return {(f["policy"], f["address"]) for f in json.loads(proc.stdout)["findings"] if f["blocking"]}

    assert blocking(by_hcl) == blocking(by_plan)
