"""From a ``terraform show -json`` file to the before and after ``Snapshot``s."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

from ..errors import InputError
from ..model import Snapshot
from .build import SnapshotBuilder
from .config_files import is_config_file
from .document import Document, display, load_document
from .instances import split_sides
from .refs import ConfigIndex


@dataclass
class Loaded:
    """Both sides of one input and what is known about the input itself."""

    document: Document
    before: Optional[Snapshot]  # None: a state, nothing to compare
    after: Snapshot
    secrets: set[str] = field(default_factory=set)
    source_dir: Optional[str] = None
    actions: dict[str, str] = field(default_factory=dict)  # address -> planned action
    sources_note: Optional[str] = None  # why no sources were read, and what that costs
    plan_note: Optional[str] = None  # what a partial plan (-target) leaves out
    drift_note: Optional[str] = None  # what changed outside Terraform (drift.py)

    @property
    def meta(self) -> dict:
        meta = {"path": self.document.path, "kind": self.document.kind,
                "format_version": self.document.format_version,
                "terraform_version": self.document.terraform_version,
                "sources": display(self.source_dir) if self.source_dir else None}
        if self.sources_note:
            meta["sources_note"] = self.sources_note
        if self.plan_note:
            meta["plan_note"] = self.plan_note
        if self.drift_note:
            meta["drift_note"] = self.drift_note
        from .filters import filters_note

        filtered = filters_note(self.after.filters)
        if filtered:
            meta["filters_note"] = filtered
        return meta


def load_plan(path: str, source_dir: Optional[str] = None, auto_sources: bool = True) -> Loaded:
    """Read a plan or state; use .tf sources from ``source_dir`` or beside the file when present.

    Raises InputError (one line, the file) for what cannot be read, including values nested
    deeper than the walks over them can go (a sensitivity mask 400 levels deep)."""
    try:
        return _load_plan(path, source_dir, auto_sources)
    except RecursionError:
        raise InputError("values nested too deeply to read (hundreds of levels)", display(path)) from None


def _load_plan(path: str, source_dir: Optional[str], auto_sources: bool) -> Loaded:
    doc = load_document(path)
    sides = split_sides(path, doc.data, doc.kind)
    config = ConfigIndex(doc.data.get("configuration"))
    variables = {k: v.get("value") for k, v in (doc.data.get("variables") or {}).items() if isinstance(v, dict)}
    _collect_sensitive_variables(doc.data, variables, sides.secrets)

    if source_dir is None and auto_sources and doc.directory and _has_tf(doc.directory):
        source_dir = doc.directory
    hints = None
    sources = None
    if source_dir is not None:
        from .hcl.fill import SourceValues
        from .tfsource import SourceHints

        sources = SourceValues(source_dir, variables, sides.after, timestamp=doc.data.get("timestamp"))
        hints = SourceHints(source_dir, config, sources)
    _wide_secrets(sides.secrets, doc.data.get("configuration"), sources)

    before = None
    reuse = None
    labels: dict = {}  # placeholders of sensitive peers, the same on both sides
    if sides.before is not None:
        builder = SnapshotBuilder(sides.before, config, variables, hints=None, labels=labels,
                                  inline_known=source_dir is not None, before_side=True)
        before = builder.build()
        reuse = builder.produced
    after = SnapshotBuilder(sides.after, config, variables, hints=hints, prior=before, reuse=reuse,
                            sources=sources, labels=labels).build()
    if before is not None:
        from .adopted import add_adopted

        add_adopted(before, after)  # the VPC default group an adoption finds, with AWS's rules
    if hints is not None:
        hints.locate(after)
        if before is not None:
            hints.locate(before)
        after.unknowns.extend(hints.problems + sources.problems)  # type: ignore[union-attr]  # set with hints
    note = None
    if source_dir is None and doc.kind == "plan":
        why = "not read (--no-sources)" if not auto_sources else "not found beside the plan"
        note = (f"Sources: {why}. Plan JSON drops what only the .tf files say (which inline block names which "
                "group, dynamic blocks, for_each values over locals); such values are listed as unknown. "
                "Give the .tf directory with --source DIR.")
    partial = None
    root = (doc.data.get("configuration") or {}).get("root_module") or {}
    if doc.kind == "plan" and "resource_changes" not in doc.data and isinstance(doc.data.get("prior_state"), dict) \
            and isinstance(root, dict) and (root.get("resources") or root.get("module_calls")):
        # (a configuration of outputs only plans no resource either, and is not refresh-only)
        # -refresh-only: Terraform records what changed outside it (resource_drift), never what
        # the configuration would change, and marks the plan complete: say so, or the gate
        # passes a configuration it never saw
        partial = ("Plan: refresh-only (no resource_changes, as -refresh-only makes it): it holds what changed "
                   "outside Terraform, not what the configuration would change, which is not checked; plan "
                   "without -refresh-only to gate the change.")
    elif doc.kind == "plan" and doc.data.get("complete") is False:
        # -target (or -exclude): Terraform plans only part of the configuration; what the rest
        # of it would change is in no part of this plan (deferred changes are refused earlier)
        partial = ("Plan: partial (\"complete\": false, as -target makes it): what the configuration changes "
                   "outside the targets is not in this plan and is not checked; plan without -target to gate "
                   "the whole change.")
    from .drift import drift_note

    drift = drift_note(doc.data) if doc.kind == "plan" else None
    return Loaded(doc, before, after, sides.secrets, source_dir, sides.actions, note, partial, drift)


def _has_tf(directory: str) -> bool:
    try:
        # .tf and JSON syntax (.tf.json: what CDK for Terraform synthesizes as cdk.tf.json)
        return any(is_config_file(name) for name in os.listdir(directory))
    except OSError:
        return False


def _wide_secrets(secrets: set[str], configuration: Any, sources: Any) -> None:
    """Add to ``secrets`` the leaves of collections marked whole (a set of blocks one of which
    holds a sensitive value: Terraform cannot mark one element of a set) that may be the secret:
    with the sources, those holding a text they mark sensitive (the others are literals or made
    of unmarked values); without, those the configuration does not write as a constant."""
    wide = getattr(secrets, "wide", None)
    if not wide:
        return
    marked = sources.secrets() if sources is not None else None
    if marked is not None:
        known = [s for s in marked | secrets if s]
        secrets |= {w for w in wide if any(s in w for s in known)}
    else:
        secrets |= wide - _literals(configuration)


def _literals(configuration: Any) -> set[str]:
    """The strings the configuration writes as constants (``constant_value``, at any depth of a
    module's resources, data sources and calls): text Terraform shows in plan JSON in plain.
    Variable declarations are not walked (a sensitive variable's default is its secret)."""
    out: set[str] = set()

    def strings(value: Any) -> None:
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list):
            for v in value:
                strings(v)
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)

    def expressions(node: Any) -> None:
        if isinstance(node, dict):
            if "constant_value" in node:
                strings(node["constant_value"])
            for key, value in node.items():
                if key != "constant_value":
                    expressions(value)
        elif isinstance(node, list):
            for value in node:
                expressions(value)

    def module(mod: Any) -> None:
        if not isinstance(mod, dict):
            return
        for kind in ("resources", "module_calls"):
            items = mod.get(kind)
            for item in (items.values() if isinstance(items, dict) else items if isinstance(items, list) else ()):
                if isinstance(item, dict):
                    expressions(item.get("expressions"))
                    module(item.get("module"))

    module((configuration or {}).get("root_module") if isinstance(configuration, dict) else None)
    return out


def _collect_sensitive_variables(data: dict, values: dict, secrets: set[str]) -> None:
    """Root variables declared ``sensitive`` appear in clear text in plan JSON (REFERENCE A.2):
    mark them, so that what they feed is analysed but never shown."""
    declared = ((data.get("configuration") or {}).get("root_module") or {}).get("variables") or {}
    from .instances import apply_marks

    for name, decl in declared.items():
        if isinstance(decl, dict) and decl.get("sensitive") and name in values:
            values[name] = apply_marks(values[name], True, secrets)
            if "default" in decl:
                apply_marks(decl["default"], True, secrets)
