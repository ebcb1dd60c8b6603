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
