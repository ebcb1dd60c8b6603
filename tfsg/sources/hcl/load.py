"""A directory of .tf files (and optionally the same directory at a git revision) -> Snapshots.

Every resource instance becomes the same ``Instance`` a plan gives, with the values the files
determine and an unknown mask for the rest; where a value is unknown, the configuration
index below hands the builder the evaluated references (``Res``/``Unk`` terms), so
``SnapshotBuilder`` works unchanged for both inputs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ...errors import InputError, UsageError
from ...model import Address, Location, Snapshot, without_keys
from ...model import Unknown as UnknownRecord
from ..blocksites import assign, ast_calls, ast_sites
from ..build import GROUP_TYPES, SnapshotBuilder
from ..config_files import is_config_file
from ..instances import Instance
from ..refs import Lit, Res, Term, Unk
from . import budget
from .argtypes import INLINE_RULE_DEFAULTS, SCHEMA_DEFAULTED, optional_only
from .bodies import safe, variables_read
from .ephemeral import EphemeralLoader
from .files import GitRevision, Tree, display, repository_of, unborn, var_file_reader
from .modules import META, LiteralScope, ModuleInstance, ResourceInstance, convert
from .parse import parse_body
from .providers import default_tags, merge_default_tags
from .providers import regions as provider_regions
from .providers import written as provider_written
from .syntax import Env
from .values import Blocks, Ref, Unknown, UnknownBlock, first_unknown, is_known

# Optional, non-computed attributes that tfsg reads on *other* resources: a plan shows their schema
# default when they are not written, so HCL mode must too (aws provider 5.x schema).

# What changed in provider 6 (upgrade guide, "Resource aws_redshift_cluster": publicly_accessible
# now defaults to false); provider.py says which major version a configuration runs with.
_V6_DEFAULTS: dict[str, dict[str, Any]] = {"aws_redshift_cluster": {"publicly_accessible": False}}

_INLINE_GROUP_TYPES = ("aws_security_group", "aws_default_security_group")

_INLINE_DEFAULTS = INLINE_RULE_DEFAULTS


@dataclass
class VariableInputs:
    """Root variable values from the command line, in the order Terraform applies them."""

    var_files: list[str] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)  # NAME=VALUE
    # ("file", path) / ("var", NAME=VALUE) in command-line order, when known: Terraform applies
    # -var and -var-file in the order given, the later one winning.
    ordered: Optional[list[tuple[str, str]]] = None

    def in_order(self) -> list[tuple[str, str]]:
        if self.ordered is not None:
            return self.ordered
        return [("file", f) for f in self.var_files] + [("var", a) for a in self.assignments]


@dataclass
class HclLoaded:
    """Both sides of an HCL input; the same interface as a loaded plan."""

    path: str
    base: Optional[str]
    before: Optional[Snapshot]
    after: Snapshot
    secrets: set[str] = field(default_factory=set)
    source_dir: Optional[str] = None
    actions: dict[str, str] = field(default_factory=dict)
    sources_note: Optional[str] = None  # how the before side read its inputs (--var-file at --base)

    @property
    def meta(self) -> dict:
        meta = {"path": self.path, "kind": "hcl", "format_version": "", "terraform_version": None,
                "sources": self.source_dir}
        if self.sources_note:
            meta["sources_note"] = self.sources_note
        if self.base is not None:
            meta["base"] = self.base
        from ..filters import filters_note

        filtered = filters_note(self.after.filters)
        if filtered:
            meta["filters_note"] = filtered
        return meta


def load_directory(directory: str, *, base: Optional[str] = None, inputs: Optional[VariableInputs] = None,
                   compare: bool = True) -> HclLoaded:
    """Analyse a root module directory; ``base`` is a git revision for the before side.

    Without ``base`` the before side is the same as the after side (``compare``), so a check
    reports existing findings only. What is nested too deeply for the walks over it (module
    calls hundreds deep) is an InputError naming the directory, as for plans.
    """
    budget.reset()  # the evaluation budget (limits.py eval-size) is per input
    try:
        return _load_directory(directory, base, inputs, compare)
    except RecursionError:
        raise InputError("modules, values or references nested too deeply to read (hundreds of levels)",
                         display(directory)) from None


def _load_directory(directory: str, base: Optional[str], inputs: Optional[VariableInputs],
                    compare: bool) -> HclLoaded:
    inputs = inputs or VariableInputs()
    if not os.path.isdir(directory):
        raise InputError("no such directory", directory)
    tree = Tree(inside=repository_of(directory))
    if not any(is_config_file(n) for n in tree.listdir(directory)):
        raise InputError("no .tf files in this directory (give a Terraform root module, or a plan JSON file)",
                         display(directory))
    secrets: set[str] = set()
    labels: dict = {}  # placeholders of sensitive peers, the same on both sides
    from .relaunch import Raw, Revisions, launched_before

    raw_after, raw_before = Raw(), Raw()  # each revision's evaluated arguments (relaunch.py)
    after, after_prints, moves, head_shape = _side(tree, directory, inputs, secrets, labels, raw=raw_after)
    before: Optional[Snapshot] = None
    rename: Callable[[str], str] = _unchanged
    before_prints: dict[str, tuple] = dict(after_prints)
    forgotten: list[str] = []
    notes: list[str] = []  # how the before side was read (--var-file at the revision)
    if base is not None and unborn(directory, base):
        before, before_prints = Snapshot(), {}  # no commit yet: nothing was there before
    elif base is not None:
        revision = GitRevision(directory, base)
        if not revision.isdir(directory) or not any(is_config_file(n)
                                                    for n in revision.listdir(directory)):
            before, before_prints = Snapshot(), {}  # the directory is new: nothing was there before
        else:
            before, before_prints, _, base_shape = _side(revision, directory, inputs, secrets, labels, notes=notes,
                                                         raw=raw_before)
            from .moved import implied_moves

            # the new revision's moved blocks, and the moves Terraform implies where count
            # appears or goes: the base's objects under their new names
            renames = [(a, b) for a, b in moves if a and b] + implied_moves(base_shape[0], head_shape[1], moves)
            if renames:
                from .moved import rename_snapshot, renamer

                rename = renamer(renames)
                before = rename_snapshot(before, rename)
                before_prints = {rename(k): v for k, v in before_prints.items()}
            from .moved import IGNORING

            if IGNORING in moves:  # again, keeping what ignore_changes keeps
                raw_after = Raw()
                kept_raw = {rename(k): v for k, v in raw_before.values.items()}
                after, after_prints, _, _ = _side(tree, directory, inputs, secrets, labels, kept=before_prints,
                                                  raw=raw_after, kept_raw=kept_raw)
            forgotten = [a for a, b in moves if a and not b]
            if forgotten:  # removed { lifecycle { destroy = false } }: AWS keeps them
                from .moved import forget

                forget(before, after, forgotten)
            _unmanaged(before, after, before_prints, after_prints)
    elif compare:
        before = after
    actions = _actions(before_prints, after_prints)
    for addr in actions:
        if any(addr == a or addr.startswith((a + ".", a + "[")) for a in forgotten):
            actions[addr] = "forget"  # as the plan says: out of the state, kept in AWS
    if before is not None and before is not after:
        # what an update leaves running: launch-time addresses, template versions (relaunch.py)
        launched_before(before, after, Revisions(raw_before, raw_after, rename), base or "")
    for snap in (after, before):
        if snap is not None:
            snap.groups = {k: replace(g, change=actions.get(k, "no-op")) for k, g in snap.groups.items()}
    if before is not None and before is not after and base is not None:
        from ..adopted import add_adopted

        add_adopted(before, after)  # the VPC default group an adoption finds, with AWS's rules
    return HclLoaded(display(directory), base, before, after, secrets, display(directory), actions,
                     "; ".join(notes) or None)


def _unchanged(text: str) -> str:
    return text


def _actions(before: dict[str, tuple], after: dict[str, tuple]) -> dict[str, str]:
    """What a plan would call each instance's change, from the two sides' evaluated values."""
    out = {}
    for addr in sorted(set(before) | set(after)):
        if addr not in before:
            out[addr] = "create"
        elif addr not in after:
            out[addr] = "delete"
        else:
            out[addr] = "no-op" if before[addr] == after[addr] else "update"
    return out


# ---------------------------------------------------------------------- one side

def _side(reader: Any, directory: str, inputs: VariableInputs, secrets: set[str],
          labels: dict, kept: Optional[dict[str, tuple]] = None,
          notes: Optional[list[str]] = None,
          raw: Any = None, kept_raw: Optional[dict[str, Any]] = None
          ) -> tuple[Snapshot, dict[str, tuple], list[tuple[str, str]], tuple]:
    """One side's Snapshot, a fingerprint of each managed instance's values (to name changes),
    its moved blocks as (from, to) addresses, and its shape for implied moves (moved.py): its
    managed instances (text -> Address) and each resource block's count/for_each. ``kept``: the
    base's values per instance, for the arguments a ``lifecycle { ignore_changes }`` keeps
    (Terraform plans no change to them), and ``kept_raw`` the base's evaluated arguments, whose
    references say which groups those values name. ``raw`` (relaunch.Raw) receives the
    evaluated arguments."""
    loader = EphemeralLoader(reader, directory)  # ephemeralasnull() calls bound (ephemeral.py)
    config = loader.module(directory)
    values = _root_values(reader, directory, config, inputs, notes)
    problems: list = []
    root = ModuleInstance(loader, config, (), None, values, problems)
    instances: list[Instance] = []
    index = HclConfig()
    index.provider_regions = provider_regions(config.provider_configs)
    locations: dict[str, Location] = {}
    prints: dict[str, tuple] = {}
    omitted: set[tuple[str, str]] = set()
    sites: dict[str, list] = {}  # group block -> its inline blocks (blocksites)
    ignoring = False  # does a resource write ignore_changes (the caller then reads it again)
    from .moved import IGNORING, ignored_changes, imported, keep_ignored
    from .triggers import module_prefix, replace_triggers

    importing, unresolved = imported(root)
    problems.extend(unresolved)
    from .provider import provider_major

    every = [ri for module in root.walk() for ri in module.all_resource_instances()]
    major = provider_major(reader, directory, list(loader.configs.values()))  # every module is loaded now
    from .config_checks import check_ephemeral, check_validations, failed_attributes
    from .schema_check import mistyped, unexpected

    check_validations(root.walk())  # what Terraform refuses before it plans anything
    check_ephemeral(ri for ri in every if ri.address.mode == "managed")
    for ri in every:
        wrong = unexpected(ri.block, ri.address.type) if ri.address.mode == "managed" else None
        if wrong is None and ri.address.mode == "managed":
            wrong = mistyped(ri.block, ri.address.type, ri.built())
        if wrong is not None:
            if major == 5:  # the schema tfsg holds is provider 5's
                raise InputError(f"{wrong[0]}; Terraform refuses the configuration", f"{ri.block.file}:{wrong[1]}")
            problems.append((str(ri.address), "", f"{wrong[0]} in provider 5; read as provider {major} may have it, "
                             "not evaluated", ri.block))
        inst = instance_of(ri, major)
        if importing and (inst.addr in importing or without_keys(inst.addr) in importing):
            inst.action = "import"  # exists in AWS: what it does not write, it has there
        base_values = kept.get(inst.addr) if kept is not None else None
        if kept is None and not ignoring and ignored_changes(ri.block):
            ignoring = True
        instances.append(inst)
        index.add(ri, inst)
        if base_values is not None:
            keep_ignored(inst, ri.block, base_values, index.raw[inst.addr], (kept_raw or {}).get(inst.addr))
        if inst.address.mode == "managed":
            prints[inst.addr] = (inst.values, inst.unknown)  # compared with == (order-free)
            if raw is not None:
                raw.values[inst.addr] = index.raw[inst.addr]
                names = ignored_changes(ri.block)
                if names:
                    raw.ignored[inst.addr] = names
                triggers = replace_triggers(ri.block, module_prefix(inst.address), inst.address.key)
                if triggers:
                    raw.triggers[inst.addr] = triggers
        locations[inst.addr] = Location(ri.block.file, ri.block.line)
        if inst.type in _INLINE_GROUP_TYPES:
            block = without_keys(inst.addr)
            if block not in sites:  # every instance of the block shares its lines
                sites[block] = ast_sites(ri.block)
            # Attributes as blocks: zero blocks (none written, or a dynamic block over an
            # empty collection) is null, "not set"; only `ingress = []` sets it empty
            evaluated = ri.built()
            for direction in ("ingress", "egress"):
                blocks = evaluated.get(direction)
                if direction not in ri.block.body.attrs and (blocks is None or (isinstance(blocks, Blocks)
                                                                                and not blocks)):
                    omitted.add((inst.addr, direction))
    # the provider's default_tags, merged into tags_all as a plan shows them (tiers select by tag)
    merge_default_tags(instances, index.provider_keys, default_tags(config.provider_configs, root.env))
    snap = SnapshotBuilder(instances, index, {}, hints=HclHints(index), labels=labels).build()
    snap.unknowns.extend(failed_attributes(((str(ri.address), ri.built()) for ri in every), snap.unknowns))
    secrets |= loader.secrets  # sensitive values the evaluation met (variables, sensitive())
    for text, attribute, reason, block in problems:
        snap.unknowns.append(UnknownRecord(text, attribute, reason))
        locations.setdefault(text, Location(block.file, block.line))
    for cfg in loader.configs.values():
        for note in cfg.skipped:
            snap.unknowns.append(UnknownRecord(note.split(":", 1)[0], "", note.split(": ", 1)[1]))
    for extra in index.problems:
        snap.unknowns.append(extra)
    snap.unknowns = _dedupe(snap.unknowns)
    snap.locations.update(locations)
    snap.omitted_inline = omitted
    snap.rule_locations = assign(snap.rules, sites, snap.literal_rules)
    snap.call_sites = {"module." + name: site for name, site in ast_calls(config.modules).items()}
    from .moved import moved_pairs, repetition

    shape = ({i.addr: i.address for i in instances if i.address.mode == "managed"}, repetition(root))
    return snap, prints, moved_pairs(root) + ([IGNORING] if ignoring else []), shape


def _unmanaged(before: Snapshot, after: Snapshot, before_prints: dict[str, tuple],
               after_prints: dict[str, tuple]) -> None:
    """An inline ``ingress``/``egress`` the new revision omits on a group that existed at the base
    is no longer managed, not emptied: the argument is Optional+Computed, so Terraform plans no
    change and the rules stay in AWS (terraform-provider-aws#644, hashicorp/terraform#13181; the
    aws_default_security_group the same, provider#17569). Only ``ingress = []`` revokes them. The
    after side keeps the base's inline rules (and what could not be read of them) for those."""
    carried = {key for key in after.omitted_inline if key[0] in before.groups}
    if not carried:
        return
    after.rules = after.rules + [r for r in before.rules if r.inline and (r.group, r.direction) in carried]
    have = {(u.address, u.attribute) for u in after.unknowns}
    after.unknowns = after.unknowns + [u for u in before.unknowns if (u.address, u.attribute) in carried
                                       and (u.address, u.attribute) not in have]
    for addr, direction in carried:  # the change Terraform would plan: none for that argument
        if addr in before_prints and addr in after_prints:
            (bv, bu), (av, au) = before_prints[addr], after_prints[addr]
            av, au = dict(av), dict(au)
            for table, src in ((av, bv), (au, bu)):
                table.pop(direction, None)
                if direction in src:
                    table[direction] = src[direction]
            after_prints[addr] = (av, au)


def _dedupe(records: list[UnknownRecord]) -> list[UnknownRecord]:
    seen = set()
    out = []
    for r in records:
        key = (r.address, r.attribute, r.reason)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def instance_of(ri: ResourceInstance, major: int = 5) -> Instance:
    """The Instance a plan would give for this resource instance (``major``: of the AWS provider)."""
    values = ri.built()
    known, mask = _split(values, ri.address.type in GROUP_TYPES)
    defaults = SCHEMA_DEFAULTED.get(ri.address.type, {})
    if major >= 6 and ri.address.type in _V6_DEFAULTS:
        defaults = {**defaults, **_V6_DEFAULTS[ri.address.type]}
    for attr, default in defaults.items():
        if known.get(attr) is None and attr not in mask:
            known[attr] = default  # not written, or written null: "not set", the schema default
    for attr in optional_only(ri.address.type):
        # not written, neither computed nor defaulted: null in a plan ("description": null), not
        # "known after apply" (TFSG009 asks for the description a rule does not have)
        if attr not in known and attr not in mask:
            known[attr] = None
    inst = Instance(ri.address, known, mask, "create")
    inst.partial = True  # absent attributes are computed by the provider: unknown, not null
    return inst


def _split(values: dict, group: bool) -> tuple[dict, dict]:
    """Known values, and an unknown mask (True where a value depends on apply or cannot be told)."""
    known: dict = {}
    mask: dict = {}
    for key, value in values.items():
        if group and key in ("ingress", "egress"):
            elements = list(value) if isinstance(value, list) else value
            if isinstance(elements, list) and all(isinstance(e, dict) and is_known(e) for e in elements):
                known[key] = [{**_INLINE_DEFAULTS, **e} for e in elements]
            else:
                mask[key] = True  # the hints below give the builder each block exactly
            continue
        if isinstance(value, Blocks):
            elements, masks, partly = [], [], False
            for element in value:
                if not isinstance(element, dict):
                    mask[key] = True
                    break
                k, m = _split(element, False)
                elements.append(k)
                masks.append(m)
                partly = partly or bool(m)
            else:
                known[key] = elements
                if partly:
                    mask[key] = masks
            continue
        if is_known(value):
            known[key] = value
        else:
            mask[key] = True
    return known, mask


class HclConfig:
    """What ``ConfigIndex`` gives the builder for plans, from evaluated HCL: per instance, which
    attributes are written, and for unknown values the references they were computed from."""

    present = True

    def __init__(self) -> None:
        self.raw: dict[str, dict] = {}
        self.written_attrs: dict[str, set[str]] = {}
        self.instances: dict[str, Instance] = {}
        self.problems: list[UnknownRecord] = []
        self.read_vars: dict[str, frozenset] = {}  # module resources: the variables they read
        self.provider_keys: dict[str, str] = {}  # address -> provider configuration (providers.py)
        self.provider_regions: dict[str, str] = {}  # configuration -> its region, when a literal

    def add(self, ri: ResourceInstance, inst: Instance) -> None:
        self.raw[inst.addr] = values = ri.built()
        written = ri.block.body.written() - META
        # an attribute written as blocks with none made (a dynamic block over an empty
        # collection) is not set: Terraform's blocktoattr fixup makes it from existing blocks only
        written -= {k for k in written if k not in ri.block.body.attrs and isinstance(values.get(k), Blocks)
                    and not values[k] and inst.type in _INLINE_GROUP_TYPES}
        self.written_attrs[inst.addr] = written
        self.instances[inst.addr] = inst
        self.provider_keys[inst.addr] = ri.module.resolve_provider(provider_written(ri.block, inst.type))
        if inst.address.module:
            self.read_vars[inst.addr] = variables_read(ri.block)

    def resource(self, address: Address) -> Optional[dict]:
        raw = self.raw.get(str(address))
        if raw is None:
            return None
        return {"expressions": raw, "provider_config_key": self.provider_keys.get(str(address))}

    def written(self, address: Address, attr: str) -> bool:
        return attr in self.written_attrs.get(str(address), ())

    def inputs(self, address: Address) -> frozenset:
        return self.read_vars.get(str(address), frozenset())

    def call(self, path: tuple) -> None:
        return None

    def module(self, path: tuple) -> None:
        return None

    def expression(self, address: Address, path: tuple) -> Optional[dict]:
        node: Any = self.raw.get(str(address))
        if node is None:
            return None
        for step in path:
            if isinstance(node, (Unknown, Ref)):
                return {"terms": self.terms(node)}  # inside a block only apply can tell
            if isinstance(node, dict) and isinstance(step, str):
                if step not in node:
                    if address.mode == "data":
                        return {"terms": [Unk(Ref(address, tuple(path)).reason)]}
                    return None
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                return None
        return {"terms": self.terms(node)}

    def terms(self, value: Any) -> list[Term]:
        """An evaluated value as resolution terms: literals, resource references, unknowns."""
        if isinstance(value, Ref):
            inst = self.instances.get(str(value.address))
            if inst is None:
                return [Unk(f"{value.text()}: no such resource instance")]
            return [Res(inst, value.attr)]
        if isinstance(value, Unknown):
            return [Unk(value.reason, value.prefix if isinstance(value, UnknownBlock) else None)]
        if isinstance(value, list) and not is_known(value):
            out: list[Term] = []
            for item in value:
                out.extend(self.terms(item))
            return out
        if isinstance(value, dict) and not is_known(value):
            found = first_unknown(value)
            return [Unk(found.reason if found is not None else "not known")]
        return [Lit(value)]


def block_hints(raw: Any, address: str, direction: str, terms: Callable[[Any], list[Term]],
                problems: list[UnknownRecord]) -> Optional[list[dict]]:
    """Evaluated inline ``ingress``/``egress`` blocks as the builder's InlineHints gives them:
    per block its known fields (``literal``, to match a planned element), an element with the
    provider's defaults, a mask of what is unknown, and the terms of its group and prefix-list
    references. A block only apply can tell (a dynamic for_each over an id) is ``unresolved``."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        found = first_unknown(raw)
        problems.append(UnknownRecord(address, direction, found.reason if found is not None
                                      else f"{direction} is not a list of rules"))
        return [{"unresolved": True}]
    blocks: list[dict] = []
    for element in raw:
        if not isinstance(element, dict):
            found = first_unknown(element)
            problems.append(UnknownRecord(address, direction, found.reason if found is not None
                                          else f"an {direction} rule is not an object"))
            blocks.append({"unresolved": True})
            continue
        known: dict = {}
        mask: dict = {}
        reasons: list[tuple[str, Optional[tuple[int, int]]]] = []
        for key, value in element.items():
            if key in ("security_groups", "prefix_list_ids"):
                continue
            if is_known(value):
                known[key] = value
            elif key in ("cidr_blocks", "ipv6_cidr_blocks") and isinstance(value, list):
                # ["${aws_eip.nat.public_ip}/32", "0.0.0.0/0"]: the known blocks are admitted
                # whatever apply makes of the others, which are unknowns of this rule (one
                # each, with the prefix length the text writes: never "the internet" then)
                known[key] = [v for v in value if is_known(v)]
                version = 6 if key.startswith("ipv6") else 4
                reasons += [(found.reason, (version, found.prefix) if isinstance(found, UnknownBlock) else None)
                            for found in (first_unknown(v) for v in value) if found is not None]
            else:
                mask[key] = True
                found = first_unknown(value)
                if found is not None:
                    reasons.append((found.reason, None))
        if reasons:  # scoped to this rule's direction and services, for the policies
            from ...netsets import ProtocolError, services_for_rule
            try:
                services = services_for_rule(known.get("protocol"), known.get("from_port"), known.get("to_port"))
            except (ProtocolError, TypeError, ValueError):
                services = None
            problems.extend(UnknownRecord(address, direction, r, (direction, address), services, block)
                            for r, block in reasons)
        literal = {k: known[k] for k in ("protocol", "from_port", "to_port", "description", "self") if k in known}
        blocks.append({"element": {**_INLINE_DEFAULTS, **known}, "literal": literal, "mask": mask,
                       "unresolved": False, "group_terms": terms(element.get("security_groups") or []),
                       "prefix_terms": terms(element.get("prefix_list_ids") or [])})
    return blocks


class HclHints:
    """Inline ``ingress``/``egress`` blocks exactly as evaluated (the builder's InlineHints)."""

    def __init__(self, config: HclConfig) -> None:
        self.config = config

    def inline_blocks(self, inst: Instance, direction: str) -> Optional[list[dict]]:
        return block_hints(self.config.raw.get(inst.addr, {}).get(direction), inst.addr, direction,
                           self.config.terms, self.config.problems)

    def has_dynamic(self, inst: Instance, direction: str) -> bool:
        return False  # dynamic blocks are expanded by the evaluator and count as written


# ---------------------------------------------------------------------- variables

def _root_values(reader: Any, directory: str, config: Any, inputs: VariableInputs,
                 notes: Optional[list[str]] = None) -> dict[str, Any]:
    """Terraform's order: environment, terraform.tfvars, *.auto.tfvars, then -var-file and -var
    (TF_CLI_ARGS_plan's, TF_CLI_ARGS's, then the command line's)."""
    declared = config.variables
    values: dict[str, Any] = {}
    for key, text in sorted(os.environ.items()):
        if key.startswith("TF_VAR_") and key[7:] in declared:
            values[key[7:]] = _from_text(text, declared[key[7:]], f"TF_VAR_{key[7:]}")
    names = reader.listdir(directory)
    files = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    files += sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    for name in files:
        values.update(_tfvars(reader, os.path.join(directory, name)))
    from .cliargs import env_inputs

    # TF_CLI_ARGS_plan's and TF_CLI_ARGS's -var-file/-var come before the command line's (cliargs.py)
    given = [(f"env-{k}", v) for k, v in env_inputs(directory, repository_of(directory))] + inputs.in_order()
    for kind, item in given:
        flag = "-var-file (TF_CLI_ARGS)" if kind == "env-file" else "-var (TF_CLI_ARGS)" if kind == "env-var" \
            else "--var-file" if kind == "file" else "--var"
        if kind in ("file", "env-file"):
            if not os.path.isfile(item):
                raise UsageError(f"{flag}: no such file", item)
            source = var_file_reader(reader, item, notes)
            if source is not None:
                values.update(_tfvars(source, item))
            continue
        assignment = item
        name, sep, text = assignment.partition("=")
        if not sep or not name:
            raise UsageError(f"{flag} expects NAME=VALUE, got {assignment!r}", flag)
        if name not in declared:
            raise UsageError(f"{flag} {name}: no variable {name!r} is declared in the root module", flag)
        values[name] = _from_text(text, declared[name], f"{flag} {name}")
    return values


def _tfvars(reader: Any, path: str) -> dict[str, Any]:
    text = reader.read(path)
    shown = display(path)
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError(f"not valid JSON: {exc}", shown) from None
        if not isinstance(data, dict):
            raise InputError("a .tfvars.json file must hold a JSON object", shown)
        return data
    body = parse_body(text, shown)
    out = {}
    for name, attr in body.attrs.items():
        value = safe(attr.expr, Env(LiteralScope()), shown)
        if isinstance(value, Unknown):
            raise InputError(f"variable {name}: {value.reason.split(': ', 1)[-1]}", f"{shown}:{attr.line}")
        out[name] = value
    return out


def _from_text(text: str, block: Any, where: str) -> Any:
    """A value given as text (-var, TF_VAR_): a string for primitive types, else HCL syntax."""
    type_attr = block.body.attrs.get("type")
    kind = getattr(type_attr.expr, "name", None) if type_attr is not None else None
    if type_attr is None or kind in ("string", "number", "bool"):
        value: Any = text
    else:
        body = parse_body(f"v = {text}\n", where)
        value = safe(body.attrs["v"].expr, Env(LiteralScope()), where) if "v" in body.attrs else text
        if isinstance(value, Unknown):
            raise UsageError(f"cannot read the value: {value.reason}", where)
    if type_attr is not None:
        from .values import EvalError

        try:
            value = convert(value, type_attr.expr)
        except EvalError as exc:
            from .modules import is_sensitive_variable

            raise UsageError("the value, which is sensitive, does not convert to the variable's type"
                             if is_sensitive_variable(block) else f"{exc}", where) from None
    return value



