"""Markdown for a pull-request comment (GitHub-flavoured), from a report-v2 result dict.

Layout: a verdict line (check: pass/fail with the count of blocking findings; diff/show: a
summary), counts by severity, the blocking findings as a table, the reachability change (flows
added and removed, resources newly reachable from the internet, paths added and removed), a
Mermaid picture of the change (shared with :mod:`tfsg.report.picture`), and everything else
folded in ``<details>`` blocks: other introduced findings, existing, waived, warnings about
values unknown until apply, resolved findings, waivers to look at, exposure in numbers and the
unknown list. A result with no reachability change and no finding gets a short comment.

The comment stays under ``max_chars`` (GitHub refuses comments over 65,536 characters; lengths
are counted in UTF-16 code units, as GitHub counts them): when the full comment is too long,
tables and lists are cut to fewer rows, each with a note saying how many were left out, and the
picture shrinks and then goes. Markdown is never cut in the middle: every table, code fence and
``<details>`` block is closed. Table cells escape ``|``, ``<``, ``>``, ``&``, backticks, ``*``,
``[``/``]``, ``@`` (no mentions) and line breaks, and break bare URLs (no autolinks); long cells are
shortened.

Pure and deterministic: the same result gives byte-identical Markdown.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..errors import one_line
from . import picture, trust
from .text import SEVERITY_ORDER, _count, _reach_text, _service, _services

#: GitHub's limit on a comment body is 65,536 characters; keep a margin.
MAX_CHARS = 65000
#: Longest text in one table cell or list entry, before escaping.
CELL_CHARS = 300
MORE = "see the job summary / SARIF"
_MORE = "\x00more\x00"  # replaced by the ``more`` text once the comment is built
MARKER = "<!-- tfsg:report -->"

_ICON = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}

# (rows per table or list, edges in the picture): tried in order until the comment fits
_BUDGETS: tuple[tuple[int | None, int | None], ...] = (
    (None, 150), (200, 150), (100, 100), (50, 60), (25, 40), (10, 25), (10, 0), (5, 0), (2, 0), (0, 0))


# --------------------------------------------------------------------------- escaping


def _shorten(text: str, limit: int = CELL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _oneline(text: Any) -> str:
    s = str(text).replace("\x00", "")
    s = " ".join(s.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return one_line(s)  # other control characters (ESC from the branch) escaped, as in error messages


# What Markdown or HTML would read in a table cell, and what stands for it instead.
_CELL_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|", "&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "&#96;",
                               "*": "\\*", "[": "\\[", "]": "\\]", "~": "\\~",
                               "@": "@\u2060"})  # a word joiner after @: no @mention


# GitHub turns bare ``https://...`` and ``www.`` text into links (GFM autolinks); a word joiner
# inside keeps the text as it reads and makes it no link (the text may come from the branch).
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)")


def text(value: Any, limit: int = CELL_CHARS) -> str:
    """Plain text safe in a table cell or a list item: one line, nothing Markdown or HTML reads."""
    return _AUTOLINK.sub("\u2060", _shorten(_oneline(value), limit).translate(_CELL_ESCAPES))


_BACKTICKS = re.compile("`+")


def code(value: Any, *, table: bool = True, limit: int = CELL_CHARS) -> str:
    """An inline code span; ``|`` escaped inside tables (GFM splits cells before code spans)."""
    s = _shorten(_oneline(value), limit)
    if table:
        s = s.replace("|", "\\|")
    longest = max(map(len, _BACKTICKS.findall(s)), default=0) if "`" in s else 0
    fence = "`" * (longest + 1)
    if s.startswith(("`", " ")) or s.endswith(("`", " ")):
        s = f" {s} "
    return f"{fence}{s}{fence}" if s else "—"


def codes(values: list[str], *, table: bool = True, most: int = 5) -> str:
    """Addresses as code spans, comma-separated; past ``most`` the rest are counted."""
    if not values:
        return "—"
    shown = [code(v, table=table, limit=120) for v in values[:most]]
    if len(values) > most:
        shown.append(f"+{len(values) - most} more")
    return ", ".join(shown)


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def _summary(value: str) -> str:
    return html.escape(_oneline(value), quote=False)


def length(markdown: str) -> int:
    """The length GitHub counts: UTF-16 code units."""
    return len(markdown.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- building blocks


def _first(rows: int | None) -> int | None:
    """Rows for what matters most (the blocking findings): five times the others' share."""
    return None if rows is None else rows * 5


def _table(header: list[str], rows: list, limit: int | None, fmt: Any = None) -> list[str]:
    """A closed table (blank line after it) and, when cut, a note on what was left out.

    ``fmt``: turns a row into its cells, called for the rows shown only (a large plan has
    hundreds of thousands of rows and a comment shows a few dozen)."""
    if not rows:
        return []
    shown = rows if limit is None else rows[:limit]
    if fmt is not None:
        shown = [fmt(r) for r in shown]
    out = []
    if shown:
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join("---" for _ in header) + "|")
        out += ["| " + " | ".join(cells) + " |" for cells in shown]
        out.append("")
    if len(rows) > len(shown):
        out += [f"_… and {len(rows) - len(shown)} more; {_MORE}._", ""]
    return out


def _list(items: list, limit: int | None, fmt: Any = None) -> list[str]:
    """A list cut at ``limit`` items; ``fmt`` turns an item into its line, for the items shown only."""
    if not items:
        return []
    shown = items if limit is None else items[:limit]
    out = [f"- {fmt(item) if fmt is not None else item}" for item in shown]
    if len(items) > len(shown):
        out.append(f"- _… and {len(items) - len(shown)} more; {_MORE}._")
    return out + [""]


def _details(summary: str, body: list[str]) -> list[str]:
    if not body:
        return []
    return [f"<details><summary>{_summary(summary)}</summary>", "", *body, "</details>", ""]


# evidence keys the one-line evidence has no phrase of its own for: how a reader says them
EVIDENCE_LABELS = {"grown": "what this change adds:", "internet_facing_by": "internet-facing by"}


def evidence(finding: dict) -> str:
    """A finding's evidence in one line (raw text; escape it with :func:`text`)."""
    ev = finding.get("evidence") or {}
    parts: list[str] = []
    done = {"hops", "group"}
    if ev.get("path"):
        parts.append("path " + " → ".join(ev["path"]))
    if ev.get("services"):
        svc = _services(ev["services"])
        parts.append(f"{svc} from {', '.join(ev['sources'])}" if ev.get("sources") else svc)
    elif ev.get("sources"):
        parts.append("from " + ", ".join(ev["sources"]))
    if ev.get("source"):
        parts.append(f"from {ev['source']}")
    if ev.get("cidr"):
        parts.append(f"CIDR {ev['cidr']}")
    if ev.get("cidrs"):
        parts.append("CIDRs " + ", ".join(ev["cidrs"]))
    counts = ev.get("addresses")
    counts = [counts] if isinstance(counts, int) else counts  # merged findings: one count per part
    if isinstance(counts, list) and counts and all(isinstance(c, int) for c in counts):
        parts.append("; ".join(_count(c) for c in counts) + (f" (budget {ev['budget']:,})" if "budget" in ev else ""))
    if ev.get("groups"):
        members = f" ({ev['members']} members)" if isinstance(ev.get("members"), int) else ""
        parts.append("groups " + ", ".join(map(str, ev["groups"])) + members)
    if ev.get("exposed_resources"):
        parts.append("reaches " + ", ".join(ev["exposed_resources"]))
    if ev.get("missing"):
        parts.append("missing " + ", ".join(map(str, ev["missing"])))
    if "count" in ev and "limit" in ev:
        where = " ".join(str(ev[k]) for k in ("direction", "family") if ev.get(k))
        parts.append(f"{ev['count']} {where + ' ' if where else ''}rules (limit {ev['limit']})")
        done |= {"direction", "family"}
    elif "limit" in ev:
        parts.append(f"limit {ev['limit']}")
    if ev.get("name") and ev.get("pattern"):
        parts.append(f"name {ev['name']!r} does not match {ev['pattern']}")
    if ev.get("ports"):
        parts.append(f"ports {ev['ports']}")
    if ev.get("rule_resources"):
        parts.append("rule resources " + ", ".join(ev["rule_resources"]))
    if ev.get("routes"):
        parts.append("between VPCs through " + ", ".join(ev["routes"]))
    if isinstance(ev.get("new_hop"), list):
        parts.append("new hop " + " → ".join(map(str, ev["new_hop"])))
    if ev.get("unknown"):
        items = [f"{u['address']} {u['attribute']}".strip() if isinstance(u, dict) else str(u) for u in ev["unknown"]]
        parts.append("unknown: " + ", ".join(items))
    done |= {"path", "services", "sources", "source", "cidr", "cidrs", "addresses", "budget", "groups", "members",
             "exposed_resources", "missing", "count", "limit", "name", "pattern", "ports", "rule_resources",
             "unknown", "defined_by", "routes", "new_hop"}
    if not parts and finding.get("message"):
        # no evidence this function knows how to say: the message says more than raw keys
        parts.append(finding["message"])
    else:
        for key in sorted(set(ev) - done):
            value = ev[key]
            if value in ([], {}, None, ""):
                continue  # nothing to say (an empty list of revoked rules)
            if isinstance(value, list):
                value = ", ".join(v if isinstance(v, str) else json.dumps(v, sort_keys=True) for v in value)
            elif isinstance(value, dict):
                value = json.dumps(value, sort_keys=True)
            parts.append(f"{EVIDENCE_LABELS.get(key, key.replace('_', ' '))} {value}")
    if ev.get("defined_by"):
        by = ev["defined_by"] if isinstance(ev["defined_by"], list) else [ev["defined_by"]]
        parts.append("defined by " + ", ".join(by))
    return " · ".join(parts)


def _policy_cell(f: dict, *, mark_existing: bool = False) -> str:
    tag = " (existing)" if mark_existing and not f.get("introduced") else ""
    return f"**{text(f['policy'], 60)}** {text(f['title'], 120)}{tag}"


def _where(f: dict) -> str:
    return code(f["location"]) if f.get("location") else "—"


def _finding_cells(f: dict, *, mark_existing: bool = False) -> list[str]:
    return [_policy_cell(f, mark_existing=mark_existing), f"{_ICON[f['severity']]} {f['severity']}",
            code(f["address"]), _where(f), text(evidence(f))]


def _existing_marked(f: dict) -> list[str]:
    return _finding_cells(f, mark_existing=True)


_FINDING_HEADER = ["Policy", "Severity", "Resource", "Location", "Evidence"]


def _services_of(rows: list[dict]) -> str:
    return ", ".join(_service(r["protocol"], r["ports"]) for r in sorted(rows, key=picture.service_key))


def _finding_key(f: dict) -> tuple:
    return (not f.get("blocking"), not f.get("introduced"), SEVERITY_ORDER.index(f["severity"]), f["policy"],
            f["address"], f["message"])


class _Result(dict):
    """A result as one ``render`` reads it: its lists in a fixed order (``_normalised``) and, in
    ``memo``, what the comment's size attempts share (grouped rows, the picture's edges)."""

    __slots__ = ("memo",)

    def __init__(self, result: dict) -> None:
        super().__init__(result)
        self.memo: dict = {}


def _memo(result: dict, key: Any, compute: Any) -> Any:
    """``compute()``, once per render of ``result`` (every call when it carries no memo)."""
    memo = getattr(result, "memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _normalised(result: dict) -> dict:
    """A shallow copy with every list this module reads in a fixed order, whatever the input order."""
    out = _Result(result)
    if "findings" in out:
        out["findings"] = sorted(out["findings"] or [], key=_finding_key)
    if "resolved" in out:
        out["resolved"] = sorted(out["resolved"] or [], key=lambda f: (
            SEVERITY_ORDER.index(f["severity"]), f["policy"], f["address"], f["message"]))
    if "waivers" in out:
        out["waivers"] = sorted(out["waivers"] or [], key=lambda w: (
            w["origin"], w["policy"], w["address"], w["status"], w["message"]))
    if "unknown" in out:
        out["unknown"] = sorted(out["unknown"] or [], key=lambda u: (u["address"], u["attribute"], u["reason"]))
    if "groups" in out:
        out["groups"] = sorted(out["groups"] or [], key=lambda g: g.get("address") or "")
    for key in ("paths", "paths_added", "paths_removed"):
        if key in out:
            out[key] = sorted(out[key] or [], key=lambda p: p["nodes"])
    if "exposure_changes" in out:
        out["exposure_changes"] = sorted(out["exposure_changes"] or [], key=lambda c: (c["group"], c["direction"]))
    return out


def _flow_rows(result: dict) -> list[tuple]:
    """(sign, from, to, rows) per endpoint pair; cells by ``_flow_cells``."""
    return _memo(result, "flows", lambda: _grouped_flows(result))


def _grouped_flows(result: dict) -> list[tuple]:
    rows = []
    for key, sign in (("added", "➕"), ("removed", "➖")):
        pairs: dict[tuple[str, str], list[dict]] = {}
        for r in result.get(key) or []:
            pairs.setdefault((r["from"], r["to"]), []).append(r)
        rows += [(sign, src, dst, items) for (src, dst), items in sorted(pairs.items())]
    return rows


def _flow_cells(row: tuple) -> list[str]:
    sign, src, dst, items = row
    by = sorted({b for r in items for b in r.get("defined_by") or []})
    return [sign, code(src), code(dst), text(_services_of(items)), codes(by)]


def _cidr_rows(result: dict, keys: tuple[tuple[str, str], ...]) -> list[tuple]:
    """CIDR-derived flows per (block, target, set), the largest sets first; the members are
    listed by ``_cidr_cells``, for the rows shown only (a set holds thousands of groups)."""
    return _memo(result, ("cidr", keys), lambda: _grouped_cidr(result, keys))


def _grouped_cidr(result: dict, keys: tuple[tuple[str, str], ...]) -> list[tuple]:
    sets = result.get("group_sets") or {}
    lookup: dict[str, frozenset] = {}
    rows = []
    for key, sign in keys:
        merged: dict[tuple[str, str, str], list[dict]] = {}
        for r in result.get(key) or []:
            merged.setdefault((r["from"], r["to"], r["groups"]), []).append(r)
        for (block, target, ident), items in merged.items():
            members = sets.get(ident, ())
            if ident not in lookup:
                lookup[ident] = frozenset(members)
            size = len(members) - (target in lookup[ident])  # a target never flows to itself
            rows.append((sign, (members, target), target, items, block, size))
    rows.sort(key=lambda r: (r[0], -r[5], r[2], r[4]))
    return rows


def _cidr_cells(row: tuple) -> list[str]:
    sign, (members, target), _, items, block, _ = row
    shown = [m for m in members if m != target]
    return ([sign] if sign else []) + [codes(shown, most=3), code(target), text(_services_of(items)), code(block)]


def _exposure_rows(entries: list[dict], sign: str) -> list[tuple]:
    """(sign, kind, address, entries) per exposed resource or group; cells by ``_exposure_cells``."""
    grouped: dict[tuple, list[dict]] = {}
    for e in entries:  # one row per address family, listener and set of sources
        key = (e["kind"], e["address"], e.get("family") or "", e.get("listener") or "", tuple(e.get("sources") or ()),
               e.get("reason") or "")  # a Classic Load Balancer's listener blocks share its address
        grouped.setdefault(key, []).append(e)
    return [(sign, key[0], key[1], items)
            for key, items in sorted(grouped.items(), key=lambda x: (x[0][0] != "resource",) + x[0][1:])]


def _exposure_cells(row: tuple) -> list[str]:
    sign, kind, address, items = row
    first = items[0]
    what = code(address) + ("" if kind == "resource" else " (group)")
    return [sign, what, text(_services_of(items)), text(", ".join(first.get("sources") or [])),
            codes(first.get("via") or []), text(first.get("reason") or "—")]


def _path_line(p: dict, *, table: bool = False) -> str:
    out = code(p["nodes"][0], table=table)
    for hop in p["hops"]:
        out += f" → ({text(_services(hop['services']), 120)}) {code(hop['to'], table=table)}"
    return out


def _diagram(result: dict, edges: int | None) -> list[str]:
    if not edges:
        return []
    body, pic = picture.render_mermaid(result, max_edges=edges)
    if not pic.edges:
        return []
    out = ["```mermaid", body.rstrip("\n"), "```", ""]
    if pic.change:
        out.append("<sub>Thick red edges: flows added · dashed grey: flows removed · thin: unchanged hops of "
                   "paths from the internet · plain lines: attached resources</sub>")
    else:
        out.append("<sub>Edges: flows, labelled with their services · plain lines: attached resources</sub>")
    if pic.total_edges > len(pic.edges):
        out[-1] = out[-1][:-len("</sub>")] + \
            f" · {pic.total_edges - len(pic.edges)} more edges not drawn; {_MORE}</sub>"
    return out + [""]


def _unknown_block(result: dict, rows: int | None) -> list[str]:
    unknown = result.get("unknown") or []
    table = _table(["Address", "Attribute", "Reason"], unknown, rows,
                   lambda u: [code(u["address"]), code(u["attribute"]) if u.get("attribute") else "—",
                              text(u["reason"])])
    return _details(f"Unknown until apply or unresolved ({len(unknown)})", table)


def _meta(result: dict) -> str:
    inp = result.get("input") or {}
    bits = [f"tfsg {result.get('tool', {}).get('version', '')}".strip(), result["command"],
            f"{inp.get('kind', 'plan')} {inp.get('path', '')}".strip()]
    if inp.get("terraform_version"):
        bits.append(f"Terraform {inp['terraform_version']}")
    meta = "<sub>" + " · ".join(text(b, 200) for b in bits) + "</sub>"
    # right under the verdict: what the input leaves out, and what changed outside Terraform
    for key in ("plan_note", "sources_note", "filters_note", "drift_note"):
        if inp.get(key):
            meta += "\n\n> ⚠️ " + text(inp[key], 500)
    return meta


# --------------------------------------------------------------------------- sections


def _reachability(result: dict, rows: int | None, edges: int | None) -> list[str]:
    out = ["#### Reachability change", ""]
    if result.get("note"):
        out += [text(result["note"], 500), ""]
    if not (result.get("summary") or {}).get("reachability_changed"):
        out += ["No change to reachability: no flow added or removed, nothing newly reachable from the internet.", ""]
    elif not (result.get("added") or result.get("removed") or result.get("cidr_added") or result.get("cidr_removed")):
        joined = [(r, "➕") for r in result.get("resource_flows_added") or []] + \
            [(r, "➖") for r in result.get("resource_flows_removed") or []]
        if joined:
            out += ["**Connections between resources** (new or departed members of groups whose flows stay the "
                    "same)", ""]
            out += _list(joined, rows, lambda item: f"{item[1]} {code(item[0]['from'])} → {code(item[0]['to'])}: "
                                                    f"{text(item[0]['protocol'] + ' ' + item[0]['ports'], 60)}")
    s = result.get("summary") or {}
    counts = [f"{_n(s.get('added', 0), 'flow')} added", f"{s.get('removed', 0):,} removed",
              f"{s.get('newly_exposed', 0):,} newly reachable from the internet",
              f"{s.get('no_longer_exposed', 0):,} no longer", f"{_n(s.get('paths_added', 0), 'path')} added",
              f"{s.get('paths_removed', 0):,} removed"]
    if s.get("reachability_changed"):
        out += ["**" + " · ".join(counts) + "**", ""]
    out += _table(["", "From", "To", "Services", "Defined by"], _flow_rows(result), rows, _flow_cells)
    through = _cidr_rows(result, (("cidr_added", "➕"), ("cidr_removed", "➖")))
    if through:
        out += ["**Flows through CIDR rules** (groups whose members are inside a block another group admits)", ""]
        out += _table(["", "From groups", "To", "Services", "Block admitted"], through, rows, _cidr_cells)
    exposure = _exposure_rows(result.get("newly_exposed") or [], "➕") + \
        _exposure_rows(result.get("no_longer_exposed") or [], "➖")
    if exposure:
        out += ["**Reachable from the internet** (➕ newly, ➖ no longer)", ""]
        out += _table(["", "Resource", "Services", "From", "Via", "Why"], exposure, rows, _exposure_cells)
    for key, title in (("paths_added", "New paths from the internet"),
                       ("paths_removed", "Paths from the internet removed")):
        paths = result.get(key) or []
        if paths:
            out += [f"**{title}**", ""] + _list(paths, rows, _path_line)
    out += _diagram(result, edges)
    changes = result.get("exposure_changes") or []
    out += _details(f"Exposure in numbers ({len(changes)})", _table(
        ["Group", "Direction", "Before", "After"], changes, rows,
        lambda c: [code(c["group"]), c["direction"], text(_reach_text(c["before"])), text(_reach_text(c["after"]))]))
    return out


def _severity_counts(result: dict) -> list[str]:
    findings = result.get("findings") or []
    groups = [("Introduced", [f for f in findings
                              if f["introduced"] and not f["waived"] and f["status"] == "violation"]),
              ("Existing", [f for f in findings
                            if not f["introduced"] and not f["waived"] and f["status"] == "violation"]),
              ("Waived", [f for f in findings if f["waived"]]),
              ("Unknown until apply (warnings)", [f for f in findings
                                                  if f["status"] != "violation" and not f["waived"]]),
              ("Resolved", result.get("resolved") or [])]
    header = ["", *[f"{_ICON[s]} {s}" for s in SEVERITY_ORDER]]
    rows = [[f"**{name}**", *[str(sum(1 for f in items if f["severity"] == s)) for s in SEVERITY_ORDER]]
            for name, items in groups if items or name in ("Introduced", "Existing")]
    return _table(header, rows, None)


def _check(result: dict, rows: int | None, edges: int | None) -> list[str]:
    v = result["verdict"]
    findings = result.get("findings") or []
    blocking = [f for f in findings if f["blocking"]]
    if v["passed"]:
        head = f"### ✅ tfsg check passed: no introduced finding at or above {v['fail_on']}"
        if v.get("fail_on_existing"):
            head = f"### ✅ tfsg check passed: no finding at or above {v['fail_on']}"
    else:
        n = v["blocking"]
        head = f"### ❌ tfsg check failed: {n} blocking finding{'s' if n != 1 else ''} at or above {v['fail_on']}"
    out = [head, ""]
    if result.get("note"):  # right after the verdict: what it was judged against
        out += [f"> ℹ️ {text(result['note'], 500)}", ""]
    out += [_meta(result), ""]
    out += trust.markdown_lines(result, rows)  # before the findings: what the reviewer approves
    out += _severity_counts(result)
    if blocking:
        out += ["#### Blocking findings", ""]
        out += _table(_FINDING_HEADER, blocking, _first(rows), _existing_marked)
        fixes: dict[str, str] = {}
        for f in blocking:
            if f.get("remediation"):
                fixes.setdefault(f["policy"], f["remediation"])
        out += ["**How to fix**", ""] + _list([f"**{text(p, 60)}**: {text(fix, 500)}"
                                               for p, fix in sorted(fixes.items())], _first(rows))
    out += _reachability(result, rows, edges)
    rest = [f for f in findings if not f["blocking"]]
    introduced = [f for f in rest if f["introduced"] and not f["waived"] and f["status"] == "violation"]
    existing = [f for f in rest if not f["introduced"] and not f["waived"] and f["status"] == "violation"]
    warnings = [f for f in rest if f["status"] != "violation" and not f["waived"]]
    waived = [f for f in findings if f["waived"]]
    out += _details(f"Other findings introduced by this change, not blocking ({len(introduced)})",
                    _table(_FINDING_HEADER, introduced, rows, _finding_cells))
    out += _details(f"Existing findings, already there before this change ({len(existing)})",
                    _table(_FINDING_HEADER, existing, rows, _finding_cells))
    out += _details(f"Waived findings ({len(waived)})", _table(
        ["Policy", "Severity", "Resource", "Location", "Waiver"], waived, rows,
        lambda f: [_policy_cell(f), f"{_ICON[f['severity']]} {f['severity']}", code(f["address"]), _where(f),
                   text(f["waived"])]))
    out += _details(f"Findings a value unknown until apply may hide ({len(warnings)})",
                    _table(_FINDING_HEADER, warnings, rows, _finding_cells))
    resolved = result.get("resolved") or []
    out += _details(f"Resolved by this change ({len(resolved)})", _table(
        ["Policy", "Severity", "Resource", "What it was"], resolved, rows,
        lambda f: [_policy_cell(f), f"{_ICON[f['severity']]} {f['severity']}", code(f["address"]),
                   text(f["message"])]))
    notes = result.get("waivers") or []
    out += _details(f"Waivers to look at ({len(notes)})", _table(
        ["Where", "Policy", "Address", "Status", "Note"], notes, rows,
        lambda w: [text(w["origin"]), text(w["policy"], 60), code(w["address"]), text(w["status"], 20),
                   text(w["message"])]))
    out += _unknown_block(result, rows)
    return out


def _diff(result: dict, rows: int | None, edges: int | None) -> list[str]:
    s = result.get("summary") or {}
    head = (f"### 🔀 tfsg diff: {_n(s.get('added', 0), 'flow')} added, {s.get('removed', 0):,} removed, "
            f"{s.get('newly_exposed', 0):,} newly reachable from the internet, "
            f"{_n(s.get('paths_added', 0), 'new path')}")
    out = [head, "", _meta(result), ""]
    out += _reachability(result, rows, edges)
    out += _unknown_block(result, rows)
    return out


def _show(result: dict, rows: int | None, edges: int | None) -> list[str]:
    s = result.get("summary") or {}
    head = (f"### 🗺️ tfsg show: {_n(s.get('groups', 0), 'security group')}, {_n(s.get('flows', 0), 'flow')}, "
            f"{_n(s.get('exposed_resources', 0), 'resource')} reachable from the internet, "
            f"{_n(s.get('paths', 0), 'path')} from the internet")
    out = [head, "", _meta(result), ""]
    exposed = _exposure_rows(result.get("exposed") or [], "🌐")
    out += ["#### Reachable from the internet", ""]
    out += _table(["", "Resource", "Services", "From", "Via", "Why"], exposed, rows, _exposure_cells) if exposed \
        else ["Nothing.", ""]
    if result.get("paths"):
        out += ["#### Paths from the internet", ""] + _list(result["paths"], rows, _path_line)
    out += _diagram(result, edges)
    groups = result.get("groups") or []
    out += _details(f"Security groups ({len(groups)})", _table(
        ["Group", "Name", "Attached", "Change", "Location"], groups, rows,
        lambda g: [code(g["address"]), text(g.get("name") or "—"), codes(g.get("attached") or []),
                   text(g.get("change") or "—"), code(g["location"]) if g.get("location") else "—"]))
    flows = _flow_rows({"added": result.get("flows") or []})
    out += _details(f"Flows ({len(result.get('flows') or [])})", _table(
        ["From", "To", "Services", "Defined by"], flows, rows, lambda r: _flow_cells(r)[1:]))
    through = _cidr_rows(result, (("cidr_flows", ""),))
    if through:
        out += _details(f"Flows through CIDR rules ({len(through)})", _table(
            ["From groups", "To", "Services", "Block admitted"], through, rows, _cidr_cells))
    out += _unknown_block(result, rows)
    return out


def _is_quiet(result: dict) -> bool:
    """No reachability change and nothing to report: the short comment."""
    if result["command"] == "show":
        return False
    if (result.get("summary") or {}).get("reachability_changed") or trust.has_news(result):
        return False
    return not (result.get("findings") or result.get("resolved") or result.get("waivers"))


def _quiet(result: dict, more: str) -> str:
    lines = []
    if result["command"] == "check":
        v = result["verdict"]
        lines.append(f"### ✅ No change to reachability · tfsg check passed (fail on {v['fail_on']})")
        lines += ["", "No flow added or removed, nothing newly reachable from the internet, and no policy finding. 🎉"]
    else:
        lines.append("### ✅ No change to reachability")
        lines += ["", "No flow added or removed and nothing newly reachable from the internet. 🎉"]
    if result.get("note"):
        lines += ["", text(result["note"], 500)]
    unknown = len(result.get("unknown") or [])
    if unknown:
        lines += ["", f"{unknown} value{'s' if unknown != 1 else ''} unknown until apply; {text(more, 200)}."]
    lines += ["", _meta(result), "", MARKER]
    return "\n".join(lines) + "\n"


def _full(result: dict, rows: int | None, edges: int | None, more: str) -> str:
    command = result["command"]
    body = _check(result, rows, edges) if command == "check" else (
        _diff(result, rows, edges) if command == "diff" else _show(result, rows, edges))
    while body and body[-1] == "":
        body.pop()
    return ("\n".join(body + ["", MARKER]) + "\n").replace(_MORE, text(more, 200))


def _minimal(result: dict, max_chars: int, more: str) -> str:
    """The last resort: the verdict alone, cut to fit if even that is too long."""
    first = _full(result, 0, 0, more).split("\n", 1)[0]
    note = f"The full report does not fit in a comment; {text(more, 200)}."
    out = f"{first}\n\n{note}\n"
    while out and length(out) > max_chars:
        out = out[:-1]
    return out


def render(result: dict, *, max_chars: int = MAX_CHARS, more: str = MORE) -> str:
    """The pull-request comment for a show, diff or check result, under ``max_chars``.

    ``more`` ends each note on rows left out ("… and 12 more; <more>."): where the rest is to
    be found. Pass another text when this Markdown is itself the job summary.
    """
    result = _normalised(result)
    if _is_quiet(result):
        quiet = _quiet(result, more)
        if length(quiet) <= max_chars:
            return quiet
        return _minimal(result, max_chars, more)
    # every row is at least a dozen characters: with more rows than that fit, the uncut comment
    # cannot fit either (a large plan lists tens of thousands of paths; rendering them is seconds)
    listed = sum(len(v) for v in result.values() if isinstance(v, list))
    for rows, edges in _BUDGETS:
        if rows is None and listed * 12 > max_chars:
            continue
        out = _full(result, rows, edges, more)
        if length(out) <= max_chars:
            return out
    return _minimal(result, max_chars, more)
