"""Plan validation against ``json.load`` of the same file, side by side (issue 9: at most a quarter).

    python3 bench/validate.py              # 1,000 and 5,000 groups (bench/generate.py, cached in bench/out)
    python3 bench/validate.py --quick      # 1,000 groups only
    python3 bench/validate.py --fixtures   # also every fixture plan

Columns, best of 3 each:

* ``json.load``: ``open`` + ``json.load`` with Python's defaults (the yardstick of bench/run.py);
* ``json.load, gc off``: the same with the garbage collector off, as the CLI runs (tfsg.cli.main),
  the stricter yardstick;
* ``json.loads(text)`` and ``loads``: the text already read, plain and with the hooks of
  ``tfsg.sources.validate.loads`` that refuse NaN/Infinity/1e400 (their cost), gc off;
* ``validate``: ``tfsg.sources.validate.validate`` alone on the parsed document (code compiled
  and cached beforehand), gc off;
* ``first run``: compiling the schema to Python when the cache is empty (once per schema version).
"""

from __future__ import annotations

import gc
import glob
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

SIZES = [(1000, 10000), (5000, 50000)]


def best(fn, runs: int = 3, collect: bool = True) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        result = None
        gc.collect()
        if not collect:
            gc.disable()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        gc.enable()
    return min(times), result


def generated(groups: int, rules: int) -> str:
    import generate

    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    path = os.path.join(HERE, "out", f"plan-{groups}-{rules}.json")
    if not os.path.exists(path):
        generate.main(groups, rules, path)
    return path


def measure(path: str, label: str) -> dict:
    from tfsg.sources import validate as v

    def load():
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    t_json, _ = best(load)
    t_json_nogc, _ = best(load, collect=False)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    t_plain, _ = best(lambda: json.loads(text), collect=False)
    t_parse, data = best(lambda: v.loads(text, path), collect=False)
    v._validators()  # compiled (or read from the cache) before timing
    t_validate, _ = best(lambda: v.validate(path, data), collect=False)
    return {"plan": f"{label} ({os.path.getsize(path) / 1e6:.1f} MB)", "json": t_json, "json_nogc": t_json_nogc,
            "plain": t_plain, "parse": t_parse, "validate": t_validate}


def first_run() -> float:
    """Compile time with an empty cache, in a fresh interpreter state for the module."""
    from tfsg.sources import validate as v

    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("TFSG_CACHE_DIR")
        os.environ["TFSG_CACHE_DIR"] = tmp
        try:
            v._compiled = None
            t = time.perf_counter()
            v._validators()
            return time.perf_counter() - t
        finally:
            if old is None:
                os.environ.pop("TFSG_CACHE_DIR", None)
            else:
                os.environ["TFSG_CACHE_DIR"] = old
            v._compiled = None


def main() -> None:
    quick = "--quick" in sys.argv
    rows = [measure(generated(g, r), f"{g:,} groups / {r:,} rules") for g, r in (SIZES[:1] if quick else SIZES)]
    if "--fixtures" in sys.argv:
        for plan in sorted(glob.glob(os.path.join(ROOT, "fixtures", "*", "plan.json"))):
            rows.append(measure(plan, os.path.relpath(plan, ROOT)))
    print("| plan | json.load | json.load, gc off | json.loads(text) | loads (finite check) | validate "
          "| validate / json.load | validate / json.load gc off |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['plan']} | {r['json'] * 1000:.1f} ms | {r['json_nogc'] * 1000:.1f} ms | "
              f"{r['plain'] * 1000:.1f} ms | {r['parse'] * 1000:.1f} ms | {r['validate'] * 1000:.1f} ms "
              f"| {r['validate'] / r['json']:.2f} | {r['validate'] / r['json_nogc']:.2f} |")
    print()
    print(f"first run (schema compiled to Python, cache empty): {first_run() * 1000:.0f} ms")


if __name__ == "__main__":
    main()
