"""Tiering as people build it (issue 12, item 2), on real plans.

fixtures/tier_lb_in_front (an update plan against moto): before, a private app talks to its
database (Tier=data) and nothing reaches the app from the internet; a public "reports"
instance, open on 443, talks to its own database. The change puts an internet-facing load
balancer in front of the app. Hand-derived:
* TFSG020 (high, introduced, blocking): aws_instance.db, which existed, becomes reachable from
  the internet: internet -> aws_lb.public -> aws_instance.app -> aws_instance.db.
* TFSG007 (critical): aws_instance.reports_db is reached through aws_instance.reports, which is
  itself internet-facing; it was so before the change: existing, not blocking.
* The app stays private: the database behind it passes TFSG007.
"""

from __future__ import annotations

import json

from conftest import plan, run_tfsg

DB, REPORTS_DB = "aws_instance.db", "aws_instance.reports_db"


def _check(case: str, tmp_path, *extra: str) -> tuple[int, dict]:
    proc = run_tfsg("check", plan(case), "--format", "json", *extra, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


def test_a_new_load_balancer_in_front_of_an_app_that_talks_to_the_database(tmp_path):
    code, r = _check("tier_lb_in_front", tmp_path)
    assert code == 1
    tiering = {(f["policy"], f["address"]): f for f in r["findings"] if f["policy"] in ("TFSG007", "TFSG020")}
    assert set(tiering) == {("TFSG020", DB), ("TFSG007", REPORTS_DB)}
    new = tiering[("TFSG020", DB)]
    assert new["introduced"] and new["blocking"] and new["severity"] == "high"
    assert new["evidence"]["path"] == ["internet", "aws_lb.public", "aws_instance.app", DB]
    # located at the hop the change adds (the app admitting the new ALB: app_from_lb), not at
    # the app -> database rule that was already there
    assert new["evidence"]["new_hop"] == ["aws_lb.public", "aws_instance.app"]
    assert new["location"].endswith("fixtures/tier_lb_in_front/main.tf:167")
    old = tiering[("TFSG007", REPORTS_DB)]
    assert not old["introduced"] and not old["blocking"]
    assert old["evidence"]["path"] == ["internet", "aws_instance.reports", REPORTS_DB]
    assert [f["policy"] for f in r["findings"] if f["blocking"]] == ["TFSG020"]


def test_a_waiver_with_a_reason_accepts_the_new_blast_radius(tmp_path):
    (tmp_path / ".tfsg.yml").write_text(
        "extends: [baseline]\nwaivers:\n  - policy: TFSG020\n    address: aws_instance.db\n"
        "    reason: the public API needs the database; reviewed in SEC-123\n")
    code, r = _check("tier_lb_in_front", tmp_path)
    assert code == 0
    waived = [f for f in r["findings"] if f["policy"] == "TFSG020"]
    assert waived and waived[0]["waived"] == "the public API needs the database; reviewed in SEC-123"


def test_max_hops_bounds_the_paths_reported_not_the_rules(tmp_path):
    code, r = _check("tier_lb_in_front", tmp_path, "--max-hops", "1")
    assert code == 1 and [f["policy"] for f in r["findings"] if f["blocking"]] == ["TFSG020"]
    assert r["paths_added"] == []  # no path of 2+ hops within 1 hop


def test_a_database_directly_behind_an_internet_facing_nlb_fails(tmp_path):
    """engine_nlb: internet -> aws_lb.public_nlb (no groups, internet-facing) -> aws_instance.pg."""
    _, r = _check("engine_nlb", tmp_path)
    f = next(f for f in r["findings"] if f["policy"] == "TFSG007")
    assert f["address"] == "aws_instance.pg" and f["blocking"]
    assert f["evidence"]["path"] == ["internet", "aws_lb.public_nlb", "aws_instance.pg"]
