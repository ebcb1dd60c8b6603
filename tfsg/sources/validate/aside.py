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
import pickle
from typing import Any, Optional

from ...errors import InputError

# Below this many bytes of plan the check takes a few milliseconds: not worth a process.
MIN_BYTES = 4 * 1024 * 1024
_OK = b"ok"

_enabled = False
_pending: list[tuple[int, int, str, Any]] = []  # (pid, read end of the pipe, where, data)


def enable(on: bool = True) -> None:
    """Let ``start`` fork (the CLI's commands that settle before writing: show, diff, check)."""
    global _enabled
    _enabled = on


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def start(where: str, data: Any, size: int) -> bool:
    """Check ``data`` in a forked child; False (nothing started) when off, small, or no fork.
    ``TFSG_CHECK_ASIDE``: ``off`` never forks, ``always`` forks whatever the size (tests)."""
    mode = os.environ.get("TFSG_CHECK_ASIDE", "")  # off: never; always: any size, any CPUs (tests)
    if not _enabled or mode == "off" or not hasattr(os, "fork") or \
            (mode != "always" and (size < MIN_BYTES or _cpus() < 2)):
        return False
    from . import validate

    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or processes left for a child: check here
        os.close(read_end)
        os.close(write_end)
        return False
    if pid == 0:  # the child: check, say the outcome, leave without running the parent's exit code
        status = 0
        try:
            os.close(read_end)
            try:
                validate(where, data)
                payload = _OK
            except InputError as exc:
                payload = pickle.dumps((exc.message, exc.where))
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:  # anything: the parent checks again
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    _pending.append((pid, read_end, where, data))
    return True


def settle() -> None:
    """Wait for the checks started; raise the InputError of the first that found a problem."""
    first: Optional[InputError] = None
    while _pending:
        pid, read_end, where, data = _pending.pop(0)
        chunks = []
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                chunk = pipe.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        payload = b"".join(chunks)
        if payload == _OK and status == 0:
            continue
        error: Optional[InputError] = None
        if payload and payload != _OK and status == 0:
            message, at = pickle.loads(payload)  # (written by our own child, above)
            error = InputError(message, at)
        else:
            from . import validate

            try:  # the child could not say: check here
                validate(where, data)
            except InputError as exc:
                error = exc
        if error is not None and first is None:
            first = error
    if first is not None:
        raise first
