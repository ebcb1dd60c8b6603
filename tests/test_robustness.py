"""Nothing crashes on odd but legal plans: real fixtures with values nulled, retyped or removed
(as other Terraform/OpenTofu versions and providers produce) must give a report, never an
internal error."""

from __future__ import annotations

import copy
import os
import json
import random

import pytest

from conftest import plan
from tfsg.errors import TfsgError
from tfsg.graph import FlowGraph
from tfsg.result import diff as diff_result
from tfsg.result import show as show_result
from tfsg.sources.document import classify
from tfsg.sources.plan import Loaded
from tfsg.sources.build import SnapshotBuilder
from tfsg.sources.instances import split_sides
from tfsg.sources.refs import ConfigIndex

ODD_VALUES = [None, "", 0, -1, True, [], {}, "x", [None], {"a": None}, 1e9, "0.0.0.0/0", ["sg-1", None]]


def mutate(doc: dict, rnd: random.Random, count: int) -> dict:
    doc = copy.deepcopy(doc)
    nodes: list[tuple[object, object]] = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                nodes.append((node, k))
                walk(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                nodes.append((node, i))
                walk(v)
    walk(doc.get("resource_changes"))
    walk(doc.get("configuration"))
    walk(doc.get("prior_state"))
    for parent, key in rnd.sample(nodes, min(count, len(nodes))):
        choice = rnd.random()
        if choice < 0.2 and isinstance(parent, dict):
            parent.pop(key, None)
        else:
            try:
                parent[key] = rnd.choice(ODD_VALUES)
            except (IndexError, KeyError):
                pass
    return doc


def analyse(doc: dict) -> None:
    document = classify("mutated.json", doc)
    sides = split_sides("mutated.json", document.data, document.kind)
    config = ConfigIndex(document.data.get("configuration") if isinstance(document.data.get("configuration"), dict)
                         else None)
    before = SnapshotBuilder(sides.before, config, {}).build() if sides.before is not None else None
    after = SnapshotBuilder(sides.after, config, {}, prior=before).build()
    loaded = Loaded(document, before, after)
    g_after = FlowGraph(after)
    show_result(loaded, g_after)
    if before is not None:
        diff_result(loaded, FlowGraph(before), g_after)


@pytest.mark.parametrize("case", ["three_tier", "microservices_mesh", "module_dynamic", "tighten_cidr",
                                  "new_path_to_db", "vpc_rules"])
def test_mutated_real_plans_never_crash(case):
    base = json.load(open(plan(case)))
    rnd = random.Random(os.environ.get("TFSG_FUZZ_SEED", case))
    for _ in range(int(os.environ.get("TFSG_FUZZ_RUNS", "40"))):
        try:
            analyse(mutate(base, rnd, rnd.randint(1, 30)))
        except TfsgError:
            pass  # an illegal plan may be refused, with a clear one-line message


# ---------------------------------------------------------------------- HCL mode

HCL_VALUES = ["null", "[]", "{}", '"x"', "-1", "0", "1.5", "true", "var.nope", "local.nope", "[null]",
              '"0.0.0.0/0"', "aws_security_group.nope.id", '"${1}"', 'toset(["a"])', "module.nope.x",
              "{a = null}", "each.value", "count.index", "self", '["sg-1", null]']


def _mutate_tf(text: str, rnd: random.Random) -> str:
    lines = text.split("\n")
    i = rnd.randrange(len(lines))
    op = rnd.choice(["delete", "swap", "duplicate", "value", "char"])
    if op == "delete":
        del lines[i]
    elif op == "swap":
        j = rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "value" and "=" in lines[i]:
        lines[i] = lines[i].split("=")[0] + "= " + rnd.choice(HCL_VALUES)
    elif lines[i]:
        c = rnd.randrange(len(lines[i]))
        lines[i] = lines[i][:c] + lines[i][c + 1:]
    return "\n".join(lines)


def test_mutated_tf_files_give_a_report_or_one_clean_error(tmp_path):
    """Edited .tf files (lines deleted, swapped, values replaced by odd ones): a report, or a
    TfsgError naming the place; never an internal error."""
    import shutil

    from conftest import FIXTURES
    from tfsg.sources.hcl.load import load_directory

    seed = int(os.environ.get("TFSG_FUZZ_SEED", "11"))
    runs = int(os.environ.get("TFSG_FUZZ_RUNS", "30"))
    rnd = random.Random(seed)
    cases = sorted(p.parent for p in FIXTURES.glob("*/main.tf"))
    cases += sorted(p.parent for p in FIXTURES.glob("hcl/*/main.tf"))
    for n in range(runs):
        src = rnd.choice(cases)
        dst = tmp_path / f"run{n}"
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("plan.json", "before", "state.json"))
        target = rnd.choice(sorted(dst.glob("*.tf")))
        target.write_text(_mutate_tf(target.read_text(), rnd))
        try:
            loaded = load_directory(str(dst))
        except TfsgError as exc:
            assert str(exc).strip() and "\n" not in str(exc).strip(), (src, n)
            continue
        graph = FlowGraph(loaded.after)
        json.dumps(show_result(loaded, graph), default=str)
