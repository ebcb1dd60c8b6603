"""Regular expressions on RE2: linear time whatever the pattern, on untrusted input.

Terraform's ``regex()`` is Go's ``regexp``, RE2 syntax; the patterns of ``.tfsg.yml`` (naming)
come from the pull request under review. A backtracking engine can take hours on ``^(a+)+$``;
RE2 cannot, and refuses what it does not support (backreferences, lookaround) instead.
"""

from __future__ import annotations

import functools
from typing import Any

MAX_PATTERN = 10_000  # characters: patterns are written by hand


@functools.lru_cache(maxsize=256)
def compile_re2(pattern: str) -> Any:
    """The compiled pattern; ValueError with a one-line reason when RE2 refuses it."""
    import re2

    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"pattern longer than {MAX_PATTERN} characters")
    options = re2.Options()
    options.log_errors = False  # the reason goes into our error, not to stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid pattern"
        raise ValueError(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None
