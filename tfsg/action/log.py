"""The action's log lines.

The runner reads a stdout or stderr line as a workflow command when it starts with ``::``
after leading spaces are trimmed, or when it holds the legacy ``##[command]`` form anywhere
(actions/runner ActionCommand.TryParseV2 and TryParse). Text the action did not write (a
path, an error message quoting the branch under review) must do neither: it could raise
annotations, or mask or stop the log's commands.
"""

from __future__ import annotations

import sys

_JOINER = "\u2060"  # invisible; splits ``##[`` so the legacy parser does not see it


def command(kind: str, message: str, **props: str) -> None:
    """``::warning title=..::message`` on stdout; the message may span lines."""
    from ..report.github import command as workflow_command  # escaped as @actions/core does

    sys.stdout.write(workflow_command(kind, message.rstrip(), **props) + "\n")
    sys.stdout.flush()


def defuse(line: str) -> str:
    """One line of someone else's text, made inert for the runner's command parsers."""
    line = line.replace("##[", f"#{_JOINER}#[")
    return "> " + line if line.lstrip().startswith("::") else line


def say(message: str) -> None:
    """One line ``tfsg: ...``: line breaks in ``message`` are shown, not written."""
    one = message.replace("\r", "\\r").replace("\n", "\\n")
    sys.stdout.write(defuse(f"tfsg: {one}") + "\n")
    sys.stdout.flush()


def passthrough(text: str) -> None:
    """tfsg's own stderr, to the log, each line defused."""
    sys.stderr.write("".join(defuse(line) + "\n" for line in text.splitlines()))
    sys.stderr.flush()
