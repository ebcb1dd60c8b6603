"""Compact CIDR-derived flows (schema v2) say exactly what ``--expand`` spells out.

By default a group pair that only CIDR rules connect is not a row of ``flows``/``added``/
``removed``: it is stated once per admitted block and set of groups (``cidr_flows``,
``cidr_added``, ``cidr_removed`` with ``group_sets``). Expanding those rows (each group of the set
but the target itself, on the row's services) and adding the explicit rows must give, pair by
pair and service by service, what ``--expand`` lists; ``--expand`` (v1's relation) also lists on
such a pair what the target admits from public blocks (0.0.0.0/0 holds the source's members
too), which the compact form leaves to the address flows that say it for every source. Checked on every fixture plan and on the
realistic benchmark plans (bench/realistic.py, verified value for value against Terraform), whose
CIDR allowlists make thousands of such pairs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, tfsg_json
from tfsg.netsets import ALL_SERVICES, NO_SERVICES, PUBLIC, AddressSet, ServiceSet, services_for_rule

PLANS = sorted(p.parent.name for p in FIXTURES.glob("*/plan.json"))


def _services(proto: str, ports: str) -> ServiceSet | tuple[str, str]:
    if proto == "all":
        return ALL_SERVICES
    if proto in ("tcp", "udp"):
        lo, _, hi = ports.partition("-")
        return services_for_rule(proto, 0, 65535) if ports == "all" else services_for_rule(proto, int(lo), int(hi or lo))
    return (proto, ports)  # ICMP and other protocols: compared as written


def _pairs(rows: list[dict]) -> dict[tuple[str, str], tuple[ServiceSet, frozenset]]:
    out: dict[tuple[str, str], tuple[ServiceSet, frozenset]] = {}
    for r in rows:
        svc, raw = out.get((r["from"], r["to"]), (NO_SERVICES, frozenset()))
        got = _services(r["protocol"], r["ports"])
        out[(r["from"], r["to"])] = (svc | got, raw) if isinstance(got, ServiceSet) else (svc, raw | {got})
    return out


def _expanded(rows: list[dict], cidr_rows: list[dict], sets: dict[str, list[str]]) -> dict:
    spelled = list(rows)
    for r in cidr_rows:
        spelled += [{"from": g, "to": r["to"], "protocol": r["protocol"], "ports": r["ports"]}
                    for g in sets[r["groups"]] if g != r["to"]]
    return _pairs(spelled)


def _public(label: str) -> bool:
    try:
        return AddressSet.parse(label).overlaps(PUBLIC)
    except ValueError:
        return True  # a prefix list or a sensitive block: may be public


def _same(compact: dict, full: dict, public: dict) -> None:
    assert set(compact) <= set(full)
    for pair, (svc, raw) in full.items():
        have, have_raw = compact.get(pair, (NO_SERVICES, frozenset()))
        assert have_raw == raw, pair
        extra = svc - have
        assert not (have - svc), pair
        assert public.get(pair[1], NO_SERVICES).issuperset(extra), (pair, extra)


def _public_admitted(rows: list[dict]) -> dict[str, ServiceSet]:
    out: dict[str, ServiceSet] = {}
    for (src, dst), (svc, _) in _pairs([r for r in rows if _public(r["from"])]).items():
        out[dst] = out.get(dst, NO_SERVICES) | svc
    return out


def _check_show(args: tuple[str, ...]) -> dict:
    compact = tfsg_json("show", *args, compact=True)
    full = tfsg_json("show", *args)
    assert full["cidr_flows"] == [] and full["group_sets"] == {} and full["summary"]["expanded"]
    _same(_expanded(compact["flows"], compact["cidr_flows"], compact["group_sets"]), _pairs(full["flows"]),
          _public_admitted(full["flows"]))
    return compact


def _check_diff(args: tuple[str, ...]) -> dict:
    compact = tfsg_json("diff", *args, compact=True)
    full = tfsg_json("diff", *args)
    show = tfsg_json("show", *args)
    for key in ("added", "removed"):
        _same(_expanded(compact[key], compact[f"cidr_{key}"], compact["group_sets"]), _pairs(full[key]),
              _public_admitted(show["flows"] + full[key]))
    # everything that is not a flow list is the same in both forms
    same = {k for k in full if k not in ("added", "removed", "cidr_added", "cidr_removed", "group_sets", "summary")}
    assert {k: compact[k] for k in same} == {k: full[k] for k in same}
    return compact


@pytest.mark.parametrize("case", PLANS)
def test_fixture_compact_equals_expanded(case: str):
    _check_show((str(FIXTURES / case / "plan.json"),))
    _check_diff((str(FIXTURES / case / "plan.json"),))


@pytest.fixture(scope="module")
def realistic(tmp_path_factory) -> dict[str, Path]:
    out = {}
    folder = tmp_path_factory.mktemp("realistic")
    for kind in ("create", "update"):
        out[kind] = folder / f"real-60-{kind}.json"
        subprocess.run([sys.executable, str(ROOT / "bench" / "realistic.py"), "generate", "--groups", "60",
                        "--kind", kind, "-o", str(out[kind])], check=True, capture_output=True, timeout=120)
    return out


@pytest.mark.parametrize("kind", ["create", "update"])
def test_realistic_compact_equals_expanded(realistic: dict[str, Path], kind: str):
    show = _check_show((str(realistic[kind]),))
    diff = _check_diff((str(realistic[kind]),))
    # the allowlists make CIDR-derived pairs, stated in a handful of sets
    assert show["cidr_flows"] and show["summary"]["cidr_group_pairs"] > len(show["cidr_flows"])
    assert len(show["group_sets"]) < len(show["cidr_flows"])
    if kind == "create":  # everything is new: the diff adds what show lists
        assert diff["summary"]["cidr_group_pairs_added"] == show["summary"]["cidr_group_pairs"]
        assert diff["cidr_removed"] == []
