"""Round eleven: most of the internet is not the whole of it (fixtures/verdict_almost_internet).

Every expected value is derived by hand from the fixtures' .tf files (their comments say how)
with AWS's documentation and the baseline pack:

[SGR]  VPC user guide, "Security group rules": a rule admits every address of its CIDR block;
       the rules of a group are a union of permissions (0.0.0.0/1 and 128.0.0.0/1 together
       admit all of IPv4).
[PUB]  IANA special-purpose registries (RFC 6890): 0.0.0.0/8, 10.0.0.0/8 ... are not globally
       reachable; 2000::/3 is IPv6's global unicast space.
[POL]  Baseline pack: TFSG001 tcp 22/3389 and udp 3389 from every public address of a family
       (critical); TFSG021 the same ports from a public block wider than /16, as written in
       either family, leaving the whole internet to TFSG001 (high); TFSG004 the same ports from
       any block wider than /24, an IPv6 /M compared as an IPv4 /(M-40) (medium).
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, plan, run_tfsg, validate_report

ALMOST = "verdict_almost_internet"


def _check(*args: str) -> tuple[int, dict]:
    proc = run_tfsg("check", *args, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _blocks(finding: dict) -> set[str]:
    """The source blocks a forbidden-flow finding names (one per part, or its own key)."""
    keys = [p["key"] for p in finding["evidence"].get("parts") or ()] or [finding["key"]]
    return {k.split(" ", 1)[0] for k in keys}


@pytest.fixture(scope="module", params=["plan", "hcl"])
def almost(request) -> tuple[int, dict]:
    where = plan(ALMOST) if request.param == "plan" else str(FIXTURES / ALMOST)
    return _check(where)


def _findings(r: dict, policy: str) -> dict[str, dict]:
    return {f["address"]: f for f in r["findings"] if f["policy"] == policy and f["status"] == "violation"}


WIDE_PUBLIC = {"128.0.0.0/1", "64.0.0.0/2", "32.0.0.0/3", "16.0.0.0/4", "8.0.0.0/5", "4.0.0.0/6", "2.0.0.0/7",
               "1.128.0.0/9", "1.64.0.0/10", "1.32.0.0/11", "1.16.0.0/12", "1.8.0.0/13", "1.4.0.0/14", "1.2.0.0/15"}
WIDER_THAN_24 = WIDE_PUBLIC | {"0.0.0.0/8", "1.0.0.0/16", "1.1.128.0/17", "1.1.64.0/18", "1.1.32.0/19",
                              "1.1.16.0/20", "1.1.8.0/21", "1.1.4.0/22", "1.1.2.0/23"}


def test_almost_internet_blocks_as_high(almost):
    code, r = almost
    assert code == 1
    wide = _findings(r, "TFSG021")
    assert set(wide) == {"aws_security_group.allbutone", "aws_security_group.half", "aws_security_group.v6_wide"}
    assert all(f["severity"] == "high" and f["blocking"] and f["introduced"] for f in wide.values())
    assert _blocks(wide["aws_security_group.allbutone"]) == WIDE_PUBLIC  # [SGR][PUB]: not 0.0.0.0/8
    assert _blocks(wide["aws_security_group.half"]) == {"0.0.0.0/1"}
    assert _blocks(wide["aws_security_group.v6_wide"]) == {"2000::/4"}
    assert [(s["protocol"], s["ports"]) for s in wide["aws_security_group.half"]["evidence"]["services"]] == \
        [("tcp", "3389")]
    assert wide["aws_security_group.half"]["location"] == "fixtures/verdict_almost_internet/main.tf:68"  # the rule resource


def test_whole_internet_stays_tfsg001s(almost):
    _, r = almost
    assert set(_findings(r, "TFSG001")) == {"aws_security_group.split_world"}
    assert _findings(r, "TFSG001")["aws_security_group.split_world"]["evidence"]["sources"] == ["0.0.0.0/1",
                                                                                                 "128.0.0.0/1"]
    assert "aws_security_group.split_world" not in _findings(r, "TFSG004")


def test_narrow_or_private_blocks_stay_medium(almost):
    _, r = almost
    known = _findings(r, "TFSG004")
    assert set(known) == {"aws_security_group.allbutone", "aws_security_group.half", "aws_security_group.v6_wide",
                          "aws_security_group.office"}
    assert _blocks(known["aws_security_group.office"]) == {"100.20.0.0/16", "10.0.0.0/8", "2600:1f18:aaaa::/48"}
    assert _blocks(known["aws_security_group.allbutone"]) == WIDER_THAN_24
    assert not any(f["blocking"] for f in known.values())
