"""Refuse structurally invalid plans: check what tfsg reads against ``schemas/plan-subset.json``.

The schema describes the plan subset tfsg reads (REFERENCE A): the top-level keys,
``resource_changes`` entries and their ``change``, the values representation, the parts of
``configuration`` that are followed, and per resource type (``$defs/values.TYPE``, chosen by
``allOf`` if/then on ``type``) the attributes read from ``before``/``after``/``values``. A wrong
type there is an input error, exit 2, one line: ``plan.json: resource_changes[3].change.after.ingress:
expected a list, got a string``. Values that are well typed but that AWS would reject are not
structural: the builder reports them as unknowns naming the resource (``netsets`` raises
``ProtocolError``/``ValueError`` for them).

The package, one job per module:

* ``__init__``: the entry points (``loads``, ``validate``) and the compiled checks, generated or
  read from the cache once per process (``_validators``);
* ``parsing``: ``loads``, ``json.loads`` refusing non-finite numbers;
* ``checks``: the parts of a plan or state that are checked, the keys Terraform always writes,
  and the names the generated code is linked against (``Invalid`` and the run-time helpers);
* ``messages``: the one-line human error messages (``render_path``, ``problem``);
* ``compiler``: the schema -> Python source (``generate``), with its mixins ``relations``
  (``allOf`` if/then on ``type``, tfsg's ``x-`` keywords) and ``subset`` (the keywords compiled,
  what a schema allows), and ``literals`` (values as source text);
* ``cache``: the compiled code kept across runs, keyed by content.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Optional

from ...errors import InputError
from .cache import CODE_FORMAT, _cache_key, _read_cache, _write_cache  # noqa: F401 (CODE_FORMAT: re-exported)
from .checks import _MISSING, Invalid, _index_of, _settle, _unknown_but_present, _validate
from .compiler import generate
from .messages import problem, render_path  # noqa: F401 (re-exported)
from .parsing import loads  # noqa: F401 (re-exported)

SCHEMA_FILE = "plan-subset.json"


def validate(where: str, data: dict) -> None:
    """Raise InputError naming ``where``, the JSON path and the problem for the first
    structural error in the parts of ``data`` (a plan or state) that tfsg reads."""
    checks = _validators()
    del checks.absent[:], checks.pending[:]
    try:
        _validate(where, data, checks)
    except RecursionError:
        raise InputError("nested too deeply to check (JSON nested hundreds of levels deep)", where) from None
    finally:
        del checks.absent[:], checks.pending[:]


class _Validators:
    def __init__(self, namespace: dict[str, Any]) -> None:
        self.document = namespace["ENTRY_document"]
        self.resource_changes = namespace["ENTRY_resource_changes"]
        self.resource = namespace["ENTRY_resource"]
        # x-present keys found absent: (object, key) as the checks go, then grouped per
        # resource entry (entry, its pairs); validate() decides with after_unknown and the mode
        self.absent: list[tuple[dict, list[tuple[dict, str]]]] = namespace["ABSENT_AT"]
        self.pending: list[tuple[dict, str]] = namespace["ABSENT"]


_compiled: Optional[_Validators] = None


def schema_text() -> str:
    return resources.files("tfsg").joinpath("schemas").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def _validators() -> _Validators:
    """The compiled checks: generated once per schema and compiler, then read from the cache
    (``TFSG_CACHE_DIR``, as parsed .tf files; ``off`` disables it) as marshalled bytecode."""
    global _compiled
    if _compiled is None:
        text = schema_text()
        key = _cache_key(text)
        code = _read_cache(key)
        if code is None:
            code = compile(generate(json.loads(text)), "<tfsg plan schema>", "exec")
            _write_cache(key, code)
        namespace = {"Invalid": Invalid, "_M": _MISSING, "_ix": _index_of, "NoneType": type(None),
                     "_unknown_but_present": _unknown_but_present, "_settle": _settle}
        exec(code, namespace)
        _compiled = _Validators(namespace)
    return _compiled
