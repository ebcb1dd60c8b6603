"""One exception family with a user-facing message and a location; the CLI prints it on one line."""

from __future__ import annotations

import re
from typing import Optional


class TfsgError(Exception):
    """An error the user can act on. ``where`` is ``file`` or ``file:line:col``."""

    exit_code = 2

    def __init__(self, message: str, where: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return one_line(f"{self.where}: {self.message}" if self.where else self.message)


def one_line(text: str) -> str:
    """``text`` with control characters escaped (``\\x0a``): a path or value from the input may
    hold newlines or control characters, and an error message can end up in a pull-request
    comment. Lone surrogates are escaped too (they cannot be written to a UTF-8 stream)."""
    return _CONTROL.sub(_escaped, text) if _CONTROL.search(text) else text


# C0 and C1 controls (U+009B is a terminal's CSI too), bidirectional overrides, isolates and
# marks (text shown in another order than it is written), invisible characters (a zero-width
# space makes "pro\u200bd" look like "prod"; a soft hyphen, word joiners, the BOM), the line and
# paragraph separators (a line break to some viewers), lone surrogates
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069"
                      "\ufeff\ud800-\udfff]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class InputError(TfsgError):
    """An input file that cannot be read or is not what tfsg reads."""


class UsageError(TfsgError):
    """Options that do not fit together."""
