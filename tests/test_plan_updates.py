"""Update plans whose `before` values make the plan say more than its configuration does
(issue 9, items 6 and 7). Each fixture is a real plan: `before/` applied to moto, then the case
root planned against it (fixtures/regen.sh). Every expected value below is derived by hand from
the fixture's .tf files, the AWS provider documentation of `aws_security_group` ("NOTE on
Security Groups and Security Group Rules": inline rules and rule resources on one group conflict
and overwrite each other) and AWS's security-group documentation, never from tfsg's output.
No assertion depends on a moto id (sg-..., sgr-..., i-...), which change on every regeneration.

replaced_group / replaced_group_widened: the app group's `name` changes, so Terraform replaces it
(["delete","create"]; the widened variant uses create_before_destroy, so ["create","delete"]).
Three other resources refer to it: db's inline ingress (`security_groups`), the standalone
`aws_security_group_rule.cache_from_app` (`source_security_group_id`, replaced too) and
`aws_instance.app`. The cache group does not manage `ingress`, so its refreshed `ingress`, in
`before` and in `after` alike, still holds the rule of cache_from_app with the OLD app id: that
copy belongs to the replaced group (it is the rule the replaced cache_from_app made), not to a
group outside the plan.

revoke_standalone (hashicorp/terraform#27674): the configuration is the one `before/` applied.
Refresh reads each group's rules from AWS, standalone ones included, so the group's planned
inline list revokes the rule its standalone resource made, while that resource is no-op: this
apply removes the flow, the apply after it adds it back.
  (a) api: `ingress = []` + aws_security_group_rule.api_https (tcp 443 from 0.0.0.0/0)
  (b) web: one inline ingress (tcp 80 from 203.0.113.0/24) + aws_security_group_rule.web_alt
      (tcp 8443 from 198.51.100.0/24)
  (c) worker: `egress = []` + aws_vpc_security_group_egress_rule.worker_https (tcp 443 to 0.0.0.0/0)
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, exposures, flows, plan, run_tfsg, tfsg_json, validate_report

SG = "aws_security_group."
APP, DB, CACHE = SG + "app", SG + "db", SG + "cache"
API, WEB, WORKER = SG + "api", SG + "web", SG + "worker"

# With the .tf sources beside the plan, and from the plan alone: both must give the same answer
# here, since the plan's `configuration` holds every reference (db has a single ingress block)
# and the explicit empty lists (`"ingress": {"constant_value": []}`).
SOURCES = pytest.mark.parametrize("src", [(), ("--no-sources",)], ids=["sources", "no-sources"])


def check(*args: str, cwd: Path) -> tuple[int, dict]:
    proc = run_tfsg("check", *args, "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    return proc.returncode, result


def git_stack(tmp_path: Path, case: str) -> Path:
    """A repository whose HEAD holds the case's before/ sources and whose work tree holds the
    case's own .tf files (HCL mode with --base HEAD)."""
    stack = tmp_path / "repo" / "stack"
    stack.mkdir(parents=True)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(stack.parent), *args], check=True, capture_output=True)

    for f in (FIXTURES / case / "before").glob("*.tf"):
        shutil.copy(f, stack)
    git("init", "-q")
    git("add", ".")
    git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "before")
    for f in stack.glob("*.tf"):
        f.unlink()
    for f in (FIXTURES / case).glob("*.tf"):
        shutil.copy(f, stack)
    return stack


def violations(result: dict, policy: str) -> dict[str, dict]:
    return {f["address"]: f for f in result["findings"]
            if f["policy"] == policy and f["status"] == "violation"}


# ------------------------------------------------------------------ replaced_group (item 6)

# The network before and after, identical (the replacement keeps every rule):
REPLACED_FLOWS = {
    ("192.168.10.0/24", APP, "tcp", "8080"),  # app's inline ingress (office network, outside the VPC)
    (APP, "0.0.0.0/0", "all", "all"),  # app's inline egress: protocol -1 to 0.0.0.0/0
    # db's inline ingress names app; app's egress 0.0.0.0/0 covers db (its VPC 10.0.0.0/16)
    (APP, DB, "tcp", "5432"),
    # cache_from_app names app; the same egress covers cache
    (APP, CACHE, "tcp", "6379"),
}


@SOURCES
def test_renamed_group_with_identical_rules_leaves_reachability_unchanged(src):
    r = tfsg_json("diff", plan("replaced_group"), *src)
    # every flow before is a flow after: the references that still carry the old id (the db
    # ingress and the cache rule in `before`, the cache group's refreshed copy in `after`) are
    # the replaced group's, and the unknown new id in `after` is the same group
    assert r["added"] == [] and r["removed"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []
    assert r["paths_added"] == [] and r["paths_removed"] == []
    # cache still admits the 1 member (aws_instance.app) of 1 group (app): no count changes
    assert r["exposure_changes"] == []
    s = r["summary"]
    assert s["reachability_changed"] is False
    assert (s["added"], s["removed"], s["newly_exposed"], s["no_longer_exposed"]) == (0, 0, 0, 0)
    # groups whose plan action is not no-op: app (replace) and db (update: its reference moves
    # to the new id); cache is no-op. Rule resources: cache_from_app (replace).
    assert s["groups_changed"] == 2
    assert s["rule_resources_changed"] == 1
    # the only unknowns in the plan are the new app id and what refers to it, all resolved by
    # the configuration's references to aws_security_group.app
    assert s["unknown"] == 0 and r["unknown"] == []
    text = run_tfsg("diff", plan("replaced_group"), *src).stdout.decode()
    assert "Reachability is unchanged" in text
    assert "sg-" not in text  # no group outside the plan appears


@SOURCES
def test_renamed_group_after_network_has_no_stale_group_id(src):
    r = tfsg_json("show", plan("replaced_group"), *src)
    assert flows(r["flows"]) == REPLACED_FLOWS
    assert not [f for f in r["flows"] if f["from"].startswith("sg-") or f["to"].startswith("sg-")]
    # the cache group's refreshed copy of the rule (old app id) and the replacement
    # cache_from_app (new, unknown app id) are one AWS rule, made by cache_from_app
    owners = {(f["from"], f["to"]): sorted(f["defined_by"]) for f in r["flows"]}
    assert owners[(APP, CACHE)] == [APP, "aws_security_group_rule.cache_from_app"]
    assert owners[(APP, DB)] == [APP, DB]
    assert r["exposed"] == []  # 192.168.10.0/24 is private; the instance has no public address
    groups = {g["address"]: g for g in r["groups"]}
    assert set(groups) == {APP, DB, CACHE}
    assert {a: g["change"] for a, g in groups.items()} == {APP: "replace", DB: "update", CACHE: "no-op"}
    assert groups[APP]["name"] == "app-v2"
    assert groups[APP]["id"] is None  # the replacement's id is known only after apply
    assert groups[APP]["attached"] == ["aws_instance.app"]


def test_renamed_group_check_passes_with_nothing_introduced(tmp_path):
    code, r = check(plan("replaced_group"), cwd=tmp_path)
    assert code == 0 and r["verdict"]["passed"] and r["verdict"]["blocking"] == 0
    # nothing is introduced at any severity: the same rules on the same address. In particular
    # no TFSG013: cache manages no inline ingress; the rule in its refreshed `ingress` is
    # cache_from_app's.
    assert [f for f in r["findings"] if f["introduced"]] == []
    assert CACHE not in violations(r, "TFSG013")
    assert check(plan("replaced_group"), "--fail-on", "info", cwd=tmp_path)[0] == 0


@SOURCES
def test_replacement_that_widens_a_port_adds_exactly_that_port(src):
    r = tfsg_json("diff", plan("replaced_group_widened"), *src)
    # app's office rule goes from tcp 8080 to tcp 8080-8081: a widened flow is an added flow on
    # the new ports only; every other flow is the same as before (see REPLACED_FLOWS)
    assert flows(r["added"]) == {("192.168.10.0/24", APP, "tcp", "8081")}
    assert r["added"][0]["defined_by"] == [APP]
    assert r["removed"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []  # 192.168.10.0/24 is private
    assert r["paths_added"] == [] and r["paths_removed"] == []
    # ports do not change address or member counts, and cache/db still admit app's 1 member
    assert not [c for c in r["exposure_changes"] if c["group"] in (DB, CACHE)]
    s = r["summary"]
    assert s["reachability_changed"] is True
    assert (s["added"], s["removed"]) == (1, 0)
    assert s["groups_changed"] == 2 and s["rule_resources_changed"] == 1
    assert s["unknown"] == 0
    show = tfsg_json("show", plan("replaced_group_widened"), *src)
    assert flows(show["flows"]) == (REPLACED_FLOWS - {("192.168.10.0/24", APP, "tcp", "8080")}) | {
        ("192.168.10.0/24", APP, "tcp", "8080-8081")}
    groups = {g["address"]: g["change"] for g in show["groups"]}
    assert groups == {APP: "replace", DB: "update", CACHE: "no-op"}  # create_before_destroy: still a replace


@pytest.mark.parametrize("case,added", [
    ("replaced_group", set()),
    ("replaced_group_widened", {("192.168.10.0/24", APP, "tcp", "8081")}),
])
def test_hcl_base_agrees_on_replaced_groups(tmp_path, case, added):
    # the sources alone: before/ at HEAD, the case's files in the work tree. A rename keeps
    # the address, so the reference expressions name the same group on both sides.
    r = tfsg_json("diff", str(git_stack(tmp_path, case)), "--base", "HEAD")
    assert flows(r["added"]) == added
    assert r["removed"] == [] and r["newly_exposed"] == [] and r["no_longer_exposed"] == []


def test_replacement_that_widens_a_port_check_passes(tmp_path):
    # tcp 8081 from a private /24 outside the VPC: no baseline policy covers it (not an admin or
    # database port, not the internet, not a VPC CIDR, a 2-port range)
    code, r = check(plan("replaced_group_widened"), "--fail-on", "info", cwd=tmp_path)
    assert code == 0 and r["verdict"]["passed"]
    assert [f for f in r["findings"] if f["introduced"]] == []


# ------------------------------------------------------------------ revoke_standalone (item 7)

@SOURCES
def test_group_update_revokes_the_standalone_rules(src):
    r = tfsg_json("diff", plan("revoke_standalone"), *src)
    # api: ingress [443 rule] -> [];  web: ingress [80 block, 8443 rule] -> [80 block];
    # worker: egress [443 rule] -> []. The three rule resources are no-op, so nothing re-adds
    # the rules in this apply.
    assert flows(r["removed"]) == {
        ("0.0.0.0/0", API, "tcp", "443"),
        ("198.51.100.0/24", WEB, "tcp", "8443"),
        (WORKER, "0.0.0.0/0", "tcp", "443"),
    }
    assert r["added"] == []
    # each removed flow is the rule its standalone resource made
    owners = {(f["from"], f["to"]): f["defined_by"] for f in r["removed"]}
    assert "aws_security_group_rule.api_https" in owners[("0.0.0.0/0", API)]
    assert "aws_security_group_rule.web_alt" in owners[("198.51.100.0/24", WEB)]
    assert "aws_vpc_security_group_egress_rule.worker_https" in owners[(WORKER, "0.0.0.0/0")]
    # api admitted every IPv4 address on 443 (a group with no members: exposed as a group)
    assert exposures(r["no_longer_exposed"]) == {(API, "group", "tcp", "443")}
    assert r["newly_exposed"] == []
    assert r["paths_added"] == [] and r["paths_removed"] == []
    changes = {(c["group"], c["direction"]): (c["before"]["addresses"], c["after"]["addresses"])
               for c in r["exposure_changes"]}
    assert changes == {
        (API, "ingress"): (2**32, 0),  # 0.0.0.0/0 -> nothing
        (WEB, "ingress"): (512, 256),  # 203.0.113.0/24 + 198.51.100.0/24 -> 203.0.113.0/24
        (WORKER, "egress"): (2**32, 0),  # 0.0.0.0/0 -> nothing
    }
    s = r["summary"]
    assert s["reachability_changed"] is True
    assert (s["added"], s["removed"], s["newly_exposed"], s["no_longer_exposed"]) == (0, 3, 0, 1)
    assert s["groups_changed"] == 3  # api, web, worker: update
    assert s["rule_resources_changed"] == 0  # api_https, web_alt, worker_https: no-op
    assert s["unknown"] == 0  # every value of this plan is known


@SOURCES
def test_after_the_revoking_apply_only_the_inline_rule_is_left(src):
    r = tfsg_json("show", plan("revoke_standalone"), *src)
    assert flows(r["flows"]) == {("203.0.113.0/24", WEB, "tcp", "80")}
    assert r["flows"][0]["defined_by"] == [WEB]
    assert r["exposed"] == []


def test_the_revocation_is_said_in_the_text_report():
    """Item 7: "the flows are removed by this apply (...); say so". The removed lines name the
    no-op resource that made each rule, and the report says the group update revokes them."""
    text = run_tfsg("diff", plan("revoke_standalone")).stdout.decode()
    assert "Reachability is unchanged" not in text
    assert "- 0.0.0.0/0 -> aws_security_group.api: tcp 443" in text
    for rule in ("aws_security_group_rule.api_https", "aws_security_group_rule.web_alt",
                 "aws_vpc_security_group_egress_rule.worker_https"):
        assert rule in text
    assert "Revoked by this apply" in text  # its own section, not the fixture's name in the header


@SOURCES
def test_mixed_management_fires_on_explicit_empty_lists(src, tmp_path):
    code, r = check(plan("revoke_standalone"), *src, cwd=tmp_path)
    mixed = violations(r, "TFSG013")
    # api: `ingress = []` managed inline + api_https; web: an inline block + web_alt;
    # worker: `egress = []` managed inline + worker_https. An explicit empty list is inline
    # management (it is what revokes the rules); an omitted argument is not (web's egress,
    # worker's ingress, api's egress has no rule resource).
    assert set(mixed) == {API, WEB, WORKER}
    for f in mixed.values():
        assert f["severity"] == "medium"
        # the configuration is the one before/ applied: the mixing was already there
        assert f["introduced"] is False and f["blocking"] is False
    # removing flows and an existing medium finding do not block
    assert code == 0 and r["verdict"]["passed"]
    assert check(plan("revoke_standalone"), *src, "--fail-on", "medium", cwd=tmp_path)[0] == 0
    # ...unless existing findings block too: exactly the three TFSG013 (everything else the
    # baseline finds here is low: TFSG012, nothing is attached)
    code, r = check(plan("revoke_standalone"), *src, "--fail-on", "medium", "--fail-on-existing",
                    cwd=tmp_path)
    assert code == 1
    assert {(f["policy"], f["address"]) for f in r["findings"] if f["blocking"]} == {
        ("TFSG013", API), ("TFSG013", WEB), ("TFSG013", WORKER)}
    assert r["verdict"]["blocking"] == 3


def test_mixed_management_fires_in_hcl_mode(tmp_path):
    # the same .tf files read as a directory (no --base: a scan with no baseline, so every
    # finding counts as introduced; TFSG013 is medium, below the default fail_on)
    code, r = check(str(FIXTURES / "revoke_standalone"), cwd=tmp_path)
    assert code == 0
    mixed = violations(r, "TFSG013")
    assert set(mixed) == {API, WEB, WORKER}
    assert all(f["introduced"] and not f["blocking"] for f in mixed.values())
