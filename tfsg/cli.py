"""Command line: the only module that reads argv and env, opens files, prints and picks exit codes.

Exit codes: 0 success, 1 policy failure (``check``), 2 usage or input error.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Any, Optional

import typer

from . import __version__
from .emit import Format, emit, render, write
from .errors import TfsgError, UsageError, one_line
from .report.scrub import scrubbed

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
                  no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Who can reach whom through AWS security groups, before and after a Terraform change.")

_state: dict[str, Any] = {"debug": False}




class Picture(str, Enum):
    mermaid = "mermaid"
    dot = "dot"


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
    no_color: bool = typer.Option(False, "--no-color", help="No colours (also: the NO_COLOR environment variable)."),
    limit: Optional[list[str]] = typer.Option(None, "--limit", metavar="NAME=VALUE", help="Change an input limit "
                                              "(repeatable; also TFSG_MAX_<NAME>; see README, Limits), e.g. "
                                              "plan-bytes=2G, instances=50000, eval-size=none."),
) -> None:
    _state["debug"] = debug or _state["debug"]
    _state["no_color"] = no_color
    from . import limits

    limits.reset()  # this invocation's options and environment only
    limits.set_overrides(limit or [])


PlanArg = typer.Argument(..., metavar="PLAN|DIR", help="`terraform show -json` output (plan or state), - for stdin, "
                                                      "or a directory of .tf files (a root module).")
FormatOpt = typer.Option(Format.text, "--format", "-f",
                         help="Output format (sarif and github carry findings: `tfsg check` only).")
OutputOpt = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
SourceOpt = typer.Option(None, "--source", metavar="DIR", help="Directory of the .tf sources the plan was made from "
                                                "(default: the plan's directory when it holds .tf files).")
NoSourceOpt = typer.Option(False, "--no-sources", help="Do not read .tf sources even if they sit beside the plan.")
HopsOpt = typer.Option(4, "--max-hops", min=1, max=16, help="Longest path from the internet to report.")
DebugOpt = typer.Option(False, "--debug", help="Show tracebacks for errors.")
JsonFileOpt = typer.Option(None, "--json", metavar="FILE", help="Also write the JSON report to FILE.")
MarkdownFileOpt = typer.Option(None, "--markdown", metavar="FILE", help="Also write the Markdown report "
                                                                         "(pull-request comment) to FILE.")
SarifFileOpt = typer.Option(None, "--sarif", metavar="FILE", help="Also write SARIF 2.1.0 (code scanning) to FILE.")
ExpandOpt = typer.Option(False, "--expand", help="List every group pair that CIDR rules connect as a flow "
                                                  "(default: one row per admitted block and set of groups).")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Text output: only the verdict or summary line.")
BaseOpt = typer.Option(None, "--base", metavar="REV", help="With a directory: compare with the same directory at this "
                                                           "git revision (read from git, no checkout).")
VarOpt = typer.Option(None, "--var", metavar="NAME=VALUE", help="With a directory: set a root variable (repeatable).")
VarFileOpt = typer.Option(None, "--var-file", metavar="FILE", help="With a directory: read variable values from a "
                                                                   ".tfvars file (repeatable).")


def _load(target: str, source: Optional[str], no_sources: bool, base: Optional[str] = None,
          variables: Optional[list[str]] = None, var_files: Optional[list[str]] = None, compare: bool = True):
    """A plan or state file, or a directory of .tf files (HCL mode)."""
    _state["input"] = target  # named by an internal error, should one escape
    if target != "-" and os.path.isdir(target):
        from .sources.hcl.load import VariableInputs, load_directory

        if source is not None:
            raise UsageError("--source applies to plan files; a directory is its own source", "--source")
        inputs = VariableInputs(list(var_files or []), list(variables or []))
        inputs.ordered = _argv_order(inputs)
        return load_directory(target, base=base, compare=compare, inputs=inputs)
    if base is not None or variables or var_files:
        raise UsageError("--base, --var and --var-file apply to a directory of .tf files, not to a plan",
                         "--base" if base is not None else "--var")
    from .sources.plan import load_plan

    if source is not None and not os.path.isdir(source):
        raise UsageError("--source must be a directory of .tf files", source)
    return load_plan(target, source_dir=source, auto_sources=not no_sources)


def _argv_order(inputs) -> Optional[list[tuple[str, str]]]:
    """--var and --var-file in command-line order (typer collects each into its own list)."""
    out: list[tuple[str, str]] = []
    argv = sys.argv[1:]
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            break
        if arg in ("--var", "--var-file") and i + 1 < len(argv):
            out.append(("var" if arg == "--var" else "file", argv[i + 1]))
            i += 2
            continue
        for flag, kind in (("--var=", "var"), ("--var-file=", "file")):
            if arg.startswith(flag):
                out.append((kind, arg[len(flag):]))
        i += 1
    # Called another way (tests, embedding): argv does not describe this call; keep typer's lists.
    if sorted(v for k, v in out if k == "var") != sorted(inputs.assignments) or \
            sorted(v for k, v in out if k == "file") != sorted(inputs.var_files):
        return None
    return out


def _graphs(loaded, max_hops: int):
    """Flow graphs of both sides (before is None for a state); after reuses before's work."""
    from .graph import FlowGraph

    if loaded.before is not None and loaded.before is not loaded.after:
        from .sources.lbs import close_like

        close_like(loaded.before, loaded.after)
    before = FlowGraph(loaded.before, max_hops=max_hops) if loaded.before is not None else None
    if loaded.before is loaded.after:  # a directory checked without --base: one snapshot
        return before, before
    after = FlowGraph(loaded.after, max_hops=max_hops, base=before)
    _keep(loaded, before, after)
    _paths_aside(before, after)
    return before, after


# Below this many groups and resources in a snapshot, its paths take milliseconds: no process.
PATHS_ASIDE_SIZE = 1000


def _paths_aside(*graphs) -> None:
    """The paths from the internet of large graphs, computed in a forked child while the command
    goes on (forked.py: the same paths, computed here if the child cannot)."""
    from .forked import Forked, forced, wanted

    force = forced()
    large = [g for g in dict.fromkeys(graphs) if g is not None and
             (force or len(g.snap.groups) + len(g.snap.attachments) >= PATHS_ASIDE_SIZE)]
    if not large or not wanted():
        return
    handle = Forked(lambda: [g.group_paths() for g in large])
    for index, graph in enumerate(large):
        graph.defer_group_paths(handle, index)


def _check_aside() -> None:
    """A large plan's structural check may run in a second process (sources/validate/aside.py):
    these commands settle it before writing anything (``_emit``) or reporting an error."""
    from .sources.validate import aside

    aside.enable()


def _settle() -> None:
    aside = sys.modules.get("tfsg.sources.validate.aside")
    if aside is not None:
        aside.settle()


def _settled(exc: BaseException) -> BaseException:
    """The error to report: the plan's structural problem, when the check aside found one (it
    names what the model then tripped over), else ``exc``."""
    try:
        _settle()
    except TfsgError as found:
        return found
    return exc


def _keep(*objects: Any) -> None:
    """Hold the run's large objects until the process ends: ``run()`` leaves without tearing
    the interpreter down, so they are never freed one by one (on a 5,000-group plan freeing the
    parsed plan, the snapshots and the graphs when a command returns took ~0.35 s)."""
    _state.setdefault("keep", []).extend(objects)


def _emit(result: dict, fmt: Format, output: Optional[str], secrets: set[str],
          extra: Optional[dict[Format, Optional[str]]] = None, quiet: bool = False) -> None:
    """The report (emit.py), once a plan checked in a second process has its verdict."""
    _settle()
    _keep(result)
    emit(result, fmt, output, secrets, extra, quiet, source=_state.get("input"),
         no_color=bool(_state.get("no_color")), verbose=bool(_state.get("verbose")))


@app.command()
def show(plan: str = PlanArg, format: Format = FormatOpt, output: Optional[str] = OutputOpt,
         source: Optional[str] = SourceOpt, no_sources: bool = NoSourceOpt, max_hops: int = HopsOpt,
         var: Optional[list[str]] = VarOpt, var_file: Optional[list[str]] = VarFileOpt,
         json_file: Optional[str] = JsonFileOpt, markdown_file: Optional[str] = MarkdownFileOpt,
         expand: bool = ExpandOpt, quiet: bool = QuietOpt, debug: bool = DebugOpt) -> None:
    """Describe the network after the change: groups, flows, exposure, paths from the internet."""
    _state["debug"] = debug or _state["debug"]
    _findings_format(format, "show")
    _check_aside()
    from .graph import FlowGraph
    from .result import show as show_result

    loaded = _load(plan, source, no_sources, None, var, var_file, compare=False)
    graph = FlowGraph(loaded.after, max_hops=max_hops)
    _keep(loaded, graph)
    _paths_aside(graph)
    _emit(show_result(loaded, graph, expand=expand), format, output, loaded.secrets,
          {Format.json: json_file, Format.markdown: markdown_file}, quiet)


@app.command()
def diff(plan: str = PlanArg, format: Format = FormatOpt, output: Optional[str] = OutputOpt,
         source: Optional[str] = SourceOpt, no_sources: bool = NoSourceOpt, max_hops: int = HopsOpt,
         base: Optional[str] = BaseOpt, var: Optional[list[str]] = VarOpt,
         var_file: Optional[list[str]] = VarFileOpt, json_file: Optional[str] = JsonFileOpt,
         markdown_file: Optional[str] = MarkdownFileOpt, expand: bool = ExpandOpt, quiet: bool = QuietOpt,
         debug: bool = DebugOpt) -> None:
    """Describe what the change does to reachability: flows, exposure and paths added and removed."""
    _state["debug"] = debug or _state["debug"]
    _findings_format(format, "diff")
    _check_aside()
    from .result import diff as diff_result

    loaded = _load(plan, source, no_sources, base, var, var_file)
    before, after = _graphs(loaded, max_hops)
    result = diff_result(loaded, before or after, after, expand=expand)
    if getattr(loaded, "base", "") is None:
        result["note"] = "No --base revision: nothing to compare. Use `--base REV` (e.g. --base origin/main)."
    if before is None:
        result["note"] = "This is a state, not a plan: one snapshot, nothing to compare. Use `tfsg show`."
    _emit(result, format, output, loaded.secrets, {Format.json: json_file, Format.markdown: markdown_file}, quiet)


def _findings_format(fmt: "Format", command: str) -> None:
    """SARIF and workflow annotations carry findings, which only check has: an empty report that
    exits 0 would read as "nothing wrong" in code scanning."""
    if fmt in (Format.sarif, Format.github):
        raise UsageError(f"{fmt.value} reports findings, which `tfsg {command}` does not compute; "
                         f"use `tfsg check` (or --format text|json|markdown)", "--format")


class Trust(str, Enum):
    """Where the configuration or the waivers come from (policy/trust.py)."""

    head = "head"
    base = "base"


class Severity(str, Enum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


@app.command()
def check(plan: str = PlanArg, format: Format = FormatOpt, output: Optional[str] = OutputOpt,
          source: Optional[str] = SourceOpt, no_sources: bool = NoSourceOpt, max_hops: int = HopsOpt,
          config: Optional[str] = typer.Option(None, "--config", "-c", metavar="FILE", help="Configuration file "
                                               "(default: .tfsg.yml found from the current directory up to the "
                                               "repository root; without one, the baseline pack)."),
          fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Lowest severity of an introduced "
                                                     "finding that fails the check (default: high, or fail_on "
                                                     "in the configuration)."),
          fail_on_existing: bool = typer.Option(False, "--fail-on-existing",
                                                help="Fail on findings that were already there, too."),
          base: Optional[str] = BaseOpt, var: Optional[list[str]] = VarOpt,
          var_file: Optional[list[str]] = VarFileOpt, json_file: Optional[str] = JsonFileOpt,
          markdown_file: Optional[str] = MarkdownFileOpt, sarif_file: Optional[str] = SarifFileOpt,
          expand: bool = ExpandOpt, quiet: bool = QuietOpt,
          verbose: bool = typer.Option(False, "--verbose", "-v", help="Text output: also list the info-level "
                                                                      "findings that were already there."),
          config_search: Optional[str] = typer.Option(None, "--config-search", metavar="DIR", help="Look for "
                                                      ".tfsg.yml from DIR up to the repository root (default: the "
                                                      "current directory)."),
          config_from: Trust = typer.Option(Trust.head, "--config-from", help="With --base (a plan too): judge "
                                            "the change by its own configuration (head) or by the base revision's "
                                            "(base, read from git); how they differ is reported either way."),
          waivers_from: Trust = typer.Option(Trust.head, "--waivers-from", help="With --base: the tfsg:ignore "
                                             "waivers that apply: all (head) or only those the base revision has "
                                             "(base); those the change adds are listed either way."),
          audit_state: bool = typer.Option(False, "--audit-state", help="Judge a state (`terraform show -json` "
                                            "without a plan file) as a snapshot, every finding introduced; "
                                            "without it a state is refused: it holds no change to gate."),
          debug: bool = DebugOpt) -> None:
    """The gate: evaluate policies on the change; exit 0 pass, 1 blocking finding, 2 error."""
    _state["debug"] = debug or _state["debug"]
    _state["verbose"] = verbose
    _check_aside()
    from .policy.trust import load as load_policy

    trust = load_policy(config, config_search or ".", base, config_from.value, waivers_from.value,
                        plan if plan != "-" and os.path.isdir(plan) else None)
    result, passed, secrets = _gate(trust.config, plan, source, no_sources, base, var, var_file, max_hops,
                                    fail_on, fail_on_existing, expand, trust, audit_state)
    _emit(result, format, output, secrets,
          {Format.json: json_file, Format.markdown: markdown_file, Format.sarif: sarif_file}, quiet)
    raise typer.Exit(0 if passed else 1)


def _gate(cfg, target: str, source: Optional[str], no_sources: bool, base: Optional[str],
          var: Optional[list[str]], var_file: Optional[list[str]], max_hops: int,
          fail_on: Optional["Severity"], fail_on_existing: bool, expand: bool = False,
          trust=None, audit_state: bool = False) -> tuple[dict, bool, set[str]]:
    from .policy.gate import run_gate
    from .result import check as check_result
    from .result import diff as diff_result

    # ``trust`` (policy/trust.py) reads the configuration and waivers at --base; a plan holds both
    # sides of the network itself, so with a plan --base names that revision only
    is_dir = target != "-" and os.path.isdir(target)
    loaded = _load(target, source, no_sources, base if trust is None or is_dir else None, var, var_file)
    if loaded.before is None and not is_dir and not audit_state:
        # `terraform show -json` without the plan file prints the state (exit 0): gating it would
        # pass a change that was never read (an empty workspace's state is an empty network)
        from .errors import InputError

        raise InputError("this is a state, not a plan: it holds no change to gate (`terraform show -json` was given "
                         "no plan file: use `terraform show -json PLANFILE`); `--audit-state` judges a state as a "
                         "snapshot", target)
    before, after = _graphs(loaded, max_hops)
    # A directory without --base is a scan with no baseline: what is there is what is judged,
    # so every finding counts as introduced and blocks at --fail-on (a gate must not pass a
    # world-open SSH rule because nothing was compared).
    no_baseline = getattr(loaded, "base", "") is None
    _keep(loaded, before, after)
    verdict = run_gate(cfg, None if no_baseline else before, after, fail_on=fail_on.value if fail_on else None,
                       fail_on_existing=fail_on_existing, source_dir=loaded.source_dir,
                       inline=trust.inline(loaded.source_dir) if trust is not None else None)
    rationales = {p.id: p.rationale for p in cfg.policies}
    result = check_result(diff_result(loaded, before or after, after, expand=expand), verdict, cfg.path, rationales)
    if trust is not None:
        trust.annotate(result)  # the configuration's changes and the waivers this change adds
    if loaded.before is None:
        result["note"] = ("This is a state, not a plan: one snapshot with no baseline, every finding counts as "
                          "introduced.")
    if no_baseline:
        result["note"] = ("No --base revision: a scan with no baseline, every finding counts as introduced. "
                          "Give --base REV (e.g. origin/main) to gate only what a change introduces.")
    if not cfg.policies:  # a pass that judged nothing says so (a configuration that disables all)
        result["note"] = " ".join(filter(None, ("No policy is in effect (the configuration disables every policy): "
                                                "nothing was judged.", result.get("note"))))
    return result, verdict.passed, loaded.secrets


@app.command(name="pre-commit")
def pre_commit(files: Optional[list[str]] = typer.Argument(None, metavar="[FILES]...",
                                                           help="Changed files (pre-commit passes them)."),
               root: Optional[list[str]] = typer.Option(None, "--root", metavar="DIR",
                                                        help="Root module(s) to check, instead of the "
                                                             "directories of the changed .tf files."),
               base: str = typer.Option("HEAD", "--base", metavar="REV", help="Compare with this revision."),
               config: Optional[str] = typer.Option(None, "--config", "-c", metavar="FILE", help="Configuration file."),
               fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Lowest blocking severity."),
               var_file: Optional[list[str]] = VarFileOpt, debug: bool = DebugOpt) -> None:
    """For pre-commit: check each changed root module (or plan JSON) against HEAD; exit 1 on a block.

    .tf, .tf.json and .tfvars files select their directories; .json files are checked as plans.
    """
    _state["debug"] = debug or _state["debug"]
    from .policy.load import load_config

    plans = sorted({f for f in files or [] if f.endswith(".json") and not f.endswith(".tf.json")})
    dirs = sorted(set(root or []) or {os.path.dirname(f) or "." for f in files or []
                                      if f.endswith((".tf", ".tf.json", ".tfvars"))})
    dirs = [d for d in dirs if root or any(n.endswith((".tf", ".tf.json")) for n in _listdir(d))]
    if not root and dirs:
        # a changed local module is checked through every root module that calls it (directly or
        # through other local modules): its callers' arguments decide what it opens
        from .sources.hcl.callers import roots_calling

        reached = roots_calling(dirs)
        dirs = sorted({os.path.relpath(r) for d in dirs for r in reached.get(os.path.realpath(d), [d])})
    cfg = load_config(config, discover_from=".")
    failed = False
    for target in dirs + plans:
        is_dir = os.path.isdir(target)
        # a revision that does not exist is an error (exit 2 naming it); a repository without
        # commits is an empty base: everything is new (sources/hcl/files.py unborn)
        revision = base if is_dir else None
        result, passed, secrets = _gate(cfg, target, None, False, revision, None,
                                        var_file if is_dir else None, 4, fail_on, False)
        if not passed:
            failed = True
            sys.stdout.write(render(scrubbed(result, secrets), Format.text, verbose=bool(_state.get("verbose"))) + "\n")
        else:  # one line per root checked, naming it
            sys.stdout.write(f"{target}: " + render(scrubbed(result, secrets), Format.text, quiet=True))
    raise typer.Exit(1 if failed else 0)


def _listdir(directory: str) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


@app.command()
def graph(plan: str = PlanArg, format: Picture = typer.Option(Picture.mermaid, "--format", "-f",
                                                              help="Mermaid (renders in GitHub Markdown) or "
                                                                   "Graphviz DOT."),
          output: Optional[str] = OutputOpt, source: Optional[str] = SourceOpt, no_sources: bool = NoSourceOpt,
          max_hops: int = HopsOpt, base: Optional[str] = BaseOpt, var: Optional[list[str]] = VarOpt,
          var_file: Optional[list[str]] = VarFileOpt, debug: bool = DebugOpt) -> None:
    """The flow graph as a picture; for a plan (or a directory with --base), the change."""
    _state["debug"] = debug or _state["debug"]
    from .report import picture
    from .result import diff as diff_result
    from .result import show as show_result

    loaded = _load(plan, source, no_sources, base, var, var_file, compare=False)
    if loaded.before is None:
        from .graph import FlowGraph

        result = show_result(loaded, FlowGraph(loaded.after, max_hops=max_hops))
    else:
        before, after = _graphs(loaded, max_hops)
        result = diff_result(loaded, before, after)
    result = scrubbed(result, loaded.secrets)
    text = picture.mermaid(result) if format is Picture.mermaid else picture.dot(result)
    text = text if text.endswith("\n") else text + "\n"
    if output:
        write(output, text)
    else:
        sys.stdout.write(text)


@app.command()
def policies(config: Optional[str] = typer.Option(None, "--config", "-c", metavar="FILE", help="Configuration file."),
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
def schema(report: bool = typer.Option(False, "--report",
                                       help="The JSON report schema instead of the policy schema.")) -> None:
    """Print the JSON Schema of policy files and .tfsg.yml (for editors), or of the JSON report."""
    from importlib import resources

    folder, name = ("schemas", "report-v2.json") if report else ("policy", "schema.json")
    # one step per joinpath: Traversable.joinpath takes several only from Python 3.11
    text = resources.files("tfsg").joinpath(folder).joinpath(name).read_text(encoding="utf-8")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


_GLOBAL = ("--no-color",)
_GLOBAL_VALUED = ("--limit",)  # global options that take a value


def _global_options_first(argv: list[str]) -> None:
    """``tfsg check plan.json --no-color`` as well as ``tfsg --no-color check plan.json``: global
    options written after the subcommand are moved before it (click reads them there only)."""
    end = argv.index("--") if "--" in argv else len(argv)
    command = 1  # the subcommand: the first argument that is neither a global option nor its value
    while command < end and argv[command].startswith("-"):
        command += 2 if argv[command] in _GLOBAL_VALUED else 1
    found: list[str] = []
    rest: list[str] = []
    i = command + 1
    while i < end:
        arg = argv[i]
        if arg in _GLOBAL or arg.startswith(tuple(f"{o}=" for o in _GLOBAL_VALUED)):
            found.append(arg)
        elif arg in _GLOBAL_VALUED and i + 1 < end:
            found += [arg, argv[i + 1]]
            i += 1
        else:
            rest.append(arg)
        i += 1
    if found and command < end:
        argv[command:end] = found + [argv[command]] + rest


def main() -> None:
    """Entry point: turn TfsgError into one line on stderr and exit 2."""
    _global_options_first(sys.argv)
    for stream in (sys.stdout, sys.stderr):
        # a character no encoding can write (a lone surrogate from a decoded escape) is shown
        # escaped rather than ending the run with a UnicodeEncodeError
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    debug = "--debug" in sys.argv[1:]
    # A short-lived process over one large JSON tree: the cyclic collector would re-scan the
    # millions of parsed objects again and again (~25% of run time) and finds almost nothing.
    import gc

    gc.disable()
    try:
        code = app(standalone_mode=False)  # usage errors reach us: one line, as any bad input
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Abort:
        sys.exit(130)
    except TfsgError as exc:
        exc = _settled(exc)  # type: ignore[assignment]
        if debug or _state["debug"]:
            raise exc
        sys.stderr.write(f"tfsg: error: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except MemoryError:  # an input past the memory this process may use: bad input, one line
        _report_settled(debug)
        if debug or _state["debug"]:
            raise
        where = one_line(str(_state["input"]))[:200] if _state.get("input") else "the input"
        sys.stderr.write(f"tfsg: error: {where}: too large for the memory available (lower the limits, "
                         "see `tfsg --help` on --limit, or give the process more memory)\n")
        sys.exit(2)
    except Exception as exc:  # a bug, not the user's fault; still one line unless --debug
        if type(exc).__name__ == "NoArgsIsHelpError":  # `tfsg` alone: the help, as click shows it
            sys.stdout.write(exc.format_message() + "\n")  # type: ignore[attr-defined]
            sys.exit(2)
        if any(c.__name__ == "UsageError" for c in type(exc).__mro__):  # click's (typer vendors it)
            ctx = getattr(exc, "ctx", None)
            where = getattr(ctx, "command_path", None) or "tfsg"
            sys.stderr.write(f"tfsg: error: {one_line(exc.format_message())} (see `{where} --help`)\n")  # type: ignore[attr-defined]
            sys.exit(2)
        _report_settled(debug)
        if debug or _state["debug"]:
            raise

        where = f" reading {one_line(str(_state['input']))[:200]}" if _state.get("input") else ""
        sys.stderr.write(f"tfsg: internal error{where}: {type(exc).__name__}: {one_line(str(exc))[:300]} "
                         "(a bug in tfsg: please report it; run with --debug for the traceback)\n")
        sys.exit(2)


def _report_settled(debug: bool) -> None:
    """Before reporting a failure of tfsg itself: a plan the check aside refused is bad input."""
    found = _settled(None)  # type: ignore[arg-type]
    if found is not None:
        if debug or _state["debug"]:
            raise found
        sys.stderr.write(f"tfsg: error: {found}\n")
        sys.exit(found.exit_code)  # type: ignore[attr-defined]


def run() -> None:
    """The console entry point (``tfsg``, ``python -m tfsg``): ``main()``, then leave without
    tearing the interpreter down. Freeing the millions of objects of a large plan one by one
    takes most of a second and serves nothing at exit; output is flushed first. (``main()``
    stays the in-process entry for callers that go on running.)"""
    code: int = 0
    try:
        main()
    except SystemExit as exc:
        if isinstance(exc.code, str):  # as Python does: the message to stderr, status 1
            sys.stderr.write(exc.code + "\n")
            code = 1
        else:
            code = exc.code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError):
            pass
    os._exit(code)
