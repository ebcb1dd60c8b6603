"""Writing a report: the formats, where each goes, and what never reaches output.

The command line's last step (``cli._emit`` calls ``emit`` once the run's checks are settled):
a report in the format asked for on standard output or in ``--output``, and in each extra
format (``--json``, ``--markdown``, ``--sarif``) in its own file, never over an input or over
another report; secrets scrubbed from the values before any format renders them
(report/scrub.py); names from the input escaped in the plain-text formats.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from enum import Enum
from typing import Any, Optional

from . import __version__
from .errors import UsageError, one_line
from .report.scrub import scrubbed, scrubber


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"
    github = "github"


# Formats written as plain text (a terminal, a CI log): strings from the input are escaped there
_PLAIN = (Format.text, Format.github)


def emit(result: dict, fmt: Format, output: Optional[str], secrets: set[str],
         extra: Optional[dict[Format, Optional[str]]] = None, quiet: bool = False, *,
         source: Optional[str] = None, no_color: bool = False, verbose: bool = False) -> None:
    """Render the result in ``fmt`` to stdout (or ``output``), and in each extra format to its file.
    ``source``: the input (a file or directory no report may replace); ``no_color``: --no-color;
    ``verbose``: the text report's --verbose. Raises UsageError (exit 2) for outputs that would
    replace an input or one another, or that cannot be written."""
    # without -o, the report in --format goes to standard output
    _distinct_outputs(output or "-", extra, source, "--output" if output else f"the {fmt.value} report (--format)")
    result, secrets = scrubbed(result, secrets), set()
    printable: Optional[dict] = None  # the result with control characters escaped (plain-text formats)
    output = None if output == "-" else output  # `-o -`: standard output, as without -o
    for extra_fmt, path in sorted((extra or {}).items()):
        if path:
            if extra_fmt is Format.json:
                _stream_json(result, secrets, None if path == "-" else path)
                continue
            shown = result
            if extra_fmt in _PLAIN:
                printable = shown = printable if printable is not None else _printable(result)
            if path == "-":
                sys.stdout.write(render(shown, extra_fmt))
            else:
                write(path, render(shown, extra_fmt))
    if fmt is Format.json and not quiet:
        _stream_json(result, secrets, output)
        return
    if fmt in _PLAIN:
        # names, descriptions and addresses from the input may hold newlines and terminal
        # escapes: escaped as values (a forged "PASS" line, a cleared screen), not as output
        result = printable if printable is not None else _printable(result)
    # tens of MB on a large plan: written as it goes (scrubbed per line, so not when a secret
    # spans lines: a value printed raw in text may hold a newline)
    if fmt is Format.text and not quiet and result["command"] == "show" and (output or not _color(no_color)) \
            and not any("\n" in s or "\r" in s for s in secrets):
        from .report.text import show_lines

        _stream(show_lines(result), secrets, output)
        return
    text = render(result, fmt, quiet=quiet, verbose=verbose)
    if output:
        write(output, text)
        return
    if fmt is Format.text and _color(no_color):
        from .report.text import colorize

        text = colorize(text)
    sys.stdout.write(text)


def _distinct_outputs(output: Optional[str], extra: Optional[dict[Format, Optional[str]]],
                      source: Optional[str], main: str = "--output") -> None:
    """Each file written once, none of them an input: two formats sent to one path would leave
    one of them (a SARIF upload of the text report), ``-o plan.json`` would replace the plan
    (a hard link of it too), ``-o infra/main.tf`` a source of the directory checked. ``-``
    is standard output, which one report may take."""
    named = [(main, output)] + [(f"--{fmt.value}", path) for fmt, path in sorted((extra or {}).items()) if path]
    seen: dict[Any, str] = {}
    source = str(source or "")
    directory = os.path.realpath(source) if source and source != "-" and os.path.isdir(source) else None
    for flag, path in named:
        if not path or path == os.devnull:
            continue
        if path == "-":
            key: Any = "-"
        else:
            real = os.path.realpath(path)
            key = _identity(real)
            if source and source != "-" and os.path.isfile(source) and key == _identity(os.path.realpath(source)):
                raise UsageError(f"{flag} names the input file; the report would replace it", path)
            if directory is not None and os.path.dirname(real) == directory and \
                    real.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
                raise UsageError(f"{flag} names a file of the configuration checked; the report would replace it",
                                 path)
        if key in seen:
            if key == "-":
                raise UsageError(f"{flag} and {seen[key]} both go to standard output, where one report would "
                                 "mix with the other: send one to a file (--output FILE, or a file for "
                                 f"{flag})", path)
            raise UsageError(f"{flag} and {seen[key]} name the same file; one report would replace the other", path)
        seen[key] = flag


def _identity(real: str) -> Any:
    """A file's (device, inode) when it exists (hard links are one file), else its real path."""
    try:
        st = os.stat(real)
        return (st.st_dev, st.st_ino)
    except OSError:
        return real


def _printable(result: dict) -> dict:
    """``result`` with every string (keys too) through ``errors.one_line``: the result itself when
    no string needs it (most; ``str.isprintable`` runs in C), else a copy."""
    return result if _clean(result) else _escaped(result)


def _clean(value: Any) -> bool:
    """No string in ``value`` holds a character that is not printable (controls, bidirectional
    marks; a no-break space too, which only sends it the slower way)."""
    kind = type(value)
    if kind is str:
        return value.isprintable()
    if kind is dict:
        return all((type(key) is not str or key.isprintable()) and _clean(item) for key, item in value.items())
    if kind is list or kind is tuple:
        return all(map(_clean, value))
    if isinstance(value, (dict, list, tuple, str)):  # subclasses: the same, more slowly
        return _clean(dict(value) if isinstance(value, dict) else str.__str__(value) if isinstance(value, str)
                      else list(value))
    return True


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, dict):
        return {one_line(k) if isinstance(k, str) else k: _escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(v) for v in value]
    return value


def _stream_json(result: dict, secrets: set[str], path: Optional[str]) -> None:
    """The JSON report written line by line (to ``path``, else stdout), each line scrubbed: JSON
    escapes newlines, so no value spans two lines and scrubbing per line is scrubbing it all."""
    from .report.jsonfmt import lines

    _stream(lines(result), secrets, path)


def _stream(lines: Iterator[str], secrets: set[str], path: Optional[str]) -> None:
    """Lines (without newlines) written to ``path``, else stdout, each scrubbed. Only for lines no
    value spans (JSON escapes newlines; text puts one line of the input per line)."""
    try:
        # stdout or a file: the file is closed in the finally below
        fh = open(path, "w", encoding="utf-8", errors="backslashreplace") if path else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", path) from None
    clean = scrubber(secrets)
    try:
        for line in lines:
            fh.write(clean(line) + "\n")
    except OSError as exc:
        if path is None:
            raise
        raise UsageError(f"cannot write: {exc.strerror or exc}", path) from None
    finally:
        if path:
            fh.close()


def render(result: dict, fmt: Format, quiet: bool = False, verbose: bool = False) -> str:
    """The report as text in ``fmt`` (``quiet``: the verdict or summary line only)."""
    if fmt is Format.json:
        from .report.jsonfmt import render

        return render(result)
    if fmt is Format.markdown:
        from .report.markdown import render as markdown

        return markdown(result)
    if fmt is Format.sarif:
        from .report.sarif import render as sarif

        return sarif(result, repo_root=_repo_root(), tool_version=__version__)
    if fmt is Format.github:
        from .report.github import render as github

        return github(result, repo_root=_repo_root())
    from .report.text import render as render_text

    text = render_text(result, verbose=verbose)
    return _quiet(result, text) if quiet else text


def _quiet(result: dict, text: str) -> str:
    """``--quiet``: the one line that matters (the verdict, or the reachability summary)."""
    lines = text.splitlines()
    if result["command"] == "check":
        return lines[0] + "\n"
    if result["command"] == "diff":
        heads = ("Reachability", "No reachability", "No --base", "This is a state")
        keep = [ln for ln in lines if ln.startswith(heads)]
        return "\n".join(keep[:1] or lines[:1]) + "\n"
    return lines[0] + "\n"


def _color(no_color: bool) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR") or no_color:
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _repo_root() -> Optional[str]:
    """Where repository-relative paths (SARIF, annotations) start: the workspace or git top level."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and os.path.isdir(workspace):
        return workspace
    import subprocess

    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def write(path: str, text: str) -> None:
    """``text`` to the file ``path``; UsageError (exit 2) naming it when it cannot be written."""
    try:
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", path) from None
