"""Which configuration and which waivers judge a change (policy trust in CI, issue 13).

A pull request's branch carries its own ``.tfsg.yml`` and its own ``# tfsg:ignore`` comments.
Taken at face value, a branch could disable the policy that would block it, or waive its own
finding, and the gate would pass it. With a base revision (``tfsg check --base REV``):

- The base revision's configuration is read from git, found the same way as the work tree's
  (the ``--config`` path, else ``.tfsg.yml`` from the search directory up to the repository
  root, at that revision; files it extends are read at that revision too) and compared with
  the work tree's: policies the change disables or adds, severities it lowers, a different
  ``fail_on``, policies or tiers it redefines, waivers it adds. ``--config-from base`` judges
  the change by the base's configuration, so a branch cannot weaken the gate that reviews it;
  ``head`` (the default) by its own, with the differences reported either way.
- ``tfsg:ignore`` waivers the change adds (none at the base with the same policy, address,
  reason and expiry: a moved comment is not new, an extended expiry is) are listed as
  "waivers added by this change" for the reviewer to approve; ``--waivers-from base`` applies
  only the waivers the base already has, so added ones take effect once merged.

The report carries this as ``policy_trust`` (schema in tfsg/schemas/report-v2.json).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

from ..errors import TfsgError, UsageError
from .gate import inline_waivers
from .load import CONFIG_NAMES, SEVERITIES, Config, Waiver, find_config, load_config

SOURCES = ("head", "base")
# what a policy does; a new title or rationale is not a change of the gate
_WORDING = ("title", "rationale", "remediation", "remediation_direct", "severity")


@dataclass
class Side:
    """One side's configuration: ``path`` None means none was found (the baseline pack)."""

    config: Optional[Config] = None
    path: Optional[str] = None
    text: Optional[str] = None
    error: Optional[str] = None


@dataclass
class PolicyTrust:
    config: Config  # the configuration the gate runs with
    base: Optional[str] = None
    config_from: str = "head"
    waivers_from: str = "head"
    head: Side = field(default_factory=Side)
    based: Side = field(default_factory=Side)  # the base revision's side
    tree: object = None  # sources.hcl.files.GitRevision of the base, None when it has no commit
    added: list[Waiver] = field(default_factory=list)  # inline waivers the change adds
    applied: list[Waiver] = field(default_factory=list)  # the inline waivers that apply

    def inline(self, source_dir: Optional[str]) -> Optional[list[Waiver]]:
        """The ``tfsg:ignore`` waivers that apply (None: the gate's default, all of them)."""
        if self.base is None or not source_dir:
            return None
        head = inline_waivers(source_dir)
        base = inline_waivers(source_dir, self.tree) if self.tree is not None else []
        known = {_identity(w) for w in base}
        self.added = [w for w in head if _identity(w) not in known]
        if self.waivers_from == "head":
            self.applied = head
        else:
            # the base's own waivers, as the base writes them (its reason and expiry: a branch
            # that only re-dates one does not extend it), for what the branch still waives
            kept = {(w.policy, w.address) for w in head}
            self.applied = [w for w in base if (w.policy, w.address) in kept]
        return self.applied

    def annotate(self, result: dict) -> None:
        """``policy_trust`` in the check result; nothing without a base revision."""
        if self.base is None:
            return
        result["policy_trust"] = {"base": self.base, "config_from": self.config_from,
                                  "waivers_from": self.waivers_from, "config": self._config_report(),
                                  "waivers_added": self._waivers_report()}

    def _config_report(self) -> dict:
        head, base = self.head, self.based
        out: dict = {"applied": self.config_from, "head": _shown(head.path), "base": _shown(base.path),
                     "differs": False, "error": None}
        failed = head if head.error else base if base.error else None
        if failed is not None:
            which = "the change's" if failed is head else f"the base revision's ({self.base})"
            out["error"] = f"{which} configuration could not be loaded: {failed.error}"
        if head.config is None or base.config is None:
            out["differs"] = head.text != base.text
            return out
        out.update(compare(base.config, head.config))
        out["differs"] = (head.text != base.text or _shown(head.path) != _shown(base.path)
                          or any(out[k] for k in ("disabled", "added", "lowered", "changed", "fail_on",
                                                  "tiers_changed", "waivers_added")))
        return out

    def _waivers_report(self) -> list[dict]:
        applied = {id(w) for w in self.applied}
        rows = [_row(w, "inline", id(w) in applied) for w in self.added]
        if self.head.config is not None and self.based.config is not None:
            known = {_identity(w) for w in self.based.config.waivers}
            rows += [_row(w, "config", self.config_from == "head") for w in self.head.config.waivers
                     if _identity(w) not in known]
        return sorted(rows, key=lambda r: (r["origin"], r["policy"], r["address"]))


def load(config_path: Optional[str], search: str = ".", base: Optional[str] = None,
         config_from: str = "head", waivers_from: str = "head", repository: Optional[str] = None) -> PolicyTrust:
    """The configuration to gate with, and both sides to compare when ``base`` is given.
    ``repository``: a directory inside the git repository (default ``search``): the directory
    checked in HCL mode, so tfsg may run from outside the repository there too."""
    for name, value in (("--config-from", config_from), ("--waivers-from", waivers_from)):
        if value not in SOURCES:
            raise UsageError(f"{name} must be head or base, not {value!r}", name)
        if value == "base" and base is None:
            raise UsageError(f"{name} base needs --base REV: the revision whose "
                             f"{'configuration' if name == '--config-from' else 'waivers'} apply", name)
    if base is None:
        return PolicyTrust(load_config(config_path, discover_from=search))
    from ..sources.hcl.files import GitRevision, unborn

    # a repository with no commit yet has an empty base: no configuration, no waivers there
    where = repository or search
    tree = None if unborn(where, base) else GitRevision(where, base)
    found = config_path or find_config(search)
    head = _side(os.path.relpath(found) if found else None, lambda: load_config(config_path, discover_from=search),
                 _read_work_tree, strict=config_from == "head")
    if config_path and tree is not None and _rel(tree, config_path).startswith("../"):
        # a configuration outside the repository (a policy repository checked out beside) is
        # the operator's, not the branch's: both sides are judged by it
        based = head if head.config is not None else _side(head.path, lambda: load_config(config_path),
                                                           _read_work_tree, strict=True)
        # strict: the side loaded, or _side raised
        return PolicyTrust(based.config, base, config_from, waivers_from, based, based, tree)  # type: ignore[arg-type]
    base_path = None
    if tree is not None:
        base_path = _at(tree, config_path) if config_path else _find_at(tree, search)
    based = _side(base_path, lambda: load_config(base_path, discover_from=None,
                                                  read=tree.read)  # type: ignore[union-attr]  # base_path: tree is set
                  if base_path else load_config(None, discover_from=None),
                  tree.read if tree is not None else None, strict=config_from == "base")
    applied = based.config if config_from == "base" else head.config  # the strict side: loaded, or _side raised
    return PolicyTrust(applied, base, config_from, waivers_from, head, based, tree)  # type: ignore[arg-type]


def compare(base: Config, head: Config) -> dict:
    """What the change's configuration does differently from the base's."""
    b = {p.id: p for p in base.policies}
    h = {p.id: p for p in head.policies}
    both = sorted(b.keys() & h.keys())
    known = {_identity(w) for w in base.waivers}
    return {
        "disabled": sorted(b.keys() - h.keys()),
        "added": sorted(h.keys() - b.keys()),
        "lowered": [{"policy": pid, "base": b[pid].severity, "head": h[pid].severity} for pid in both
                    if SEVERITIES.index(h[pid].severity) < SEVERITIES.index(b[pid].severity)],
        "changed": [pid for pid in both if _behaviour(b[pid]) != _behaviour(h[pid])],
        "fail_on": None if base.fail_on == head.fail_on else {"base": base.fail_on, "head": head.fail_on},
        "tiers_changed": base.tiers != head.tiers,
        "waivers_added": sum(1 for w in head.waivers if _identity(w) not in known),
    }


# -------------------------------------------------------------------------------- helpers


def _side(path: Optional[str], loader: Callable[[], Config], read: Optional[Callable[[str], str]],
          strict: bool) -> Side:
    """Load one side; the side the gate runs with raises (exit 2), the other records the error."""
    side = Side(path=path)
    if path and read is not None:
        try:
            side.text = read(path)
        except (OSError, UnicodeDecodeError, TfsgError):
            side.text = None
    try:
        side.config = loader()
    except TfsgError as exc:
        if strict:
            raise
        side.error = str(exc)
    return side


def _read_work_tree(path: str) -> str:
    from ..limits import read_bounded

    with open(path, "rb") as fh:  # limits.py config-bytes, before reading
        return read_bounded(fh, "config-bytes", path).decode("utf-8")


def _rel(tree, path: str) -> str:
    try:
        rel = os.path.relpath(os.path.realpath(path), tree.top)
    except ValueError:  # another drive (Windows): outside the repository
        return "../" + path
    return "" if rel == "." else rel.replace(os.sep, "/")


def _at(tree, path: str) -> Optional[str]:
    """``path`` if the base revision has that file (else the base has no such configuration)."""
    return path if _rel(tree, path) in tree.files else None


def _find_at(tree, start: str) -> Optional[str]:
    """``find_config`` at the base revision: from ``start`` up to the repository root."""
    current = os.path.realpath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(current, name)
            if _rel(tree, candidate) in tree.files:
                return os.path.relpath(candidate)
        parent = os.path.dirname(current)
        if current == tree.top or parent == current:  # the repository root: no further
            return None
        current = parent


def _shown(path: Optional[str]) -> Optional[str]:
    return os.path.relpath(path).replace(os.sep, "/") if path else None


def _identity(w: Waiver) -> tuple:
    return (w.policy, w.address, w.reason, w.expires)


def _behaviour(p) -> tuple:
    return (p.kind, p.unknown, {k: v for k, v in sorted(p.spec.items()) if k not in _WORDING})


def _row(w: Waiver, source: str, applied: bool) -> dict:
    origin = os.path.relpath(w.origin).replace(os.sep, "/") if os.path.isabs(w.origin) else w.origin
    return {"policy": w.policy, "address": w.address, "reason": w.reason, "expires": w.expires,
            "origin": origin, "source": source, "applied": applied, "used": bool(applied and w.used)}
