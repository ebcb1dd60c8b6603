"""Markdown the action writes around text it did not write itself.

The action runs on untrusted pull requests: a path, an error message (which may quote a path
or a line of a .tf file from the branch), a configuration name, anything read from the event
payload may hold Markdown or HTML. Whatever of it reaches a comment or the job summary goes
through one of these, so the bot never posts a heading, a link, an image, an @mention or HTML
that the branch under review chose:

- ``code_block``: a fenced block whose fence is longer than any run of backticks in the text
  (CommonMark closes a fence only with a run at least as long), so no line inside can close
  it; inside a fence nothing is Markdown or HTML.
- ``inline``: a one-line code span, delimited the same way.
- ``clean``: control characters shown as ``\\xNN`` (a NUL or an escape sequence in a comment
  helps nobody); newlines and tabs are kept for code blocks.
"""

from __future__ import annotations

import re

_BACKTICKS = re.compile("`+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Control characters other than newline and tab as ``\\xNN``; CR LF and CR as newlines."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def fence_for(text: str, least: int = 3) -> str:
    """A backtick fence longer than every backtick run in ``text`` (at least ``least``)."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(least, longest + 1)


def code_block(text: str, info: str = "text") -> str:
    """``text`` verbatim in a fenced code block that nothing in it can close."""
    body = clean(text).strip("\n")
    fence = fence_for(body)
    return f"{fence}{info}\n{body}\n{fence}"


def inline(text: str, limit: int = 200) -> str:
    """``text`` as one code span (one line, shortened past ``limit`` characters)."""
    one = " ".join(clean(text).replace("\t", " ").split("\n"))
    if len(one) > limit:
        one = one[: limit - 1] + "…"
    if not one:
        return "—"
    ticks = "`" * (max((len(run) for run in _BACKTICKS.findall(one)), default=0) + 1)
    # a span that starts or ends with a backtick (or a space) needs a space inside the fence
    pad = " " if one[0] in "` " or one[-1] in "` " else ""
    return f"{ticks}{pad}{one}{pad}{ticks}"


_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def open_fence(markdown: str) -> str | None:
    """The fence that closes the code block still open at the end of ``markdown``, or None.

    CommonMark: a fence opens with three or more backticks or tildes (a backtick fence has no
    backtick in its info string) and closes with the same character, at least as many, and
    nothing but spaces after it."""
    current: str | None = None
    for line in markdown.split("\n"):
        m = _FENCE_LINE.match(line)
        if not m:
            continue
        run, rest = m.group(1), m.group(2)
        if current is None:
            if run[0] == "`" and "`" in rest:
                continue  # an inline code span, not a fence
            current = run
        elif run[0] == current[0] and len(run) >= len(current) and not rest.strip():
            current = None
    return current
