"""How values are written in the generated source: constants, classes and JSON paths."""

from __future__ import annotations

from typing import Any


def _literal(value: Any) -> str:
    """Source text of a constant: tuples of JSON scalars, frozensets of strings or classes."""
    if isinstance(value, frozenset):
        items = sorted((_class_name(v) if isinstance(v, type) else repr(v)) for v in value)
        return f"frozenset(({''.join(i + ', ' for i in items)}))"
    return repr(value)


def _class_name(cls: type) -> str:
    return "NoneType" if cls is type(None) else cls.__name__


def _path_code(path: tuple) -> str:
    return "(" + "".join(f"{step}, " for step in path) + ")"
