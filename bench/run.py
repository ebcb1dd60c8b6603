"""Time tfsg's stages against ``json.load`` of the same file, and the whole CLI on the fixtures.

    python3 bench/run.py            # both sizes + fixtures; prints a Markdown table
    python3 bench/run.py --quick    # the small size only
    python3 bench/run.py --realistic [--quick]   # plans shaped like real ones (bench/realistic.py),
                                                 # every command side by side (bench/compare.py)

Stages: ``json.load`` (the yardstick, with Python's defaults), ``load`` (read + both snapshots; includes its own JSON
parse), ``graph`` (flow graphs and paths of both sides), ``diff`` (the change set), and the
wall time of ``tfsg diff PLAN --format json`` in a fresh process (start-up included).
Best of 3 runs each.
"""

from __future__ import annotations

import gc
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

SIZES = [(1000, 10000), (5000, 50000)]


def best(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def cli(args: list[str], runs: int = 3, expect: tuple[int, ...] = (0,)) -> float:
    exe = os.path.join(os.path.dirname(sys.executable), "tfsg")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "tfsg"]

    def once():
        code = subprocess.run(cmd + args, stdout=subprocess.DEVNULL, cwd=ROOT).returncode
        if code not in expect:
            raise SystemExit(f"{' '.join(cmd + args)} exited {code}")
    return best(once, runs)[0]


def bench_plan(groups: int, rules: int) -> dict:
    import generate
    from tfsg.graph import FlowGraph
    from tfsg.result import diff
    from tfsg.sources.plan import load_plan

    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    path = os.path.join(HERE, "out", f"plan-{groups}-{rules}.json")
    if not os.path.exists(path):
        generate.main(groups, rules, path)
    size = os.path.getsize(path)

    def parse():
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    t_json, _ = best(parse)
    gc.disable()  # as the CLI does (tfsg.cli.main): a short-lived run over one big JSON tree
    t_load, loaded = best(lambda: load_plan(path, auto_sources=False))

    def graphs():
        b = FlowGraph(loaded.before)
        a = FlowGraph(loaded.after, base=b)
        b.paths()
        a.paths()
        return b, a
    t_graph, (gb, ga) = best(graphs)
    t_diff, res = best(lambda: diff(loaded, gb, ga))
    from tfsg.policy.gate import run_gate
    from tfsg.policy.load import load_config

    config = load_config(None, discover_from=None)
    t_check, _ = best(lambda: run_gate(config, gb, ga))
    gc.enable()
    t_cli = cli(["diff", path, "--format", "json", "--no-sources"])
    t_cli_check = cli(["check", path, "--format", "json", "--no-sources"], expect=(0, 1))
    return {"plan": f"{groups:,} groups / {rules:,} rules ({size / 1e6:.1f} MB)", "json": t_json, "load": t_load,
            "graph": t_graph, "diff": t_diff, "cli": t_cli, "ratio": t_cli / t_json, "check": t_check,
            "cli_check": t_cli_check,
            "added": res["summary"]["added"], "removed": res["summary"]["removed"]}


def realistic(quick: bool) -> None:
    """Create and update plans of bench/realistic.py (cached in bench/out), timed by bench/compare.py:
    every command at 1,000 groups; at 5,000 groups (unless --quick) diff and check, with the timeout."""
    import compare
    import realistic as gen

    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    for groups in ([1000] if quick else [1000, 5000]):
        plans = []
        for kind in ("create", "update"):
            path = os.path.join(HERE, "out", f"realistic-{groups}-{kind}.json")
            if not os.path.exists(path):
                gen.generate(groups, kind, path)
            plans.append(path)
        commands = ",".join(compare.COMMANDS) if groups <= 1000 else "json.load,diff,check"
        compare.main(plans + ["--commands", commands])


def main() -> None:
    quick = "--quick" in sys.argv
    if "--realistic" in sys.argv:
        realistic(quick)
        return
    rows = [bench_plan(g, r) for g, r in (SIZES[:1] if quick else SIZES)]
    print("| plan | json.load | load | graph | diff | `tfsg diff` wall | wall / json.load "
          "| policies (both sides) | `tfsg check` wall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['plan']} | {r['json']:.2f} s | {r['load']:.2f} s | {r['graph']:.2f} s | {r['diff']:.2f} s "
              f"| {r['cli']:.2f} s | {r['ratio']:.1f}x | {r['check']:.2f} s | {r['cli_check']:.2f} s |")
    print()
    print("| fixture | `tfsg diff` wall (start-up included) |")
    print("|---|---|")
    for plan in sorted(glob.glob(os.path.join(ROOT, "fixtures", "*", "plan.json"))):
        rel = os.path.relpath(plan, ROOT)
        print(f"| {rel} | {cli(['diff', rel]):.2f} s |")


if __name__ == "__main__":
    main()
