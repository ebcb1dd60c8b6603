"""A tag that moves a reachable host into the data tier (fixtures/gate_tier_relabel, an update
plan against moto; before/ and g.tf say what changes). Expected by hand:

[TIER]  Baseline tiers: a group tagged Tier = data is in the data tier.
[NEW]   TFSG020 (newly-reachable) names an existing data store that the change makes reachable
        from the internet; the cache host was reached directly on 443 before the change (public
        IPv4 from its subnet, 0.0.0.0/0 -> the internet gateway), so nothing becomes reachable:
        no TFSG020. TFSG007 (a data store reached directly) and TFSG006 (6379 from 10.0.0.0/16:
        65,536 addresses) are new because the tier is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, base_repo, plan, run_tfsg

CASE = "gate_tier_relabel"



@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_a_relabel_is_no_new_reachability(tmp_path: Path, mode: str):
    args = [plan(CASE)] if mode == "plan" else [str(base_repo(tmp_path, FIXTURES / CASE / "before", FIXTURES / CASE)), "--base", "HEAD"]
    proc = run_tfsg("check", *args, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    introduced = {(f["policy"], f["address"]) for f in r["findings"] if f["introduced"] and f["status"] == "violation"}
    assert introduced == {("TFSG007", "aws_instance.cache"), ("TFSG006", "aws_security_group.cache")}  # [NEW]
    assert r["verdict"]["blocking"] == 1
    # reached directly, no hop before it: the fix is its own exposure (baseline remediation_direct)
    found = next(f for f in r["findings"] if f["policy"] == "TFSG007")
    assert found["evidence"]["path"] == ["internet", "aws_instance.cache"]
    assert found["remediation"].startswith("Remove the rule that admits the internet to it, or its public address")
