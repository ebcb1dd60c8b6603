"""Parsed files, cached by content: parsing is most of HCL mode's time, files rarely change.

Within one run, a file that is the same in the working tree and at ``--base`` is parsed once.
Across runs (a pre-commit hook runs on every commit), the compiled syntax tree is kept in
``$TFSG_CACHE_DIR`` (default ``$XDG_CACHE_HOME/tfsg`` or ``~/.cache/tfsg``), named by the
SHA-256 of the text, the file name and the tfsg version; ``TFSG_CACHE_DIR=off`` disables it.
A cache that cannot be read or written is ignored, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from typing import Any, Optional

from ... import __version__, limits

FORMAT = 15  # bump when parsing makes other trees (2: parse-time limits; 3: legacy splats; 4: heredoc strips;
#              5: blocks and bodies moved to bodies.py; 6: heredoc lines opening with a strip marker;
#              7: a strip marker at a line's start trims the previous line's newline; 8: JSON syntax's
#              traversal strings, literal defaults, import/moved/removed/provider/terraform blocks;
#              9: heredoc expressions unescaped once, interpolation strip markers, patched grammar,
#              "~}" before a CRLF; 10: JSON syntax strings parsed as bare templates; 11: JSON "dynamic"
#              arrays; 12: string literals in Unicode NFC, heredoc lines that continue an
#              interpolation or hold only whitespace are not indented lines; 13: JSON syntax: repeated
#              property names all kept, object keys as templates; 14: decimal literals at 512 bits;
#              15: an ambiguous object key (``{ local.k = 1 }``) refused)
_memory: dict[str, Any] = {}


def _directory() -> Optional[str]:
    configured = os.environ.get("TFSG_CACHE_DIR")
    if configured is not None:
        return None if configured.lower() in ("", "off", "0", "no") else configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tfsg")


def cached(text: str, file: str, parse: Callable[[str, str], Any]) -> Any:
    # the parse-time limits are part of the key: a tree parsed with a limit raised must not
    # be reused by a run with the default
    bounds = f"{limits.get('nesting')}\0{limits.get('number-digits')}"
    key = hashlib.sha256(f"{FORMAT}\0{__version__}\0{bounds}\0{file}\0".encode() + text.encode()).hexdigest()
    if key in _memory:
        return _memory[key]
    directory = _directory()
    path = os.path.join(directory, "parsed", key[:2], key[2:] + ".pickle") if directory else None
    if path is not None:
        try:
            with open(path, "rb") as fh:
                value = pickle.load(fh)
            _memory[key] = value
            return value
        except Exception:  # missing, unreadable, or from an incompatible version: parse again
            pass
    value = parse(text, file)  # a syntax error raises here and is not cached
    _memory[key] = value
    if path is not None:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (OSError, RecursionError, pickle.PicklingError):
            pass
    return value
