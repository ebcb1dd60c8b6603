"""Internet gateway routes for some blocks only (fixtures/engine_partial_igw_routes, create plan,
offline; main.tf says what each part is). Expected values derived by hand from main.tf:

[RT]    VPC user guide, "Route tables": a subnet's traffic follows the most specific matching
        route of its table; "Internet gateways": a host answers the internet only through a route
        to the gateway for the addresses it answers. A table routing only 203.0.113.0/24 to the
        gateway answers that block, never "every public address" (what TFSG007 calls the internet).
[TIER]  Baseline TFSG007: a Tier=data group reached through a resource that is itself
        internet-facing is critical.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_partial_igw_routes"


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> dict:
    proc = run_tfsg("check", plan(CASE) if request.param == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_only_whole_families_make_paths(check):
    got = {(f["address"], f["message"].rsplit(": ", 1)[-1]) for f in check["findings"]
           if f["policy"] == "TFSG007" and f["status"] == "violation"}
    assert got == {
        ('aws_instance.db["halves"]',
         'internet -> aws_instance.web["halves"] -> aws_instance.db["halves"] on tcp 5432'),  # (b) two halves
        ('aws_instance.db["v6"]',
         'internet -> aws_instance.web["v6"] -> aws_instance.db["v6"] on tcp 5432'),  # (c) ::/0
    }  # (a) a partner's /24 only, (d) one IPv6 /32 only: no path [RT]


def test_exposure_per_family():
    r = tfsg_json("show", plan(CASE))
    got = {(e["address"], e["family"], tuple(e["sources"])) for e in r["exposed"] if e["kind"] == "resource"}
    assert got == {('aws_instance.web["halves"]', "ipv4", ("0.0.0.0/0",)),
                   ('aws_instance.web["v6"]', "ipv6", ("::/0",))}
