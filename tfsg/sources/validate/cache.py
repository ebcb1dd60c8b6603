"""The compiled checks kept across runs: marshalled bytecode, named by content.

In ``TFSG_CACHE_DIR`` (as parsed .tf files, see ``hcl/cache.py``; ``off`` disables it), under
``schema/``, named by the SHA-256 of ``CODE_FORMAT``, the interpreter, this package's source and
the schema text. An entry that is missing, unreadable or damaged is generated again.
"""

from __future__ import annotations

from typing import Any, Optional

CODE_FORMAT = 1  # part of the cache key, with the schema, this package's source and the interpreter


def _cache_key(text: str) -> str:
    import hashlib
    import os
    import sys

    # every module of this package: the compiler's modules write the code and checks.py holds
    # the names it is linked against, so a change to any of them makes cached code stale
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        compiler = b""
        for name in sorted(os.listdir(here)):
            if name.endswith(".py"):
                with open(os.path.join(here, name), "rb") as fh:
                    compiler += name.encode() + b"\0" + fh.read() + b"\0"
    except OSError:
        compiler = b""
    return hashlib.sha256(f"{CODE_FORMAT}\0{sys.implementation.cache_tag}\0".encode() + compiler + b"\0"
                          + text.encode()).hexdigest()


def _cache_path(key: str) -> Optional[str]:
    import os

    from ..hcl.cache import _directory

    directory = _directory()
    return os.path.join(directory, "schema", f"plan-{key[:32]}.marshal") if directory else None


def _read_cache(key: str) -> Any:
    import marshal

    path = _cache_path(key)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            return marshal.load(fh)
    except Exception:  # missing, unreadable or truncated: generate again
        return None


def _write_cache(key: str, code: Any) -> None:
    import marshal
    import os

    path = _cache_path(key)
    if path is None:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            marshal.dump(code, fh)
        os.replace(tmp, path)
    except OSError:
        pass
