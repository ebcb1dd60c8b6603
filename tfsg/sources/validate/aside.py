"""The structural check of a large plan in a second process, while the first reads it.

Checking a plan against the schema is independent of reading it into the model, and on a
65 MB plan it takes about a tenth of the run. Where the process can fork and has a second CPU,
the check runs in a forked child (a copy of the parsed plan, shared copy-on-write) and the
command goes on; ``settle()`` waits for it before anything is written, and before an error is
reported, so the verdict is the one a plain run gives: a plan the schema refuses exits 2 with
the same one line, whatever the model made of it meanwhile (fail closed: no output first).

A child that cannot say (killed, out of memory, an error of its own) is not trusted: the parent
checks again itself. Only the command-line entry turns this on (``enable``); a library caller
gets the check before ``load_document`` returns, as always.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from ...errors import InputError
from ...forked import Forked, cpus

# Below this many bytes of plan the check takes a few milliseconds: not worth a process.
MIN_BYTES = 4 * 1024 * 1024

_enabled = False
_pending: list[Forked] = []  # the checks started, each giving None or (message, where)


def enable(on: bool = True) -> None:
    """Let ``start`` fork (the CLI's commands that settle before writing: show, diff, check)."""
    global _enabled
    _enabled = on


def start(where: str, data: Any, size: int) -> bool:
    """Check ``data`` in a forked child (forked.py: checked here if the child cannot say);
    False (nothing started) when off or small. ``TFSG_CHECK_ASIDE``: ``off`` never forks,
    ``always`` forks whatever the size (tests)."""
    mode = os.environ.get("TFSG_CHECK_ASIDE", "")
    if not _enabled or mode == "off" or not hasattr(os, "fork") or \
            (mode != "always" and (size < MIN_BYTES or cpus() < 2)):
        return False
    _pending.append(Forked(lambda: _outcome(where, data)))
    return True


def _outcome(where: str, data: Any) -> Optional[tuple[str, Optional[str]]]:
    """None for a plan the schema accepts, else the error's (message, where)."""
    from . import validate

    try:
        validate(where, data)
    except InputError as exc:
        return exc.message, exc.where
    return None


def settle() -> None:
    """Wait for the checks started; raise the InputError of the first that found a problem."""
    first: Optional[InputError] = None
    while _pending:
        found = _pending.pop(0).result()
        if found is not None and first is None:
            first = InputError(*found)
    if first is not None:
        raise first
