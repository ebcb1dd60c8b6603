"""Read a ``terraform show -json`` document (plan or state) and check it is one we understand."""

from __future__ import annotations

import functools
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Optional

from ..errors import InputError

SUPPORTED_MAJORS = ("0", "1")


@dataclass
class Document:
    """A parsed JSON document and what kind it is."""

    path: str  # as given by the user ("-" for stdin)
    data: dict[str, Any]
    kind: str  # "plan" | "state"

    @property
    def format_version(self) -> str:
        return str(self.data.get("format_version", ""))

    @property
    def terraform_version(self) -> Optional[str]:
        return self.data.get("terraform_version")

    @property
    def directory(self) -> Optional[str]:
        return None if self.path == "-" else os.path.dirname(os.path.abspath(self.path))


def display(path: str) -> str:
    """Relative to the working directory when under it or in the same git work tree (a root in
    ``envs/dev`` whose modules are in ``../../modules``: what reviewers, SARIF and annotations
    want, never the runner's own layout); absolute otherwise."""
    rel = os.path.relpath(path)
    if not rel.startswith(".."):
        return rel
    top = work_tree(os.getcwd())
    return rel if top is not None and os.path.commonpath([os.path.realpath(path), top]) == top else path


@functools.lru_cache(maxsize=64)
def work_tree(directory: str) -> Optional[str]:
    """The git work tree holding ``directory`` (symbolic links resolved), or None."""
    import subprocess

    try:
        proc = subprocess.run(["git", "-C", directory, "rev-parse", "--show-toplevel"], capture_output=True,
                              text=True, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return os.path.realpath(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


def read_bytes(path: str) -> bytes:
    """Read a file (or stdin for ``-``), with one-line errors; at most the ``plan-bytes`` limit
    (tfsg/limits.py), checked before reading."""
    from ..limits import read_bounded

    try:
        if path == "-":
            return read_bounded(sys.stdin.buffer, "plan-bytes", "stdin", "the plan")
        if os.path.isdir(path):
            raise InputError("is a directory, not a plan file (HCL directories are not read by this command)", path)
        with open(path, "rb") as fh:
            return read_bounded(fh, "plan-bytes", path, "the plan")
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except PermissionError:
        raise InputError("permission denied", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text (a byte order mark dropped), or a one-line error naming the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows PowerShell 5 redirection (`terraform show -json p > plan.json`) writes UTF-16
        raise InputError("UTF-16 text, not UTF-8 (Windows PowerShell 5 writes `>` output as UTF-16): write the "
                         "plan with `terraform show -json PLAN | Out-File -Encoding utf8 plan.json`", path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                         "is this a binary plan? run `terraform show -json PLAN` first", path) from None


def _count_values(raw: bytes, path: str) -> None:
    """Refuse, before parsing, a document of more values than limit plan-values: each value after
    the first of an array or object follows a comma (a comma inside a string counts too: the
    bound is conservative), and a value takes at least two characters, so a short text is not
    counted at all."""
    from ..limits import get, how

    cap = get("plan-values")
    if len(raw) > 2 * cap and raw.count(b",") > cap:
        raise InputError(f"more than {cap:,} values ({how('plan-values')})", path)


def load_document(path: str) -> Document:
    """Parse and classify; raise InputError naming the place and the problem."""
    raw = read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a byte order mark (some Windows tools write one)
    if not raw or raw.isspace():  # (strip() would copy the whole file)
        raise InputError("empty file; expected the output of `terraform show -json`", path)
    _count_values(raw, path)
    import orjson

    try:
        # orjson is strict where plans must be (RFC 8259: no NaN or Infinity, no number beyond
        # a double, valid UTF-8 without lone surrogates) and parses in about 70% of json.loads'
        # time; whatever it refuses is parsed again below for the one-line error that names
        # the place (rare: bad input only)
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = _parse_strictly(decode(raw, path), path)
    except (MemoryError, SystemError):  # (orjson reports running out of memory as a SystemError)
        raise InputError("too large to parse in the memory available; lower limit plan-values or raise the "
                         "memory of this process", path) from None
    return classify(path, data, len(raw))


def _parse_strictly(text: str, path: str) -> Any:
    from .validate import loads

    try:
        return loads(text, path)  # json.loads, refusing NaN, Infinity and 1e400
    except json.JSONDecodeError as exc:
        hint = ""
        if text.lstrip().startswith("[command]") or "::set-output" in text[:4096] or "::debug::" in text[:4096]:
            # hashicorp/setup-terraform's wrapper prints the command and workflow commands around
            # the output; the Action strips them, a captured file keeps them
            hint = ("; this looks like output captured through hashicorp/setup-terraform's wrapper: "
                    "use terraform_wrapper: false, or the Action, which strips it")
        raise InputError(f"not valid JSON: {exc.msg}{hint}", f"{path}:{exc.lineno}:{exc.colno}") from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply", path) from None
    except ValueError as exc:  # Python's cap on integer digits (4,300): no plan holds such a number
        raise InputError(f"a number too long to read ({str(exc).split(':', 1)[0]})", path) from None


def classify(path: str, data: Any, size: int = 0) -> Document:
    """What ``data`` is (plan or state), checked against the schema; ``size``: its bytes (a
    large plan may be checked in a second process meanwhile: ``validate/aside.py``)."""
    if not isinstance(data, dict):
        raise InputError(f"not a Terraform plan or state: the top level is a JSON {_json_type(data)}, "
                         "expected an object from `terraform show -json`", path)
    if "format_version" not in data:
        raise InputError("not a Terraform plan or state: no `format_version` key "
                         "(expected the output of `terraform show -json`)", path)
    version = data["format_version"]
    if not isinstance(version, str):
        raise InputError(f"format_version must be a string, found {json.dumps(version)}", path)
    major = version.split(".", 1)[0]
    if major not in SUPPORTED_MAJORS:
        raise InputError(f"unsupported format_version {version!r}: tfsg reads 0.x and 1.x", path)
    prior = data.get("prior_state")
    if isinstance(prior, dict) and "format_version" in prior:
        # a plan embeds its prior state in the state format, with its own version (plan 1.2
        # carries a 1.0 state): one tfsg does not know is not read as the side before
        inner = prior["format_version"]
        if not isinstance(inner, str) or inner.split(".", 1)[0] not in SUPPORTED_MAJORS:
            raise InputError(f"prior_state.format_version: unsupported {json.dumps(inner)}: tfsg reads 0.x and 1.x",
                             path)
    plan_keys = ("planned_values", "resource_changes", "prior_state", "configuration", "output_changes")
    if any(k in data for k in plan_keys):
        kind = "plan"
    elif "values" in data or set(data) <= {"format_version", "terraform_version", "checks"}:
        kind = "state"  # `show -json` of a state (an empty state has only format_version)
    else:
        raise InputError("not a Terraform plan or state: none of planned_values, resource_changes, "
                         "prior_state or values is present", path)
    if kind == "plan":
        _refuse_incomplete(path, data)
    from .validate import aside, validate

    # The parts tfsg reads, against schemas/plan-subset.json: one line naming the JSON path.
    if not aside.start(path, data, size):
        validate(path, data)
    return Document(path=path, data=data, kind=kind)


def _refuse_incomplete(path: str, data: dict) -> None:
    """A plan Terraform saved after an error (``errored``, 1.6+) or with changes deferred to a
    later round (``complete: false`` with ``deferred_changes``, 1.9+) lacks resources: what it
    does not hold cannot be gated (fail closed). Terraform's JSON output format documentation."""
    if data.get("errored") is True:
        raise InputError("the plan is incomplete: Terraform saved it after an error while planning "
                         "(\"errored\": true), so resources past the error are missing; fix the error and plan again",
                         path)
    deferred = data.get("deferred_changes")
    if isinstance(deferred, list) and deferred:  # whatever "complete" says: those changes are not in the plan
        raise InputError(f"the plan is incomplete: {len(deferred)} resource change(s) are deferred to a later "
                         "plan (deferred_changes), so their effect cannot be checked; apply and plan again", path)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "number"
