"""The main acceptance test of HCL mode: the .tf sources of every plan fixture give the same
network as the plan, except what only a plan or apply can know.

Known, deliberate differences (asserted, not ignored):
- Plan JSON drops some values the sources have: ``each.value`` of a for_each over a local or a
  module output. A plan read *with* its sources (tfsg's default) evaluates them from the .tf
  files and matches HCL mode exactly; a plan alone (``--no-sources``) reports those rules as
  unknown, and every flow it lacks must come from exactly those rules.
- What only a plan or apply knows: an existing instance's public IP is in the plan (state);
  HCL mode infers it from the subnet, so the *reason* of an exposure may differ, never the
  exposure itself. A data source is read from AWS when planning; HCL mode says it cannot know.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import FIXTURES, flows, paths, run_tfsg, tfsg_json

CREATE = ["three_tier", "microservices_mesh", "module_dynamic", "vpc_rules", "traps", "hygiene",
          # issue 9's plan-input kinds (sensitive_rules differs by design until HCL mode marks
          # sensitive values structurally too: it shows a placeholder per text, not per value)
          "asg_dynamic_lt", "cross_account_refs", "default_group_attr", "no_sources_attach",
          "prefix_list_entries", "splat_sources", "unknown_scope",
          # HCL semantics (issue 11): schema types, null Optional+Computed arguments
          "hcl_types", "hcl_idioms",
          # YAML 1.2 numbers, one type per collection, partly known lists, deferred data sources;
          # launch templates, overrides and configurations
          "hcl_values", "engine_launch_templates",
          # seventh session: order-only functions over ids, names scoped per Region, Aurora clusters,
          # groups aggregated on resources in default subnets; managed public endpoints
          "hcl_order_index", "engine_region_scopes", "engine_cluster_aggregate", "engine_managed_public",
          "engine_beanstalk", "engine_overlapping_vpcs",
          # eighth session: routes between VPCs, Aurora Limitless shard groups, Classic Load
          # Balancer listener ports
          "engine_vpc_routes", "engine_shard_group", "engine_clb_listeners", "engine_nat_beyond",
          # twelfth session: the default group AWS makes with a VPC, the provider's default_tags
          "engine_vpc_default", "hcl_default_tags", "engine_prefix_lists_r12", "hcl_provider_data",
          "hcl_json_templates",
          # thirteenth session: Unicode (NFC, grapheme clusters), heredoc indentation, number keys
          "hcl_unicode_heredoc", "plan_module_number_index", "engine_unknown_prefix", "hcl_json_repeats",
          "engine_store_ports_served", "engine_partial_igw_routes", "engine_apigw_lambda", "policy_path_interfaces",
          "hcl_override_attr_blocks"]
UPDATE = ["tighten_cidr", "ssh_open", "new_path_to_db", "refactor_inline_to_rules",
          "refactor_inline_to_rules_emptied", "existing_rdp", "hcl_unmanaged"]


def _exposures(rows: list[dict]) -> set:
    return {(r["address"], r["kind"], r["protocol"], r["ports"], tuple(r.get("sources", ()))) for r in rows}


def _groups(result: dict) -> dict:
    return {g["address"]: (g["name"], tuple(g.get("attached", ()))) for g in result["groups"]}


@pytest.mark.parametrize("case", CREATE)
def test_sources_give_the_plans_network(case: str) -> None:
    """The plan (read with its sources, as tfsg does by default) and the sources alone agree."""
    plan = tfsg_json("show", str(FIXTURES / case / "plan.json"))
    hcl = tfsg_json("show", str(FIXTURES / case))
    assert hcl["input"]["kind"] == "hcl"
    assert _groups(hcl) == _groups(plan)
    assert _exposures(hcl["exposed"]) == _exposures(plan["exposed"])
    assert flows(hcl["flows"]) == flows(plan["flows"])
    assert paths(hcl["paths"]) == paths(plan["paths"])
    assert {(u["address"], u["attribute"]) for u in hcl["unknown"]} == \
        {(u["address"], u["attribute"]) for u in plan["unknown"]}


@pytest.mark.parametrize("case", CREATE)
def test_plan_json_alone_differs_only_where_it_says_unknown(case: str) -> None:
    """Without sources a plan leaves some values unknown (each.value over a local is not in plan
    JSON), or assumes conservatively (it merges the group references of all inline blocks into
    one list). Every flow that differs from the sources' answer comes from a resource the plan
    reports as unknown, with the reason."""
    bare = tfsg_json("show", str(FIXTURES / case / "plan.json"), "--no-sources")
    hcl = tfsg_json("show", str(FIXTURES / case))
    unknown_in_plan = {u["address"] for u in bare["unknown"]}
    # a membership the plan cannot read (each.value of a for_each over a local) moves the
    # members, and with them which groups a CIDR rule covers: every flow may differ then
    memberships_unknown = any(u["address"] not in {g["address"] for g in bare["groups"]} and
                              u["attribute"].endswith(("security_group_ids", "security_groups"))
                              for u in bare["unknown"])
    bare_rows = {(r["from"], r["to"], r["protocol"], r["ports"]): r for r in bare["flows"]}
    hcl_rows = {(r["from"], r["to"], r["protocol"], r["ports"]): r for r in hcl["flows"]}
    # rules behind each pair over all its ranges: a pair that one side has only through a rule the
    # plan cannot read may also carry ranges other rules grant (a CIDR holding the source)
    pair_rules: dict = {}
    for r in list(bare["flows"]) + list(hcl["flows"]):
        pair_rules.setdefault((r["from"], r["to"]), set()).update(r["defined_by"])
    # a table written with no routes is computed by the provider, so plan JSON alone marks its
    # routes unknown: tfsg then assumes a route between VPCs (fail closed), the sources know
    # there is none (sources/vpc_routes.py): only pairs across VPCs may differ that way
    vpc_of = {g["address"]: g["vpc_id"] for g in bare["groups"]}
    for key in set(bare_rows) ^ set(hcl_rows):
        row = bare_rows.get(key) or hcl_rows[key]
        across = key in bare_rows and vpc_of.get(key[0]) is not None and vpc_of.get(key[1]) is not None \
            and vpc_of[key[0]] != vpc_of[key[1]]
        assert pair_rules[key[:2]] & unknown_in_plan or memberships_unknown or across, row


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
