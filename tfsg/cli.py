"""Command line: the only module that reads argv and env, opens files, prints and picks exit codes.

Exit codes: 0 success, 1 policy failure (``check``), 2 usage or input error.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Optional

import typer

from . import __version__
from .errors import TfsgError, UsageError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
                  no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Who can reach whom through AWS security groups, before and after a Terraform change.")

_state = {"debug": False}


class Format(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        import importlib.metadata as md

        try:
            hcl = md.version("python-hcl2")
        except md.PackageNotFoundError:
            hcl = "not installed"
        typer.echo(f"tfsg {__version__} (python-hcl2 {hcl})")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print versions and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    _state["debug"] = debug or _state["debug"]


PlanArg = typer.Argument(..., metavar="PLAN|DIR", help="`terraform show -json` output (plan or state), - for stdin, "
                                                      "or a directory of .tf files (a root module).")
FormatOpt = typer.Option(Format.text, "--format", "-f", help="Output format.")
OutputOpt = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout.")
SourceOpt = typer.Option(None, "--source", help="Directory of the .tf sources the plan was made from "
                                                "(default: the plan's directory when it holds .tf files).")
NoSourceOpt = typer.Option(False, "--no-sources", help="Do not read .tf sources even if they sit beside the plan.")
HopsOpt = typer.Option(4, "--max-hops", min=1, max=16, help="Longest path from the internet to report.")
DebugOpt = typer.Option(False, "--debug", help="Show tracebacks for errors.")
BaseOpt = typer.Option(None, "--base", metavar="REV", help="With a directory: compare with the same directory at this "
                                                           "git revision (read from git, no checkout).")
VarOpt = typer.Option(None, "--var", metavar="NAME=VALUE", help="With a directory: set a root variable (repeatable).")
VarFileOpt = typer.Option(None, "--var-file", metavar="FILE", help="With a directory: read variable values from a "
                                                                   ".tfvars file (repeatable).")


def _load(target: str, source: Optional[str], no_sources: bool, base: Optional[str] = None,
          variables: Optional[list[str]] = None, var_files: Optional[list[str]] = None, compare: bool = True):
    """A plan or state file, or a directory of .tf files (HCL mode)."""
    if target != "-" and os.path.isdir(target):
        from .sources.hcl.load import VariableInputs, load_directory

        if source is not None:
            raise UsageError("--source applies to plan files; a directory is its own source", "--source")
        return load_directory(target, base=base, compare=compare,
                              inputs=VariableInputs(list(var_files or []), list(variables or [])))
    if base is not None or variables or var_files:
        raise UsageError("--base, --var and --var-file apply to a directory of .tf files, not to a plan",
                         "--base" if base is not None else "--var")
    from .sources.plan import load_plan

    if source is not None and not os.path.isdir(source):
        raise UsageError("--source must be a directory of .tf files", source)
    return load_plan(target, source_dir=source, auto_sources=not no_sources)


def _graphs(loaded, max_hops: int):
    """Flow graphs of both sides (before is None for a state); after reuses before's work."""
    from .graph import FlowGraph

    before = FlowGraph(loaded.before, max_hops=max_hops) if loaded.before is not None else None
    if loaded.before is loaded.after:  # a directory checked without --base: one snapshot
        return before, before
    return before, FlowGraph(loaded.after, max_hops=max_hops, base=before)


def _emit(result: dict, fmt: Format, output: Optional[str], secrets: set[str]) -> None:
    if fmt is Format.json:
        from .report.jsonfmt import render
    else:
        from .report.text import render
    text = scrub(render(result), secrets)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"cannot write: {exc.strerror or exc}", output) from None
    else:
        sys.stdout.write(text)


def scrub(text: str, secrets: set[str]) -> str:
    """Belt and braces: a value marked sensitive never reaches output, even where the
    provider copied it into an unmarked attribute (``tags_all``, REFERENCE A.5)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "(sensitive)")
    return text


@app.command()
def show(plan: str = PlanArg, format: Format = FormatOpt, output: Optional[str] = OutputOpt,
         source: Optional[str] = SourceOpt, no_sources: bool = NoSourceOpt, max_hops: int = HopsOpt,
         var: Optional[list[str]] = VarOpt, var_file: Optional[list[str]] = VarFileOpt,
         debug: bool = DebugOpt) -> None:
    """Describe the network after the change: groups, flows, exposure, paths from the internet."""
    _state["debug"] = debug or _state["debug"]
    from .graph import FlowGraph
    from .result import show as show_result

    loaded = _load(plan, source, no_sources, None, var, var_file, compare=False)
    graph = FlowGraph(loaded.after, max_hops=max_hops)
    _emit(show_result(loaded, graph), format, output, loaded.secrets)


@app.command()
def diff(plan: str = PlanArg, format: Format = FormatOpt, output: Optional[str] = OutputOpt,
         source: Optional[str] = SourceOpt, no_sources: bool = NoSourceOpt, max_hops: int = HopsOpt,
         base: Optional[str] = BaseOpt, var: Optional[list[str]] = VarOpt,
         var_file: Optional[list[str]] = VarFileOpt, debug: bool = DebugOpt) -> None:
    """Describe what the change does to reachability: flows, exposure and paths added and removed."""
    _state["debug"] = debug or _state["debug"]
    from .result import diff as diff_result

    loaded = _load(plan, source, no_sources, base, var, var_file)
    before, after = _graphs(loaded, max_hops)
    result = diff_result(loaded, before or after, after)
    if getattr(loaded, "base", "") is None:
        result["note"] = "No --base revision: nothing to compare. Use `--base REV` (e.g. --base origin/main)."
    if before is None:
        result["note"] = "This is a state, not a plan: one snapshot, nothing to compare. Use `tfsg show`."
    _emit(result, format, output, loaded.secrets)


class Severity(str, Enum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


@app.command()
def check(plan: str = PlanArg, format: Format = FormatOpt, output: Optional[str] = OutputOpt,
          source: Optional[str] = SourceOpt, no_sources: bool = NoSourceOpt, max_hops: int = HopsOpt,
          config: Optional[str] = typer.Option(None, "--config", "-c", help="Configuration file "
                                               "(default: .tfsg.yml found from the current directory up to the "
                                               "repository root; without one, the baseline pack)."),
          fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Lowest severity of an introduced "
                                                     "finding that fails the check (default: high, or fail_on "
                                                     "in the configuration)."),
          fail_on_existing: bool = typer.Option(False, "--fail-on-existing",
                                                help="Fail on findings that were already there, too."),
          base: Optional[str] = BaseOpt, var: Optional[list[str]] = VarOpt,
          var_file: Optional[list[str]] = VarFileOpt, debug: bool = DebugOpt) -> None:
    """The gate: evaluate policies on the change; exit 0 pass, 1 blocking finding, 2 error."""
    _state["debug"] = debug or _state["debug"]
    from .policy.gate import run_gate
    from .policy.load import load_config
    from .result import check as check_result
    from .result import diff as diff_result

    cfg = load_config(config, discover_from=".")
    loaded = _load(plan, source, no_sources, base, var, var_file)
    before, after = _graphs(loaded, max_hops)
    verdict = run_gate(cfg, before, after, fail_on=fail_on.value if fail_on else None,
                       fail_on_existing=fail_on_existing, source_dir=loaded.source_dir)
    result = check_result(diff_result(loaded, before or after, after), verdict, cfg.path)
    _emit(result, format, output, loaded.secrets)
    raise typer.Exit(0 if verdict.passed else 1)


@app.command()
def policies(config: Optional[str] = typer.Option(None, "--config", "-c", help="Configuration file."),
             debug: bool = DebugOpt) -> None:
    """List the policies in effect and where each came from."""
    _state["debug"] = debug or _state["debug"]
    from .policy.load import load_config

    cfg = load_config(config, discover_from=".")
    typer.echo(f"configuration: {cfg.path or 'none (baseline pack)'}; fail on: {cfg.fail_on} and above")
    for p in sorted(cfg.policies, key=lambda p: p.id):
        typer.echo(f"{p.id:<14} {p.severity:<8} {p.kind:<18} {p.title}  [{p.origin}]")
    for w in cfg.waivers:
        typer.echo(f"waiver: {w.policy} {w.address} until {w.expires or 'no expiry'}: {w.reason}  [{w.origin}]")


@app.command()
def schema(report: bool = typer.Option(False, "--report", help="The JSON report schema instead of the policy schema.")) -> None:
    """Print the JSON Schema of policy files and .tfsg.yml (for editors), or of the JSON report."""
    from importlib import resources

    path = ("schemas", "report-v1.json") if report else ("policy", "schema.json")
    text = resources.files("tfsg").joinpath(*path).read_text(encoding="utf-8")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def main() -> None:
    """Entry point: turn TfsgError into one line on stderr and exit 2."""
    debug = "--debug" in sys.argv[1:]
    # A short-lived process over one large JSON tree: the cyclic collector would re-scan the
    # millions of parsed objects again and again (~25% of run time) and finds almost nothing.
    import gc

    gc.disable()
    try:
        app()
    except TfsgError as exc:
        if debug or _state["debug"]:
            raise
        sys.stderr.write(f"tfsg: error: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug, not the user's fault; still one line unless --debug
        if debug or _state["debug"]:
            raise
        sys.stderr.write(f"tfsg: internal error: {type(exc).__name__}: {exc} (run with --debug for details)\n")
        sys.exit(2)
