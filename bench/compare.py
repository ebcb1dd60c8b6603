"""tfsg against ``json.load`` of the same plan, side by side, each command in a fresh process.

    python3 bench/compare.py PLAN.json [PLAN.json ...]
    python3 bench/compare.py PLAN.json --runs 5 --timeout 300 --commands json.load,diff,check
    python3 bench/compare.py PLAN.json --tfsg "python -m tfsg"          # another tfsg (PYTHONPATH, ...)

Commands (``--commands``, default all), all writing to /dev/null:

    json.load      python -c 'import json,sys; json.load(open(sys.argv[1]))' PLAN   (the yardstick)
    diff           tfsg diff PLAN --format json -o /dev/null
    check          tfsg check PLAN --format json -o /dev/null     (exit 1 = findings: fine)
    show-text      tfsg show PLAN --format text -o /dev/null
    show-json      tfsg show PLAN --format json -o /dev/null
    show-markdown  tfsg show PLAN --format markdown -o /dev/null

Runs are interleaved: round 1 runs every command once, round 2 again, ...; so a machine that
slows down or speeds up during the run affects every command alike. The file is read once
beforehand (page cache). Reported per command: the best wall time of the rounds (and the
median), the peak resident set size of the process (largest of the rounds; GNU
``/usr/bin/time``, else ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process), and both as a
ratio to ``json.load``. A command that runs past ``--timeout`` seconds is killed (its process
group) and reported as "timeout"; it is not run again in later rounds. Commands run in an empty
temporary directory, so no ``.tfsg.yml`` is picked up (``check`` uses the baseline policies).
The Python running this script runs ``json.load``; tfsg is the ``tfsg`` beside it, unless
``--tfsg`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Optional

COMMANDS = {
    "json.load": None,
    "diff": ["diff", "{plan}", "--format", "json", "-o", os.devnull],
    "check": ["check", "{plan}", "--format", "json", "-o", os.devnull],
    "show-text": ["show", "{plan}", "--format", "text", "-o", os.devnull],
    "show-json": ["show", "{plan}", "--format", "json", "-o", os.devnull],
    "show-markdown": ["show", "{plan}", "--format", "markdown", "-o", os.devnull],
}
OK_CODES = {"check": (0, 1)}  # 1: a blocking finding, not a failure of the run
GNU_TIME = "/usr/bin/time"
# Fallback when GNU time is missing: run the command as a child and report its peak RSS.
RUSAGE_WRAPPER = ("import resource, subprocess, sys\n"
                  "code = subprocess.call(sys.argv[2:])\n"
                  "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
                  "sys.exit(code)\n")


def _gnu_time() -> bool:
    if not os.path.exists(GNU_TIME):
        return False
    probe = subprocess.run([GNU_TIME, "-f", "%M", "-o", os.devnull, "true"], capture_output=True)
    return probe.returncode == 0


def command(name: str, plan: str, python: str, tfsg: list[str]) -> list[str]:
    if name == "json.load":
        return [python, "-c", "import json,sys; json.load(open(sys.argv[1]))", plan]
    return tfsg + [a.replace("{plan}", plan) for a in COMMANDS[name]]


class Result:
    def __init__(self) -> None:
        self.walls: list[float] = []
        self.rss_kb: list[int] = []
        self.failure: Optional[str] = None  # "timeout" or "exit N"

    def best(self) -> Optional[float]:
        return min(self.walls) if self.walls else None

    def median(self) -> Optional[float]:
        return statistics.median(self.walls) if self.walls else None

    def rss(self) -> Optional[int]:
        return max(self.rss_kb) if self.rss_kb else None


def run_once(argv: list[str], cwd: str, timeout: float, gnu: bool, ok: tuple[int, ...]) -> tuple[str, float, int]:
    """("ok" | "timeout" | "exit N", wall seconds, peak RSS in KiB) of one fresh process."""
    fd, rss_file = tempfile.mkstemp(prefix="tfsg-compare-rss-")
    os.close(fd)
    try:
        if gnu:
            full = [GNU_TIME, "-f", "%M", "-o", rss_file] + argv
        else:
            full = [sys.executable, "-c", RUSAGE_WRAPPER, rss_file] + argv
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the process group this call started
            proc.communicate()
            return "timeout", time.perf_counter() - t0, 0
        wall = time.perf_counter() - t0
        code = proc.returncode
        with open(rss_file, encoding="utf-8") as fh:
            text = fh.read().strip().splitlines()
        rss = int(text[-1]) if text and text[-1].isdigit() else 0
        if gnu and text and text[0].startswith("Command exited with non-zero status"):
            code = int(text[0].rsplit(" ", 1)[1])
        if code not in ok:
            tail = err.decode(errors="replace").strip().splitlines()[-1:] if err else []
            return f"exit {code}" + (f": {tail[0][:120]}" if tail else ""), wall, rss
        return "ok", wall, rss
    finally:
        os.unlink(rss_file)


def compare(plan: str, names: list[str], runs: int, timeout: float, python: str, tfsg: list[str],
            gnu: bool, progress: bool = True) -> dict[str, Result]:
    plan = os.path.abspath(plan)
    with open(plan, "rb") as fh:  # into the page cache, for every command alike
        while fh.read(1 << 24):
            pass
    results = {n: Result() for n in names}
    cwd = tempfile.mkdtemp(prefix="tfsg-compare-")
    try:
        for round_ in range(runs):
            for name in names:
                r = results[name]
                if r.failure:
                    continue
                status, wall, rss = run_once(command(name, plan, python, tfsg), cwd, timeout, gnu,
                                             OK_CODES.get(name, (0,)))
                if progress:
                    print(f"  [{round_ + 1}/{runs}] {name}: {status} {wall:.2f} s {rss / 1024:.0f} MiB",
                          file=sys.stderr, flush=True)
                if status != "ok":
                    r.failure = status
                    continue
                r.walls.append(wall)
                r.rss_kb.append(rss)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    return results


def table(rows: list[tuple[str, float, dict[str, Result]]], names: list[str], timeout: float) -> str:
    head = "| plan | size | " + " | ".join(f"`{n}`" if n != "json.load" else "json.load" for n in names) + " |"
    out = ["Wall time, best of the rounds (x json.load):", "", head, "|---|---|" + "---|" * len(names)]
    for plan, size, res in rows:
        base = res["json.load"].best() if "json.load" in res else None
        cells = []
        for n in names:
            r = res[n]
            if r.failure == "timeout":
                cells.append(f"timeout (> {timeout:.0f} s)")
            elif r.failure:
                cells.append(r.failure)
            else:
                ratio = f" ({r.best() / base:.1f}x)" if base and n != "json.load" else ""
                cells.append(f"{r.best():.2f} s{ratio}")
        out.append(f"| {plan} | {size / 1e6:.1f} MB | " + " | ".join(cells) + " |")
    out += ["", "Peak RSS, largest of the rounds (x json.load):", "", head, "|---|---|" + "---|" * len(names)]
    for plan, size, res in rows:
        base = res["json.load"].rss() if "json.load" in res else None
        cells = []
        for n in names:
            r = res[n]
            if r.rss() is None:
                cells.append("timeout" if r.failure == "timeout" else (r.failure or "-"))
            else:
                ratio = f" ({r.rss() / base:.1f}x)" if base and n != "json.load" else ""
                cells.append(f"{r.rss() / 1024:.0f} MiB{ratio}")
        out.append(f"| {plan} | {size / 1e6:.1f} MB | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("plans", nargs="+", help="plan JSON files (generated or real)")
    ap.add_argument("--runs", type=int, default=3, help="rounds (best of them is reported); default 3")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per command and run; default 300")
    ap.add_argument("--commands", default=",".join(COMMANDS),
                    help=f"comma-separated, from: {', '.join(COMMANDS)} (json.load is always run)")
    ap.add_argument("--tfsg", help="the tfsg command (default: tfsg beside this Python, else python -m tfsg)")
    ap.add_argument("--python", default=sys.executable, help="Python that runs json.load (default: this one)")
    ap.add_argument("--quiet", action="store_true", help="no per-run lines on stderr")
    a = ap.parse_args(argv)
    names = [n.strip() for n in a.commands.split(",") if n.strip()]
    unknown = [n for n in names if n not in COMMANDS]
    if unknown:
        ap.error(f"unknown command(s): {', '.join(unknown)}")
    if "json.load" not in names:
        names.insert(0, "json.load")
    if a.tfsg:
        tfsg = shlex.split(a.tfsg)
    else:
        exe = os.path.join(os.path.dirname(a.python), "tfsg")
        tfsg = [exe] if os.path.exists(exe) else [a.python, "-m", "tfsg"]
    gnu = _gnu_time()
    print(f"tfsg: {' '.join(tfsg)}; json.load: {a.python}; {a.runs} interleaved rounds; timeout {a.timeout:.0f} s; "
          f"peak RSS from {'GNU time' if gnu else 'getrusage(RUSAGE_CHILDREN)'}", file=sys.stderr)
    rows = []
    for plan in a.plans:
        print(f"{plan}:", file=sys.stderr)
        res = compare(plan, names, a.runs, a.timeout, a.python, tfsg, gnu, not a.quiet)
        rows.append((plan, os.path.getsize(plan), res))
    print(table(rows, names, a.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
