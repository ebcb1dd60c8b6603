"""A computation in a forked child while the parent goes on, its result sent back pickled.

Two parts of a large plan's work go to a child where the process can fork and has a second CPU:
the second half of the rule sources (sources/build: ~0.25 s of 0.5 s on 5,000 groups, read while
this process reads the first half) and the group paths from the internet (graph/paths.py: ~0.3 s,
searched while this process walks the resource graph). The result is
the same object graph the parent would have computed (the same code on a copy-on-write copy of
the same data); a child that fails, dies or cannot start leaves the parent to compute it itself,
so the answer never depends on whether a child ran.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import Any, Optional


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def forced() -> bool:
    """``TFSG_FORK=always``: fork whatever the size of the work (tests run small plans so)."""
    return os.environ.get("TFSG_FORK") == "always"


def wanted() -> bool:
    """Whether forking pays here: ``TFSG_FORK`` ``off`` never, ``always`` whatever the CPUs
    (tests); else a second CPU and ``os.fork``."""
    mode = os.environ.get("TFSG_FORK", "")
    if mode == "off" or not hasattr(os, "fork"):
        return False
    return mode == "always" or cpus() >= 2


class Forked:
    """``fn()`` computed in a forked child; ``result()`` waits for it (or computes it here)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self._done = False
        self._value: Any = None
        self.pid: Optional[int] = None
        self.read_end: Optional[int] = None
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: compute, send, leave without the parent's exit code
            status = 0
            try:
                os.close(read_end)
                view = memoryview(pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL))
                while view:
                    view = view[os.write(write_end, view):]
            except BaseException:  # anything: the parent computes it itself
                status = 1
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self.read_end = pid, read_end

    def result(self) -> Any:
        """The value, computed once (asked again, the same object)."""
        if not self._done:
            self._value, self._done = self._wait(), True
        return self._value

    def _wait(self) -> Any:
        if self.pid is None or self.read_end is None:
            return self.fn()
        chunks = []
        with os.fdopen(self.read_end, "rb") as pipe:
            while True:
                chunk = pipe.read(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.pid = self.read_end = None
        if status != 0 or not chunks:
            return self.fn()
        try:
            return pickle.loads(b"".join(chunks))  # (written by our own child, above)
        except Exception:  # a truncated stream (the child killed while writing): compute here
            return self.fn()
