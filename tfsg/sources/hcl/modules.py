"""Modules, variables, locals, count, for_each and resources of a configuration, evaluated lazily.

A ``ModuleInstance`` is the scope expressions of one module instance see. Values are computed on
first use and memoised, so references may point forwards and across modules as in Terraform;
a cycle between locals is an error at the local's file:line, as Terraform reports it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, Optional, Union

from ... import limits
from ...errors import InputError
from ...model import Address, ModuleStep, render_module_path
from ..config_files import is_config_file
from .argtypes import (
    INLINE_BLOCK_TYPES,
    INLINE_RULE_DEFAULTS,
    SCHEMA_DEFAULTED,
    arguments,
    computed_in_block,
    mark_schema_sensitive,
    optional_only,
)
from .bodies import Attribute, Block, Body, eval_body, safe
from .cache import cached
from .files import display
from .functypes import empty_typed
from .installed import base_reason, installed_modules, same_source
from .marks import for_builder
from .parse import parse_body, parse_json_config
from .providers import passed, provider_data
from .syntax import CallN, Env, Node, ObjectN, TupleN, VarN, plain
from .values import (
    Blocks,
    EvalError,
    Lazy,
    Ref,
    TypedList,
    TypedMap,
    Unknown,
    first_unknown,
    has_mark,
    is_known,
    is_marked,
    mark,
    mark_sensitive,
    remember,
    strip,
    to_bool,
    to_number,
    to_string,
    unify,
)

# Meta-arguments: not resource attributes (REFERENCE A.6 lists what plan JSON keeps).
META = frozenset({"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"})


class ModuleConfig:
    """The blocks of one module directory."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.files: list[str] = []
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, tuple[Attribute, str]] = {}
        self.resources: dict[tuple[str, str, str], Block] = {}  # (mode, type, name)
        self.modules: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self.moved: list[Block] = []  # moved blocks (moved.py: the base's objects renamed)
        self.providers: list[Block] = []  # terraform { required_providers } blocks (provider.py)
        self.provider_configs: list[Block] = []  # provider "aws" { } blocks (providers.py)
        self.skipped: list[str] = []

    def merge(self, blocks: list[Block], file: str) -> None:
        """An override file's blocks merged into the blocks they name (``_merged``); a block
        with nothing to override is an error in Terraform, skipped here with a note."""
        for block in blocks:
            kind, labels = block.type, block.labels
            table: Optional[dict] = None
            key: Any = None
            if kind in ("resource", "data") and len(labels) == 2:
                table, key = self.resources, ("managed" if kind == "resource" else "data", labels[0], labels[1])
            elif kind in ("variable", "module", "output") and labels:
                table = {"variable": self.variables, "module": self.modules, "output": self.outputs}[kind]
                key = labels[0]
            elif kind == "locals":
                for name, attr in block.body.attrs.items():
                    self.locals[name] = (attr, file)
                continue
            if table is None:
                continue  # terraform, provider, moved...: not what tfsg reads
            if key not in table:
                self.skipped.append(f"{file}: overrides {kind} {'.'.join(labels)}, which no other file declares")
                continue
            table[key] = _merged(table[key], block)

    def add(self, blocks: list[Block], file: str) -> None:
        for block in blocks:
            kind, labels = block.type, block.labels
            if kind == "resource" and len(labels) == 2:
                _declared(self.resources, ("managed", labels[0], labels[1]), block)
            elif kind == "data" and len(labels) == 2:
                _declared(self.resources, ("data", labels[0], labels[1]), block)
            elif kind == "variable" and labels:
                _declared(self.variables, labels[0], block)
            elif kind == "locals":
                for name, attr in block.body.attrs.items():
                    if name in self.locals:
                        first, where = self.locals[name]
                        raise InputError(f"local value {name!r} is declared twice (also at {where}:{first.line}); "
                                         "Terraform refuses the configuration", f"{file}:{attr.line}")
                    self.locals[name] = (attr, file)
            elif kind == "module" and labels:
                _declared(self.modules, labels[0], block)
            elif kind == "output" and labels:
                _declared(self.outputs, labels[0], block)
            elif kind in ("moved", "removed", "import"):
                self.moved.append(block)  # moved.py reads them (removed: destroy = false)
            elif kind == "terraform":
                self.providers += [b for b in block.body.blocks if b.type == "required_providers"]
            elif kind == "provider" and labels:
                self.provider_configs.append(block)


def _declared(table: dict, key: Any, block: Block) -> None:
    """Terraform refuses a module that declares a name twice (in one file or two): which one it
    would read is not a question to guess at."""
    first = table.get(key)
    if first is not None:
        what = " ".join([block.type] + [f'"{label}"' for label in block.labels])
        raise InputError(f"{what} is declared twice (also at {first.file}:{first.line}); Terraform refuses "
                         "the configuration", f"{block.file}:{block.line}")
    table[key] = block


def _merged(original: Block, override: Block) -> Block:
    """Terraform's override merge (language docs, "Override Files"): each argument of the
    override replaces the original's; nested blocks of a type the override writes (a ``dynamic``
    block counts as its type) replace all of the original's of that type."""
    def kind(block: Block) -> str:
        return block.labels[0] if block.type == "dynamic" and block.labels else block.type

    replaced = {kind(b) for b in override.body.blocks}
    attrs = {**original.body.attrs, **override.body.attrs}
    blocks = [b for b in original.body.blocks if kind(b) not in replaced] + list(override.body.blocks)
    # an argument of the provider's "attributes as blocks" kind (ingress, egress) written as an
    # attribute on one side and as blocks on the other: Terraform plans the attribute (checked
    # with terraform plan: an override's `ingress = []` revokes, an override's blocks beside an
    # original `ingress = [...]` are not planned)
    blocks = [b for b in blocks if kind(b) not in attrs]
    return Block(original.type, original.labels, Body(attrs, blocks), original.line, original.file)


def read_module(reader: Any, directory: str) -> ModuleConfig:
    """Parse every .tf (and .tf.json) file of a directory, in name order."""
    config = ModuleConfig(directory)
    names = [n for n in reader.listdir(directory) if is_config_file(n)]
    paths = [os.path.join(directory, n) for n in names]
    if hasattr(reader, "prefetch"):
        reader.prefetch(paths)
    total = 0
    overrides: list[tuple[list[Block], str]] = []
    for name, path in zip(names, paths):
        if reader.isdir(path):
            continue  # a directory named like a file; a dangling link fails below, as Terraform does
        shown = display(path)
        override = name in ("override.tf", "override.tf.json") or name.endswith(("_override.tf",
                                                                                 "_override.tf.json"))
        text = reader.read(path)
        total += len(text)
        if total > limits.get("module-bytes"):  # each file is bounded by the reader; all of them here
            raise InputError(f"the .tf files of this module hold {total:,} characters or more together, over "
                             f"the limit ({limits.how('module-bytes')})", display(directory))
        blocks = cached(text, shown, parse_json_config if name.endswith(".json") else _blocks)
        config.files.append(shown)
        if override:
            overrides.append((blocks, shown))
        else:
            config.add(blocks, shown)
    for blocks, shown in overrides:  # after every primary file, in name order (Terraform's)
        config.merge(blocks, shown)
    return config


def _blocks(text: str, file: str) -> list[Block]:
    return parse_body(text, file).blocks


class Loader:
    """Reads module directories once (local sources, and modules installed by ``terraform init``)."""

    def __init__(self, reader: Any, root: str) -> None:
        self.reader = reader
        self.root = root
        self.configs: dict[str, ModuleConfig] = {}
        self.installed = installed_modules(root)
        self.workspace: Any = _workspace(root)  # a name, or an Unknown (fill.py: plan mode)
        self.secrets: set[str] = set()  # text of sensitive values met while evaluating
        self.regions: Optional[dict[str, str]] = None  # provider configuration -> its literal Region
        self.root_scope: Optional["ModuleInstance"] = None  # the root module's instance
        self.instance_count = 0  # resource and module instances made (limits.py total-instances)
        # at --base: installed packages whose calls the installed code satisfies, read from the
        # work tree (git never holds .terraform/); installed.py
        self.from_work_tree: set[str] = set()
        self._work_tree: Any = None

    def reader_for(self, path: str) -> Any:
        """The reader of a path: the side's own, or the work tree for an installed package at --base."""
        real = os.path.realpath(path) if self.from_work_tree else ""
        if real and any(real == d or real.startswith(d + os.sep) for d in self.from_work_tree):
            if self._work_tree is None:
                from .files import Tree, repository_of

                self._work_tree = Tree(inside=repository_of(self.root))
            return self._work_tree
        return self.reader

    def module(self, directory: str) -> ModuleConfig:
        key = os.path.normpath(directory)
        if key not in self.configs:
            self.configs[key] = read_module(self.reader_for(key), key)
        return self.configs[key]

    def source_dir(self, parent_dir: str, call_path: tuple[str, ...], source: Any,
                   version: Any = None) -> tuple[Optional[str], str]:
        """Where a module call's sources are, or (None, why not)."""
        if isinstance(source, str) and source.startswith(("./", "../")):
            return os.path.normpath(os.path.join(parent_dir, source)), ""
        key = ".".join(call_path)
        if key in self.installed:
            found = self.installed[key]
            if isinstance(source, str) and found.source and not same_source(source, found.source):
                # Terraform refuses to plan ("Module source has changed"): the installed code is
                # another version's, so what this call makes is not known until `terraform init`
                return None, (f"module source {source!r} is not the one `terraform init` installed "
                              f"({found.source!r}); run terraform init: its resources are unknown")
            if hasattr(self.reader, "revision"):  # --base: the same call, if the versions agree
                why = base_reason(key, version if isinstance(version, str) else None, found)
                if why:
                    return None, why
                self.from_work_tree.add(os.path.realpath(found.package))
            return found.directory, ""
        return None, (f"module source {source!r} is not local and not installed by `terraform init` "
                      "(.terraform/modules/modules.json); its resources are unknown")


def _workspace(root: str) -> Any:
    """The workspace Terraform would plan in, or an Unknown (workspace.py: TF_WORKSPACE, else
    ``$TF_DATA_DIR/environment`` or ``.terraform/environment``, else "default")."""
    from .workspace import workspace

    return workspace(root)


# ---------------------------------------------------------------------- instances

class ResourceInstance:
    """One instance of a resource block, its body evaluated on first need."""

    __slots__ = ("module", "block", "address", "env", "_values", "_busy", "_built")

    def __init__(self, module: "ModuleInstance", block: Block, address: Address, env: Env) -> None:
        self.module, self.block, self.address, self.env = module, block, address, env
        self._values: Optional[dict] = None
        self._busy = False
        self._built: Optional[dict] = None

    def built(self) -> dict:
        """The values as the builder reads them (``marks.for_builder``: marked strings only)."""
        if self._built is None:
            values = self.values()
            if values is None:
                return {}
            found: list[str] = []
            self._built = for_builder(values, found)
            if found:
                remember(found, self.module.loader.secrets)
        return self._built

    def values(self) -> Optional[dict]:
        if self._values is None:
            if self._busy:
                return None  # referring to itself while being evaluated: only apply can tell
            self._busy = True
            try:
                # provider-sensitive attributes marked first: a set holding one is marked whole
                evaluated = eval_body(self.block.body, self.env, self.block.file, META)
                self._values = arguments(self.address.type, mark_schema_sensitive(
                    self.address, evaluated, self.module.loader.secrets))
            finally:
                self._busy = False
        return self._values


class ResourceObject(Lazy):
    """What ``aws_x.name`` (or one instance of it) is in an expression."""

    __slots__ = ("instance",)

    def __init__(self, instance: ResourceInstance) -> None:
        self.instance = instance

    def describe(self) -> str:
        return str(self.instance.address)

    def attr(self, name: str) -> Any:
        values = self.instance.values()
        address = self.instance.address
        if values is not None and name in values and name not in ("id", "arn"):
            value = values[name]
            if isinstance(value, Blocks):
                # what the provider computes inside each block is read as a reference to it, and
                # what a group's inline rule leaves unwritten is its empty default
                computed = computed_in_block(address.type, name)
                unset = INLINE_RULE_DEFAULTS if address.type in INLINE_BLOCK_TYPES and \
                    name in ("ingress", "egress") else {}
                made = [{**unset, **{k: Ref(address, (name, i, k)) for k in computed}, **e}
                        if isinstance(e, dict) and (computed or unset) else e for i, e in enumerate(value)]
                return mark(made) if is_marked(value) else made
            return value
        if values is not None and address.mode == "managed" and name in optional_only(address.type) \
                and name not in SCHEMA_DEFAULTED.get(address.type, ()):
            return None  # Optional, not Computed, not written: null in the plan, known when planning
        if address.mode == "data" and address.type in ("aws_region", "aws_partition", "aws_arn") \
                and values is not None:
            known = provider_data(address.type, name, values, self.instance.module.provider_region(
                self.instance.block, address.type))
            if known is not None:
                return known
        return Ref(address, (name,))

    def index(self, key: Any) -> Any:
        # an object's attribute by a string index is the attribute (HCL: ``obj["id"]`` is
        # ``obj.id``; cloudposse writes ``one(aws_security_group.x[*]["id"])``)
        if isinstance(key, str):
            return self.attr(key)
        raise EvalError(f"{self.describe()} is one object: it cannot be indexed by {key!r}")

    def as_value(self) -> Any:
        return Ref(self.instance.address, ())


class ModuleObject(Lazy):
    """What ``module.name`` (or one instance of it) is: its outputs."""

    __slots__ = ("child",)

    def __init__(self, child: "ModuleInstance") -> None:
        self.child = child

    def describe(self) -> str:
        return self.child.label()

    def attr(self, name: str) -> Any:
        return self.child.output(name)

    def index(self, key: Any) -> Any:
        if isinstance(key, str):  # ``module.x["out"]`` is ``module.x.out``
            return self.attr(key)
        raise EvalError(f"{self.describe()} is one module instance: it cannot be indexed by {key!r}")

    def as_value(self) -> Any:
        return {name: plain(self.child.output(name)) for name in sorted(self.child.config.outputs)}


class _Namespace(Lazy):
    __slots__ = ("get", "what")

    def __init__(self, get: Callable[[str], Any], what: str) -> None:
        self.get, self.what = get, what

    def attr(self, name: str) -> Any:
        return self.get(name)

    def describe(self) -> str:
        return self.what


class ModuleInstance:
    """The scope of one module instance: its variables, locals, resources, calls and outputs."""

    def __init__(self, loader: Loader, config: ModuleConfig, path: tuple[ModuleStep, ...],
                 inputs: Optional[dict[str, Callable[[], Any]]], root_values: Optional[dict[str, Any]] = None,
                 problems: Optional[list] = None) -> None:
        self.loader = loader
        self.config = config
        self.path = path
        self.inputs = inputs  # None for the root module
        self.root_values = root_values or {}
        self.problems = problems if problems is not None else []
        self._vars: dict[str, Any] = {}
        self._locals: dict[str, Any] = {}
        self._busy_locals: list[str] = []
        self._resources: dict[tuple[str, str, str], Any] = {}
        self._instances: dict[tuple[str, str, str], Union[list[ResourceInstance], Unknown]] = {}
        self._calls: dict[str, Any] = {}
        self._children: dict[str, Union[list["ModuleInstance"], Unknown]] = {}
        self._outputs: dict[str, Any] = {}
        self.env = Env(self)
        if not path:
            loader.root_scope = self
        # provider configurations (providers.py): what the call passes, else the parent's defaults
        self.provider_map: dict[str, str] = {}
        self.parent_provider: Optional[Callable[[str], str]] = None

    def resolve_provider(self, local: str) -> str:
        """A provider configuration named in this module -> the root module's key for it."""
        if local in self.provider_map:
            return self.provider_map[local]
        if self.parent_provider is not None and "." not in local:
            return self.parent_provider(local)  # a default configuration is inherited
        prefix = ".".join(str(s) for s in self.path)
        return f"{prefix}:{local}" if prefix else local

    def label(self) -> str:
        return ".".join(str(s) for s in self.path) or "the root module"

    def provider_region(self, block: Block, resource_type: str) -> Optional[str]:
        """The Region of the provider configuration a block uses, when the root writes it as a
        literal (providers.py regions)."""
        from .providers import regions
        from .providers import written as provider_written

        if self.loader.regions is None:
            root = self.loader.root_scope  # a region the root computes (var.region) is known too
            self.loader.regions = regions(self.loader.module(self.loader.root).provider_configs,
                                          root.env if root is not None else None)
        return self.loader.regions.get(self.resolve_provider(provider_written(block, resource_type)))

    # ---------------------------------------------------------- names
    def root(self, name: str, line: int) -> Any:
        if name == "var":
            return _Namespace(self.variable, "var")
        if name == "local":
            return _Namespace(self.local, "local")
        if name == "module":
            return _Namespace(self.module_value, "module")
        if name == "data":
            return _Namespace(lambda t: _Namespace(lambda n: self.resource_value("data", t, n), f"data.{t}"), "data")
        if name == "path":
            here = display(self.config.directory)
            # path.cwd: where Terraform runs, absolute (Terraform docs, "References to Named
            # Values"); the root module's directory, as `cd DIR && terraform plan` runs it
            return {"module": here, "root": display(self.loader.root), "cwd": os.path.realpath(self.loader.root)}
        if name == "terraform":
            # terraform.applying: ephemeral (true only during apply: "References to Values"), so
            # Terraform refuses it where it would be kept; ephemeralasnull() of it is null (ephemeral.py)
            return {"workspace": self.loader.workspace,
                    "applying": Unknown("terraform.applying is ephemeral: tfsg reads it through ephemeralasnull()")}
        if name in ("each", "count"):
            raise EvalError(f"{name} is only available inside a block with {'for_each' if name == 'each' else 'count'}")
        if name == "self":
            return Unknown("self is only known to provisioners")
        return _Namespace(lambda n: self.resource_value("managed", name, n), name)

    def variable(self, name: str) -> Any:
        if name in self._vars:
            return self._vars[name]
        block = self.config.variables.get(name)
        if block is None:
            raise EvalError(f"no variable {name!r} is declared in {display(self.config.directory)}")
        value: Any
        if self.inputs is not None and name in self.inputs:
            value = self.inputs[name]()
        elif self.inputs is None and name in self.root_values:
            value = self.root_values[name]
        elif "default" in block.body.attrs:
            value = safe(block.body.attrs["default"].expr, Env(LiteralScope()), block.file)
        elif self.inputs is None:
            value = Unknown(f"var.{name} has no value ({block.file}:{block.line}); set it with --var, "
                            f"--var-file, a .tfvars file or TF_VAR_{name}")
        else:
            value = Unknown(f"var.{name} of {self.label()} is not set by the module call ({block.file}:{block.line})")
        if value is None and "default" in block.body.attrs and _literal_false(block.body.attrs.get("nullable")):
            value = safe(block.body.attrs["default"].expr, Env(LiteralScope()), block.file)
        type_attr = block.body.attrs.get("type")
        secret = is_sensitive_variable(block)
        if type_attr is not None and not isinstance(value, (Unknown, Ref)):
            try:
                value = convert(value, type_attr.expr)
            except EvalError as exc:
                # Terraform: "..., which is sensitive: a number is required" (never the value)
                value = Unknown(f"var.{name} ({block.file}:{block.line}), which is sensitive, does not convert to "
                                "its type" if secret else f"var.{name} ({block.file}:{block.line}): {exc}")
        if secret:
            value = mark_sensitive(value, self.loader.secrets)
        self._vars[name] = value
        return value

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        entry = self.config.locals.get(name)
        if entry is None:
            raise EvalError(f"no local value {name!r} is declared in {display(self.config.directory)}")
        attr, file = entry
        if name in self._busy_locals:
            chain = self._busy_locals[self._busy_locals.index(name):] + [name]
            raise InputError("local values refer to each other in a cycle: " + " -> ".join(f"local.{n}" for n in chain),
                             f"{file}:{attr.line}")
        self._busy_locals.append(name)
        try:
            value = plain(safe(attr.expr, self.env, file))
        finally:
            self._busy_locals.pop()
        self._locals[name] = value
        return value

    def output(self, name: str) -> Any:
        if name in self._outputs:
            return self._outputs[name]
        block = self.config.outputs.get(name)
        if block is None:
            raise EvalError(f"{self.label()} has no output {name!r}")
        attr = block.body.attrs.get("value")
        value = plain(safe(attr.expr, self.env, block.file)) if attr is not None else None
        if is_sensitive_variable(block):  # `sensitive = true`: the caller sees it marked
            value = mark_sensitive(value, self.loader.secrets)
        self._outputs[name] = value
        return value

    # ---------------------------------------------------------- resources
    def resource_value(self, mode: str, typ: str, name: str) -> Any:
        key = (mode, typ, name)
        if key in self._resources:
            return self._resources[key]
        instances = self.resource_instances(mode, typ, name)
        block = self.config.resources.get(key)
        if block is None:
            prefix = "data." if mode == "data" else ""
            raise EvalError(f"reference to undeclared resource {prefix}{typ}.{name}")
        if isinstance(instances, Unknown):
            value: Any = instances
        elif "count" in block.body.attrs:
            value = [ResourceObject(i) for i in instances]
        elif "for_each" in block.body.attrs:
            value = {i.address.key: ResourceObject(i) for i in instances}
        else:
            value = ResourceObject(instances[0]) if instances else Unknown(f"{typ}.{name} has no instance")
        self._resources[key] = value
        return value

    def resource_instances(self, mode: str, typ: str, name: str) -> Any:
        key = (mode, typ, name)
        if key in self._instances:
            return self._instances[key]
        block = self.config.resources.get(key)
        if block is None:
            return []
        keys = self.expand(block)
        if isinstance(keys, Unknown):
            self._instances[key] = keys
            self.problems.append((str(Address(self.path, typ, name, None, mode)), "count" if "count" in block.body.attrs
                                  else "for_each", keys.reason, block))
            return keys
        out = [ResourceInstance(self, block, Address(self.path, typ, name, k, mode), env) for k, env in keys]
        self._instances[key] = out
        return out

    def expand(self, block: Block) -> Any:
        """[(instance key, env)] from count / for_each, or an Unknown."""
        attrs = block.body.attrs
        if "count" in attrs:
            value = safe(attrs["count"].expr, self.env, block.file)
            if not is_known(value):
                return Unknown(f"count is not known: {first_unknown(value).reason}; Terraform itself needs it "
                               "known to plan")
            try:
                n = to_number(value)
            except EvalError as exc:
                return Unknown(f"count: {exc}")
            if not isinstance(n, int) or n < 0:
                return Unknown(f"count must be a whole number, got {value!r}")
            self._instances_allowed(n, block, "count")
            return [(i, self.env.bind(count={"index": i})) for i in range(n)]
        if "for_each" in attrs:
            value = plain(safe(attrs["for_each"].expr, self.env, block.file))
            if is_marked(value) or (isinstance(value, list) and has_mark(value)) or \
                    (isinstance(value, dict) and any(is_marked(k) for k in value)):
                # Terraform refuses it: the instance keys would spell the value in every address
                return Unknown("for_each is sensitive: Terraform refuses sensitive values, or values derived "
                               "from them, in for_each (instance keys would show them)")
            if isinstance(value, (dict, list)):
                self._instances_allowed(len(value), block, "for_each")
            if isinstance(value, dict):
                if any(isinstance(v, Unknown) for v in value.values()) and not all(isinstance(k, str) for k in value):
                    return Unknown("for_each keys are not known")
                return [(k, self.env.bind(each={"key": k, "value": plain(value[k])})) for k in sorted(value)]
            if isinstance(value, list):
                if not all(isinstance(v, str) for v in value):
                    found = first_unknown(value)
                    return Unknown(f"for_each keys are not known: {found.reason}" if found else
                                   "for_each needs a map or a set of strings")
                return [(k, self.env.bind(each={"key": k, "value": k})) for k in sorted(set(value))]
            if value is None:
                return Unknown("for_each is null")
            found = first_unknown(value)
            return Unknown(f"for_each is not known: {found.reason}" if found else "for_each needs a map or a set")
        self._instances_allowed(1, block, "")
        return [(None, self.env)]

    def _instances_allowed(self, n: int, block: Block, what: str) -> None:
        """Refuse, before making them, more instances than one count/for_each or one side may have."""
        where = f"{block.file}:{block.body.attrs[what].line if what else block.line}"
        if what and n > limits.get("instances"):
            raise InputError(f"{what} makes {n:,} instances, over the limit ({limits.how('instances')})", where)
        self.loader.instance_count += n
        if self.loader.instance_count > limits.get("total-instances"):
            raise InputError(f"{self.loader.instance_count:,} resource and module instances or more, over the limit "
                             f"({limits.how('total-instances')})", where)

    # ---------------------------------------------------------- module calls
    def module_value(self, name: str) -> Any:
        if name in self._calls:
            return self._calls[name]
        block = self.config.modules.get(name)
        if block is None:
            raise EvalError(f"reference to undeclared module {name!r}")
        children = self.children(name)
        if isinstance(children, Unknown):
            value: Any = children
        elif "count" in block.body.attrs:
            value = [ModuleObject(c) for c in children]
        elif "for_each" in block.body.attrs:
            value = {c.path[-1].key: ModuleObject(c) for c in children}
        else:
            value = ModuleObject(children[0]) if children else Unknown(f"module.{name} has no instance")
        self._calls[name] = value
        return value

    def children(self, name: str) -> Any:
        if name in self._children:
            return self._children[name]
        block = self.config.modules[name]
        call_path = tuple(s.name for s in self.path) + (name,)
        source, version = (safe(block.body.attrs[name].expr, Env(LiteralScope()), block.file)
                           if name in block.body.attrs else None for name in ("source", "version"))
        directory, why = self.loader.source_dir(self.config.directory, call_path, source, version)
        if directory is None or not self.loader.reader_for(directory).isdir(directory):
            reason = why or f"module source {display(directory or '?')} is not a directory"
            result: Any = Unknown(reason)
            self.problems.append((render_module_path(self.path + (ModuleStep(name, None),)), "source", reason, block))
            self._children[name] = result
            return result
        keys = self.expand(block)
        if isinstance(keys, Unknown):
            # the full address of the call (module.outer["x"].module.inner): what a reviewer looks up
            self.problems.append((render_module_path(self.path + (ModuleStep(name, None),)),
                                  "count" if "count" in block.body.attrs else "for_each", keys.reason, block))
            self._children[name] = keys
            return keys
        config = self.loader.module(directory)
        out = []
        skip = META | {"source", "version", "providers"}
        for key, env in keys:
            inputs = {attr_name: _thunk(attr.expr, env, block.file)
                      for attr_name, attr in block.body.attrs.items() if attr_name not in skip}
            child = ModuleInstance(self.loader, config, self.path + (ModuleStep(name, key),), inputs,
                                   problems=self.problems)
            child.provider_map = {local: self.resolve_provider(given) for local, given in passed(block).items()}
            child.parent_provider = self.resolve_provider
            out.append(child)
        self._children[name] = out
        return out

    def walk(self) -> Iterator["ModuleInstance"]:
        """This instance and every module instance below it."""
        yield self
        for name in sorted(self.config.modules):
            children = self.children(name)
            if not isinstance(children, Unknown):
                for child in children:
                    yield from child.walk()

    def all_resource_instances(self) -> Iterator[ResourceInstance]:
        for mode, typ, name in sorted(self.config.resources):
            found = self.resource_instances(mode, typ, name)
            if not isinstance(found, Unknown):
                yield from found


def _thunk(expr: Node, env: Env, file: str) -> Callable[[], Any]:
    cache: list = []

    def get() -> Any:
        if not cache:
            cache.append(plain(safe(expr, env, file)))
        return cache[0]
    return get


class LiteralScope:
    """The scope of a variable default, a .tfvars file or a -var value: literal values only."""

    def root(self, name: str, line: int) -> Any:
        raise EvalError(f"{name} cannot be referred to here (only literal values are allowed)")


def is_sensitive_variable(block: Any) -> bool:
    sensitive = block.body.attrs.get("sensitive")
    return sensitive is not None and getattr(sensitive.expr, "value", None) is True


def _literal_false(attr: Optional[Attribute]) -> bool:
    return attr is not None and getattr(attr.expr, "value", None) is False


# ---------------------------------------------------------------------- type conversion

def convert(value: Any, type_expr: Node) -> Any:
    """Apply a variable's ``type`` constraint: primitive conversions and optional attributes; a
    marked value converts to a marked value (the elements of a collection keep their own)."""
    if is_marked(value):
        return mark(convert(strip(value), type_expr))
    if value is None:
        return None
    if isinstance(value, (Unknown, Ref)):
        return value
    if isinstance(type_expr, VarN):
        kind = type_expr.name
        if not is_known(value) and kind != "any":
            return value
        if kind == "string":
            return to_string(value) if not isinstance(value, (list, dict)) else _type_error(value, kind)
        if kind == "number":
            return to_number(value)
        if kind == "bool":
            return to_bool(value)
        return value  # any
    if isinstance(type_expr, CallN) and type_expr.args:
        kind, arg = type_expr.name, type_expr.args[0]
        if kind in ("list", "set"):
            if not isinstance(value, list):
                return _type_error(value, kind)
            items = [convert(v, arg) for v in value]
            if _mentions_any(arg):  # list(any): one element type, mixed primitives as strings
                items = unify(items)
            if kind == "set":  # a set holds no marked element: the set is marked (cty)
                # go-cty's order: strings lexically, numbers by value, bools false first; objects
                # and tuples by a hash tfsg does not reproduce (a position in them is unknown)
                from .functions import as_set

                made = as_set(items)
                return mark(made) if has_mark(items) else empty_typed(made, _element_text(arg))
            return empty_typed(TypedList(items), _element_text(arg))
        if kind == "map":
            if not isinstance(value, dict):
                return _type_error(value, kind)
            converted = {k: convert(v, arg) for k, v in value.items()}
            if _mentions_any(arg):  # map(any), map(list(any)): one element type
                converted = dict(zip(converted, unify(list(converted.values()))))
            return empty_typed(TypedMap(converted), _element_text(arg))
        if kind == "object" and isinstance(arg, ObjectN):
            if not isinstance(value, dict):
                return _type_error(value, kind)
            out = {}
            for key, attr_type in arg.items:
                if not isinstance(key, str):
                    continue
                optional = isinstance(attr_type, CallN) and attr_type.name == "optional"
                if key in value:
                    inner = attr_type.args[0] if optional and attr_type.args else attr_type
                    out[key] = convert(value[key], inner) if value[key] is not None or not optional else \
                        _optional_default(attr_type)
                elif optional:
                    out[key] = _optional_default(attr_type)
                else:
                    raise EvalError(f"attribute {key!r} is required")
            return out
        if kind == "tuple" and isinstance(arg, TupleN) and isinstance(value, list):
            return [convert(v, t) for v, t in zip(value, arg.items)]
    return value


def _element_text(type_expr: Node) -> Optional[str]:
    """A collection's element type as text (``string``, ``list(number)``), None when it holds ``any``
    or is not a plain type: what ``==`` of two empty collections compares (functypes.empty_typed)."""
    if isinstance(type_expr, VarN):
        return None if type_expr.name == "any" else type_expr.name
    if isinstance(type_expr, CallN) and type_expr.name in ("list", "set", "map") and len(type_expr.args) == 1:
        inner = _element_text(type_expr.args[0])
        return f"{type_expr.name}({inner})" if inner else None
    return None


def _mentions_any(type_expr: Node) -> bool:
    """Is ``any`` the element type, directly or through nested collections (``list(any)``)?"""
    if isinstance(type_expr, VarN):
        return type_expr.name == "any"
    return isinstance(type_expr, CallN) and type_expr.name in ("list", "set", "map") \
        and bool(type_expr.args) and _mentions_any(type_expr.args[0])


def _optional_default(attr_type: CallN) -> Any:
    if len(attr_type.args) < 2:
        return None
    default = safe(attr_type.args[1], Env(LiteralScope()), "type")
    inner = attr_type.args[0]
    try:
        return convert(default, inner)
    except EvalError:
        return default


def _type_error(value: Any, kind: str) -> Any:
    raise EvalError(f"a {type(value).__name__} is not a {kind}")
