"""The flow graph as a picture: Mermaid (GitHub renders it in Markdown) and Graphviz DOT.

Both are pure functions of a report-v2 result dict and deterministic (nodes and edges sorted).

* ``show`` results draw the whole network after the change: security groups, the CIDRs, prefix
  lists and outside groups that flows name, and the resources attached to each group; one edge
  per (from, to) pair, labelled with its services.
* ``diff`` and ``check`` results draw the change: flows added (thick red, label ``+ ...``),
  flows removed (dashed grey, label ``- ...``), and as thin context edges the unchanged hops of
  the paths from the internet that the change adds or removes. Resources that become (or stop
  being) reachable from the internet hang off the groups that expose them.

Node ids are synthetic (``n_`` + the address reduced to ``[A-Za-z0-9_]`` + a short hash), so
addresses with quotes, brackets, dots or Mermaid keywords never reach the syntax; labels are
quoted and escaped for each language.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..model import is_outside_group
from .text import _service

ADDED, REMOVED, CONTEXT, FLOW, ATTACHED = "added", "removed", "context", "flow", "attached"

#: Most services written on one edge label; the rest are counted ("+3 more").
LABEL_SERVICES = 4

_ADDED_COLOR = "#d1242f"
_REMOVED_COLOR = "#8c959f"


@dataclass(frozen=True)
class Node:
    key: str     # the endpoint as the result names it (address, CIDR, pl-..., sg-..., "internet")
    kind: str    # group | outside-group | address | internet | resource
    label: str


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    state: str   # added | removed | context | flow | attached
    services: tuple[str, ...] = ()

    def label(self) -> str:
        shown = list(self.services[:LABEL_SERVICES])
        if len(self.services) > LABEL_SERVICES:
            shown.append(f"+{len(self.services) - LABEL_SERVICES} more")
        text = ", ".join(shown)
        if self.state == ADDED:
            return f"+ {text}"
        if self.state == REMOVED:
            return f"- {text}"
        return text


@dataclass
class Picture:
    """Nodes and edges of one result, sorted; ``total_edges`` counts edges before the cap."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    total_edges: int = 0
    change: bool = False


# --------------------------------------------------------------------------- the model


_ADDRESS = re.compile(r"^(?:module\.|data\.|aws_|internet$)")


def node_id(key: str) -> str:
    """A syntax-safe, stable id for an endpoint: ``n_`` + [A-Za-z0-9_] + 8 hex of its sha256.
    Only a Terraform address (or ``internet``) lends its text to the id: a group id, a CIDR or a
    prefix list may be a sensitive value, which the labels hide and the scrubbing of the output
    would not recognise once respelled (``sg-0abc`` as ``sg_0abc``)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")[:48] if _ADDRESS.match(key) else ""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return f"n_{slug}_{digest}" if slug else f"n_{digest}"


def service_key(row: dict) -> tuple:
    """Order of services: by protocol, then numerically by port (``80`` before ``443``)."""
    ports = str(row.get("ports", ""))
    nums = [int(x) for x in re.findall(r"[0-9]+", ports)]
    return (str(row.get("protocol", "")), ports != "all", nums, ports)


def _services(rows: list[dict]) -> tuple[str, ...]:
    return tuple(_service(r["protocol"], r["ports"]) for r in sorted(rows, key=service_key))


def _endpoint_kind(key: str, groups: dict[str, dict]) -> str:
    if key == "internet":
        return "internet"
    if key in groups:
        return "group"
    if is_outside_group(key):
        return "outside-group"
    if re.match(r"^[0-9a-fA-F:.]+/[0-9]+$", key) or key.startswith("pl-"):
        return "address"
    # a prefix list by its address (aws_ec2_managed_prefix_list.x) or a group seen on one side only
    return "address" if "prefix_list" in key else "group"


def _group_label(key: str, groups: dict[str, dict]) -> str:
    change = (groups.get(key) or {}).get("change")
    if change in ("create", "delete", "replace"):
        return f"{key} ({change})"
    return key


def _pairs(rows: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        out.setdefault((r["from"], r["to"]), []).append(r)
    return out


def _state_rank(state: str) -> int:
    return (ADDED, REMOVED, CONTEXT, FLOW, ATTACHED).index(state)


def build(result: dict, *, max_edges: int | None = None) -> Picture:
    """The nodes and edges to draw for a result (see the module docstring).

    A result that carries a ``memo`` dict (markdown.py's, which tries several sizes of one
    comment) keeps its edges there: the services of every flow are the costly part."""
    memo = getattr(result, "memo", None)
    found = memo.get("picture") if memo is not None else None
    if found is None:
        found = _edges(result)
        if memo is not None:
            memo["picture"] = found
    groups, change, edges = found
    total = len(edges)
    if max_edges is not None and total > max_edges:
        edges = edges[:max_edges]
    resources = {e.dst for e in edges if e.state == ATTACHED}
    keys = sorted({e.src for e in edges} | {e.dst for e in edges})
    if not change:
        keys = sorted(set(keys) | set(groups))  # a group with no flows is still part of the network
    nodes = []
    for key in keys:
        if key in resources and key not in groups:
            nodes.append(Node(key, "resource", key))
            continue
        kind = _endpoint_kind(key, groups)
        nodes.append(Node(key, kind, _group_label(key, groups) if kind == "group" else key))
    return Picture(nodes, edges, total, change)


def _edges(result: dict) -> tuple[dict, bool, list[Edge]]:
    """Every edge the result can draw, in drawing order (flows added, removed, context...)."""
    groups = {g["address"]: g for g in result.get("groups") or [] if g.get("address")}
    edges: list[Edge] = []
    change = result.get("command") in ("diff", "check")
    if not change:
        for (src, dst), rows in sorted(_pairs(result.get("flows") or []).items()):
            edges.append(Edge(src, dst, FLOW, _services(rows)))
        for key in sorted(groups):
            for res in groups[key].get("attached") or []:
                edges.append(Edge(key, res, ATTACHED))
    else:
        changed_pairs = set()
        for rows_key, state in (("added", ADDED), ("removed", REMOVED)):
            for (src, dst), rows in sorted(_pairs(result.get(rows_key) or []).items()):
                edges.append(Edge(src, dst, state, _services(rows)))
                changed_pairs.add((src, dst))
        changed_targets = {dst for (_, dst) in changed_pairs}
        context: dict[tuple[str, str], tuple[str, ...]] = {}
        members: dict[str, list[str]] = {}  # a resource on a path -> its groups (schema v2)
        for p in (result.get("paths_added") or []) + (result.get("paths_removed") or []):
            for node, of in zip(p["nodes"], p.get("groups") or []):
                if of and of != [node]:
                    members.setdefault(node, of)
            for hop in p["hops"]:
                pair = (hop["from"], hop["to"])
                if pair in changed_pairs:
                    continue
                # "internet -> X" duplicates a changed CIDR edge into X; the CIDR edge says more
                if hop["from"] == "internet" and pair[1] in changed_targets:
                    continue
                context.setdefault(pair, _services(hop["services"]))
        edges.extend(Edge(src, dst, CONTEXT, svc) for (src, dst), svc in sorted(context.items()))
        attached: set[tuple[str, str]] = set()
        # a resource on a path is drawn beside those of its groups the picture already shows
        drawn = {e.src for e in edges} | {e.dst for e in edges}
        attached.update((g, res) for res, of in members.items() for g in of if g in drawn)
        for key in ("newly_exposed", "no_longer_exposed"):
            for e in result.get(key) or []:
                if e["kind"] == "resource":
                    attached.update((via, e["address"]) for via in e["via"])
        edges.extend(Edge(src, dst, ATTACHED) for src, dst in sorted(attached))
    edges.sort(key=lambda e: (_state_rank(e.state), e.src, e.dst))
    return groups, change, edges


# --------------------------------------------------------------------------- Mermaid


# Mermaid's entity codes for the characters its label parser reads; control characters -> space.
_MERMAID_ESCAPES = str.maketrans({"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;",
                                  "|": "#124;", "&": "#amp;", **{chr(c): " " for c in (*range(32), 0x7f)}})


def mermaid_label(text: str) -> str:
    """Text for a quoted Mermaid label: entity codes for the characters its parser reads."""
    return text.replace("\r\n", " ").translate(_MERMAID_ESCAPES)


_MERMAID_SHAPES = {
    "group": ('("', '")'),            # rounded box
    "outside-group": ('{{"', '"}}'),  # hexagon: a group whose rules are not in the plan
    "address": ('(["', '"])'),        # stadium: CIDR or prefix list
    "internet": ('(("', '"))'),       # circle
    "resource": ('["', '"]'),         # box
}

_MERMAID_CLASSES = {
    "group": "fill:#ddf4ff,stroke:#0969da,color:#1f2328",
    "outside-group": "fill:#fff8c5,stroke:#9a6700,color:#1f2328",
    "address": "fill:#f6f8fa,stroke:#57606a,color:#1f2328",
    "internet": "fill:#ffebe9,stroke:#cf222e,color:#1f2328",
    "resource": "fill:#ffffff,stroke:#8c959f,color:#1f2328",
}

_MERMAID_ARROWS = {ADDED: "==>", REMOVED: "-.->", CONTEXT: "-->", FLOW: "-->", ATTACHED: "---"}


def render_mermaid(result: dict, *, max_edges: int | None = 200) -> tuple[str, Picture]:
    """The Mermaid text and the picture it draws (markdown.py reports what the cap left out)."""
    pic = build(result, max_edges=max_edges)
    lines = ["flowchart LR"]
    if pic.change:
        lines.append("  %% thick red ==> : flows added; dashed -.-> : flows removed; "
                     "thin --> : unchanged hops of paths from the internet; --- : attached")
    else:
        lines.append("  %% --> : flows (labelled with their services); --- : attached resources")
    for node in pic.nodes:
        left, right = _MERMAID_SHAPES[node.kind]
        lines.append(f"  {node_id(node.key)}{left}{mermaid_label(node.label)}{right}")
    added, removed = [], []
    for i, edge in enumerate(pic.edges):
        arrow = _MERMAID_ARROWS[edge.state]
        label = edge.label()
        text = f'|"{mermaid_label(label)}"|' if label else ""
        lines.append(f"  {node_id(edge.src)} {arrow}{text} {node_id(edge.dst)}")
        if edge.state == ADDED:
            added.append(i)
        elif edge.state == REMOVED:
            removed.append(i)
    if pic.total_edges > len(pic.edges):
        lines.append(f"  %% {pic.total_edges - len(pic.edges)} more edges not drawn")
    for kind in sorted({n.kind for n in pic.nodes}):
        lines.append(f"  classDef {kind.replace('-', '_')} {_MERMAID_CLASSES[kind]}")
    by_kind: dict[str, list[str]] = {}
    for node in pic.nodes:
        by_kind.setdefault(node.kind, []).append(node_id(node.key))
    for kind in sorted(by_kind):
        lines.append(f"  class {','.join(by_kind[kind])} {kind.replace('-', '_')}")
    if added:
        lines.append(f"  linkStyle {','.join(map(str, added))} stroke:{_ADDED_COLOR},stroke-width:3px")
    if removed:
        lines.append(f"  linkStyle {','.join(map(str, removed))} stroke:{_REMOVED_COLOR},stroke-width:2px")
    return "\n".join(lines) + "\n", pic


def mermaid(result: dict, *, max_edges: int | None = 200) -> str:
    """A Mermaid ``flowchart LR`` of a show result's network or a diff/check result's change.

    ``max_edges`` caps the edges drawn (added first, then removed, context, attachments); a
    ``%%`` comment counts the rest. ``None`` draws everything.
    """
    return render_mermaid(result, max_edges=max_edges)[0]


# --------------------------------------------------------------------------- Graphviz DOT


def dot_string(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as ``\\n``."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    text = "".join(" " if ord(ch) < 32 or ch == "\x7f" else ch for ch in text)
    return f'"{text}"'


_DOT_NODES = {
    "group": 'shape=box, style="rounded,filled", fillcolor="#ddf4ff", color="#0969da"',
    "outside-group": 'shape=hexagon, style=filled, fillcolor="#fff8c5", color="#9a6700"',
    "address": 'shape=ellipse, style=filled, fillcolor="#f6f8fa", color="#57606a"',
    "internet": 'shape=doublecircle, style=filled, fillcolor="#ffebe9", color="#cf222e"',
    "resource": 'shape=box, color="#8c959f"',
}

_DOT_EDGES = {
    ADDED: f'color="{_ADDED_COLOR}", fontcolor="{_ADDED_COLOR}", penwidth=2.5',
    REMOVED: f'color="{_REMOVED_COLOR}", fontcolor="{_REMOVED_COLOR}", style=dashed',
    CONTEXT: 'color="#57606a"',
    FLOW: 'color="#57606a"',
    ATTACHED: 'dir=none, style=dotted, color="#8c959f"',
}


def dot(result: dict, *, max_edges: int | None = None) -> str:
    """A Graphviz ``digraph`` of the same picture as :func:`mermaid` (every id quoted)."""
    pic = build(result, max_edges=max_edges)
    title = "change" if pic.change else "network"
    lines = [f"digraph {dot_string('tfsg ' + title)} {{",
             "  rankdir=LR;",
             '  graph [fontname="Helvetica", fontsize=10];',
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    if pic.change:
        lines.append("  // bold red: flows added; dashed grey: flows removed; thin: unchanged hops of "
                     "paths from the internet; dotted: attached")
    for node in pic.nodes:
        lines.append(f"  {dot_string(node_id(node.key))} [label={dot_string(node.label)}, {_DOT_NODES[node.kind]}];")
    for edge in pic.edges:
        label = edge.label()
        attrs = (f"label={dot_string(label)}, " if label else "") + _DOT_EDGES[edge.state]
        lines.append(f"  {dot_string(node_id(edge.src))} -> {dot_string(node_id(edge.dst))} [{attrs}];")
    if pic.total_edges > len(pic.edges):
        lines.append(f"  // {pic.total_edges - len(pic.edges)} more edges not drawn")
    lines.append("}")
    return "\n".join(lines) + "\n"
