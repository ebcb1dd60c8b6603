"""Human text for ``show`` and ``diff``: what a reviewer reads first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from ..netsets import count_text
from .trust import text_lines as trust_text


def _service(protocol: str, ports: str) -> str:
    if protocol == "all":
        return "all traffic"
    if protocol.isdigit():
        return f"protocol {protocol}"  # ports do not apply to other protocol numbers
    if protocol == "other":
        return "every other protocol"
    return f"{protocol} {ports}"


def _services(items: list[dict]) -> str:
    # (once each: a listener's IPv4 and IPv6 rows name the same source)
    return ", ".join(dict.fromkeys(_service(s["protocol"], s["ports"]) for s in items))


def _grouped(rows: list[dict]) -> list[tuple[str, str, str, list[str]]]:
    """Flow rows -> (from, to, "tcp 22, tcp 443", defined_by) per endpoint pair."""
    out: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for r in rows:
        entry = out.setdefault((r["from"], r["to"]), ([], []))
        entry[0].append(_service(r["protocol"], r["ports"]))
        entry[1].extend(d for d in r.get("defined_by", []) if d not in entry[1])  # every row's rules
    return [(a, b, ", ".join(s), sorted(by)) for (a, b), (s, by) in sorted(out.items())]


def _header(result: dict) -> str:
    inp = result["input"]
    notes = ("plan_note", "sources_note", "filters_note", "drift_note")
    if inp["kind"] == "hcl":
        against = f"compared with git {inp['base']}" if inp.get("base") else "no --base revision"
        head = f"tfsg {result['command']} {inp['path']} (.tf files, {against})" if result["command"] != "show" \
            else f"tfsg show {inp['path']} (.tf files)"
        return head + "".join(f"\n{inp[k]}" for k in notes if inp.get(k))  # (the filters, in HCL mode too)
    bits = [inp["kind"]]
    if inp.get("format_version"):
        bits.append(f"format {inp['format_version']}")
    if inp.get("terraform_version"):
        bits.append(f"Terraform {inp['terraform_version']}")
    if inp.get("sources"):
        bits.append(f"sources {inp['sources']}")
    head = f"tfsg {result['command']} {inp['path']} ({', '.join(bits)})"
    return head + "".join(f"\n{inp[k]}" for k in notes if inp.get(k))


# A diff lists at most this many lines per section (the largest first where they have counts),
# then how many more there are: the text of a 5,000-group plan fits a screen; JSON has them all.
TOP = 15


def _top(lines: list[str], items: list[str], limit: Optional[int], what: str = "more") -> None:
    if limit is None or len(items) <= limit:
        lines.extend(items)
        return
    lines.extend(items[:limit])
    lines.append(f"  ... and {len(items) - limit:,} {what} (all of them: --format json)")


def _path(p: dict) -> str:
    text = p["nodes"][0]
    for hop in p["hops"]:
        text += f" -[{_services(hop['services'])}]-> {hop['to']}"
    return text


def _unknown(result: dict, lines: list[str], limit: Optional[int] = None) -> None:
    unknown = result.get("unknown") or []
    if unknown:
        lines.append("")
        lines.append(f"Unknown until apply or unresolved ({len(unknown):,})")
        items = []
        for u in unknown:
            attr = f" {u['attribute']}" if u["attribute"] else ""
            items.append(f"  ? {u['address']}{attr}: {u['reason']}")
        _top(lines, items, limit)


def _cidr_lines(rows: list[dict], sets: dict[str, list[str]], sign: str) -> list[str]:
    """CIDR-derived flows, one line per (block, target, set of groups), the largest sets first."""
    merged: dict[tuple[str, str, str], list[str]] = {}
    for r in rows:
        merged.setdefault((r["from"], r["to"], r["groups"]), []).append(_service(r["protocol"], r["ports"]))
    items = sorted(merged.items(), key=lambda kv: (-len(sets.get(kv[0][2], ())), kv[0]))
    out = []
    for (block, target, ident), services in items:
        members = sets.get(ident, [])
        n = len(members) - (target in members)
        who = members[0] if n == 1 and members[0] != target else _plural(n, "group")
        out.append(f"  {sign} {who} -> {target}: {', '.join(services)}  (their members are in {block}; set {ident})")
    return out


def _pairs(rows: list, keys: tuple[str, str] = ("from", "to")) -> int:
    return len({(r.get(keys[0]), r.get(keys[1])) for r in rows if isinstance(r, dict)})


def _plural(n: int, word: str) -> str:
    suffix = "" if n == 1 else ("es" if word.endswith("s") else "s")
    return f"{n:,} {word}{suffix}"


def _count(n: int) -> str:
    """Address counts past IPv4's size read better as powers of two."""
    if n < 2**33:
        return _plural(n, "address")
    return f"{count_text(n)} addresses (IPv6 included)"


def _reach_text(r: dict) -> str:
    parts = []
    if r["addresses"] is None:
        parts.append("a sensitive number of addresses")
    elif r["addresses"]:
        parts.append(_count(r["addresses"]))
    if r["groups"]:
        members = "unknown members" if r["unknown_members"] and not r["members"] else _plural(r["members"], "member")
        parts.append(f"{members} of {_plural(r['groups'], 'group')}")
    return " + ".join(parts) or "nothing"


def _holders(result: dict):
    """``count(block, target)``: how many groups other than ``target`` have members in ``block``
    by the CIDR rows (each set is counted, not copied: a set holds thousands of groups)."""
    sets = result.get("group_sets") or {}
    ids: dict[tuple[str, str], set[str]] = {}
    for r in result.get("cidr_flows") or []:
        ids.setdefault((r["from"], r["to"]), set()).add(r["groups"])
    frozen: dict[str, frozenset] = {}

    def members(ident: str) -> frozenset:
        if ident not in frozen:
            frozen[ident] = frozenset(sets.get(ident, ()))
        return frozen[ident]

    def count(block: str, target: str) -> int:
        found = ids.get((block, target))
        if not found:
            return 0
        union = members(next(iter(found))) if len(found) == 1 else frozenset().union(*map(members, found))
        return len(union) - (target in union)

    return count


def render_show(result: dict) -> str:
    return "".join(line + "\n" for line in show_lines(result))


def show_lines(result: dict) -> Iterator[str]:
    """``show``'s text line by line (without newlines): a large plan's is tens of MB, which the
    CLI writes as it goes."""
    yield _header(result)
    yield ""
    grouped = _grouped(result["flows"])
    inbound_of: dict[str, list] = {}
    outbound_of: dict[str, list] = {}
    for f in grouped:
        inbound_of.setdefault(f[1], []).append(f)
        outbound_of.setdefault(f[0], []).append(f)
    held = _holders(result)
    groups = result["groups"]
    yield f"Security groups ({len(groups)})"
    for g in groups:
        ident = g["id"] or "id known after apply"
        name = f' "{g["name"]}"' if g["name"] else ""
        change = f"  [{g['change']}]" if g["change"] not in ("no-op", "read") else ""
        yield f"  {g['address']}{name} ({ident}){change}"
        if g["attached"]:
            yield f"    attached: {', '.join(g['attached'])}"
        else:
            yield "    attached: nothing in this plan"
        inbound = inbound_of.get(g["address"], [])
        outbound = outbound_of.get(g["address"], [])
        for src, _, svc, _ in inbound:
            members = held(src, g["address"])
            more = f" (holds members of {_plural(members, 'group')})" if members else ""
            yield f"    in  <- {src}: {svc}{more}"
        for _, dst, svc, _ in outbound:
            if dst == g["address"]:
                continue
            yield f"    out -> {dst}: {svc}"
        if not inbound and not outbound:
            yield "    no flows"
    # flows whose ends are both outside the plan (rule resources on sg-... groups it does not manage)
    listed = {g["address"] for g in groups}
    outside = [f for f in grouped if f[0] not in listed and f[1] not in listed]
    if outside:
        yield ""
        yield f"Flows between groups this plan does not manage ({len(outside)})"
        for src, dst, svc, _ in outside:
            yield f"  {src} -> {dst}: {svc}"
    lines: list[str] = [""]
    exposed = [e for e in result["exposed"] if e["kind"] == "resource"]
    lines.append("Reachable from the internet")
    if not result["exposed"]:
        lines.append("  nothing")
    by_key: dict[tuple, list[dict]] = {}
    for e in exposed:
        # one line per reason too: a Classic Load Balancer's listener blocks share its address;
        # and per groups and sources: the rows of one resource admitted by different rules
        by_key.setdefault((e["address"], e.get("family") or "", e.get("listener") or "", e.get("reason") or "",
                           tuple(e.get("via") or ()), tuple(e.get("sources") or ())), []).append(e)
    for key, rows in sorted(by_key.items()):
        via = f" via {', '.join(rows[0]['via'])}" if rows[0]["via"] else ""
        lines.append(f"  {key[0]}: {_services(rows)}{via} from {', '.join(rows[0]['sources'])} ({rows[0]['reason']})")
    by_group: dict[tuple[str, tuple[str, ...]], list[dict]] = {}
    for e in result["exposed"]:
        if e["kind"] == "group":  # one line per set of sources: 22 from 0.0.0.0/0, 80 from ::/0
            by_group.setdefault((e["address"], tuple(e["sources"])), []).append(e)
    for (addr, sources), rows in sorted(by_group.items()):
        lines.append(f"  group {addr}: {_services(rows)} from {', '.join(sources)}")
    lines.append("")
    lines.append("Paths from the internet")
    if not result["paths"]:
        lines.append("  none")
    yield from lines
    lines.clear()
    for p in result["paths"]:
        yield f"  {_path(p)}"
    _unknown(result, lines)
    yield from lines


def render_diff(result: dict, limit: Optional[int] = TOP) -> str:
    """``limit``: lines per section (None: every line)."""
    lines = [_header(result), ""]
    s = result["summary"]
    if result.get("note"):
        lines.append(result["note"])
        return "\n".join(lines) + "\n"
    if not s["reachability_changed"]:
        parts = []
        if s["groups_changed"]:
            parts.append(f"{s['groups_changed']} security group{'s' if s['groups_changed'] != 1 else ''}")
        if s.get("rule_resources_changed"):
            n = s["rule_resources_changed"]
            parts.append(f"{n} rule resource{'s' if n != 1 else ''}")
        unknown = len(result.get("unknown") or ())
        if unknown:  # not "unchanged": what tfsg could not read may be the change
            lines.append(f"No reachability change found in what tfsg could read; {_plural(unknown, 'value')} "
                         "known only after apply may change who can reach whom (listed below).")
        else:
            what = (" and ".join(parts) + " change, but") if parts else "nothing security-relevant changes:"
            lines.append(f"Reachability is unchanged: {what} who can reach whom stays the same.")
        _unknown(result, lines, limit)
        return "\n".join(lines) + "\n"
    pairs = ""
    if s.get("cidr_group_pairs_added") or s.get("cidr_group_pairs_removed"):
        pairs = (f" (and {_plural(s['cidr_group_pairs_added'], 'group pair')} added, "
                 f"{s['cidr_group_pairs_removed']:,} removed through CIDR rules)")
    # counted as listed: one flow per (from, to), one exposure per (resource, kind), whatever
    # protocols and ports each carries (the JSON's rows are one per protocol and port range)
    added, removed = _pairs(result["added"]), _pairs(result["removed"])
    lines.append(f"Reachability changes: {_plural(added, 'flow')} added, {removed:,} removed{pairs}; "
                 f"{_exposed(result['newly_exposed'])} newly exposed, "
                 f"{_exposed(result['no_longer_exposed'])} no longer exposed; "
                 f"{_plural(s['paths_added'], 'path')} from the internet added, {s['paths_removed']:,} removed"
                 + (f"; {_plural(s.get('resource_flows_added', 0), 'connection')} between resources added, "
                    f"{s.get('resource_flows_removed', 0):,} removed"
                    if s.get("resource_flows_added") or s.get("resource_flows_removed") else "") + ".")
    if result["added"] or result["removed"]:
        lines.append("")
        lines.append("Flows")
        _top(lines, [f"  + {src} -> {dst}: {svc}  ({', '.join(by)})"
                     for src, dst, svc, by in _grouped(result["added"])], limit, "more added")
        _top(lines, [f"  - {src} -> {dst}: {svc}  ({', '.join(by)})"
                     for src, dst, svc, by in _grouped(result["removed"])], limit, "more removed")
    sets = result.get("group_sets") or {}
    if result.get("cidr_added") or result.get("cidr_removed"):
        lines.append("")
        lines.append("Flows through CIDR rules (groups whose members are inside a block another group admits)")
        _top(lines, _cidr_lines(result.get("cidr_added") or [], sets, "+"), limit, "more added")
        _top(lines, _cidr_lines(result.get("cidr_removed") or [], sets, "-"), limit, "more removed")
    for key, title, sign in (("newly_exposed", "Newly reachable from the internet", "+"),
                             ("no_longer_exposed", "No longer reachable from the internet", "-")):
        rows = result[key]
        if not rows:
            continue
        lines.append("")
        lines.append(title)
        by_addr: dict[tuple[str, str, tuple[str, ...]], list[dict]] = {}
        for e in rows:  # one line per set of sources (and so per address family)
            by_addr.setdefault((e["kind"], e["address"], tuple(e["sources"])), []).append(e)
        items = []
        for addr, sel in sorted(by_addr.items(), key=lambda kv: (kv[0][0] != "resource", kv[0][1], kv[0][2])):
            label = addr[1] if addr[0] == "resource" else f"group {addr[1]}"
            items.append(f"  {sign} {label}: {_services(sel)} from {', '.join(addr[2])}")
        _top(lines, items, limit)
    if not (result["added"] or result["removed"] or result.get("cidr_added") or result.get("cidr_removed")):
        # group flows unchanged, members changed: list who can now connect to whom
        for key, sign in (("resource_flows_added", "+"), ("resource_flows_removed", "-")):
            rows = result.get(key) or []
            if rows:
                lines.append("")
                lines.append("Connections between resources " + ("added" if sign == "+" else "removed")
                             + " (new or departed members of groups whose flows stay the same)")
                _top(lines, [f"  {sign} {src} -> {dst}: {svc}" for src, dst, svc, _ in _grouped(rows)], limit)
    for key, title, sign in (("paths_added", "Paths from the internet added", "+"),
                             ("paths_removed", "Paths from the internet removed", "-")):
        if result[key]:
            lines.append("")
            lines.append(title)
            _top(lines, [f"  {sign} {_path(p)}" for p in result[key]], limit)
    if result.get("revoked"):
        lines.append("")
        lines.append("Revoked by this apply (the group manages these rules inline; the rule resources still in the "
                     "configuration re-create them on the next apply)")
        items = []
        for r in result["revoked"]:
            arrow = f"{r['peer']} -> {r['group']}" if r["direction"] == "ingress" else f"{r['group']} -> {r['peer']}"
            items.append(f"  - {arrow}: {_service(r['protocol'], r['ports'])}  ({r['defined_by']})")
        _top(lines, items, limit)
    if result["exposure_changes"]:
        lines.append("")
        lines.append("Exposure in numbers (before -> after)")
        _top(lines, [f"  {c['group']} {c['direction']}: {_reach_text(c['before'])} -> {_reach_text(c['after'])}"
                     for c in result["exposure_changes"]], limit)
    _unknown(result, lines, limit)
    return "\n".join(lines) + "\n"


def render(result: dict[str, Any], verbose: bool = False) -> str:
    if result["command"] == "check":
        return render_check(result, verbose)
    return render_diff(result) if result["command"] == "diff" else render_show(result)


def _exposed(rows: list[dict]) -> str:
    """How many resources the internet reaches and how many groups admit it, said apart (a
    group whose members are all private admits the internet and reaches nothing): "2
    resources and 5 groups", "1 resource", "0"."""
    resources = _pairs([r for r in rows if r["kind"] == "resource"], ("address", "kind"))
    groups = _pairs([r for r in rows if r["kind"] != "resource"], ("address", "kind"))
    parts = [_plural(n, what) for n, what in ((resources, "resource"), (groups, "group")) if n]
    return " and ".join(parts) or "0"


SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def _evidence(f: dict) -> list[str]:
    ev = f["evidence"]
    lines = []
    if ev.get("path"):
        lines.append("path: " + " -> ".join(ev["path"]))
    if ev.get("services"):
        lines.append("services: " + _services(ev["services"]))
    if ev.get("sources"):
        lines.append("from: " + ", ".join(ev["sources"]))
    if ev.get("exposed_resources"):
        lines.append("reachable resources: " + ", ".join(ev["exposed_resources"]))
    if ev.get("grown"):  # an existing finding this change makes reach more (policy/continuity.py)
        lines.append("what this change adds: " + str(ev["grown"]))
    if "addresses" in ev:
        lines.append(f"addresses admitted: {_numbers(ev['addresses'])}")
    if ev.get("defined_by"):
        by = ev["defined_by"] if isinstance(ev["defined_by"], list) else [ev["defined_by"]]
        lines.append("defined by: " + ", ".join(by))
    if ev.get("routes"):  # a hop between VPCs: the routes that carry it (policy/tiering.py)
        lines.append("between VPCs through: " + ", ".join(ev["routes"]))
    if ev.get("new_hop"):  # the hop a newly-reachable finding's path gains (policy/tiering.py)
        hop = ev["new_hop"]
        lines.append("new hop: " + (" -> ".join(map(str, hop)) if isinstance(hop, list) else str(hop)))
    if ev.get("internet_facing_by"):  # the rules that make the first hop internet-facing
        lines.append("internet-facing by: " + ", ".join(ev["internet_facing_by"]))
    return lines


def _numbers(value) -> str:
    """A count, or the counts of the parts of an aggregated finding (policy/aggregate.py lists
    differing scalars: two sources of 256 and 65,536 addresses are ``[256, 65536]``)."""
    if isinstance(value, list):
        return "; ".join(_numbers(v) for v in value)  # not ", ": 65,536 has one
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _finding_lines(f: dict) -> list[str]:
    where = f" ({f['location']})" if f.get("location") else ""
    tag = "" if f["status"] == "violation" else " [warning]"
    out = [f"  [{f['severity']}] {f['policy']} {f['title']}{tag}", f"    {f['address']}{where}: {f['message']}"]
    out += [f"    {line}" for line in _evidence(f)]
    if f.get("remediation") and f["status"] == "violation":
        out.append(f"    fix: {f['remediation']}")
    if f.get("waived"):
        out.append(f"    waived: {f['waived']}")
    return out


def render_check(result: dict, verbose: bool = False) -> str:
    """``verbose``: also list the info-level findings that were already there (else counted)."""
    v = result["verdict"]
    # warnings that unknown values raise are said once for all the policies they touch (issue 12)
    def is_unsure(f: dict) -> bool:
        return f["status"] == "warning" and f["key"] == "unknown" and not f.get("blocking")

    def is_folded(f: dict) -> bool:
        return not verbose and f["severity"] == "info" and not f.get("blocking")

    unsure = [f for f in result["findings"] if is_unsure(f)]
    findings = [f for f in result["findings"] if not is_unsure(f)]
    introduced = [f for f in findings if f["introduced"] and not f["waived"]]
    existing = [f for f in findings if not f["introduced"] and not f["waived"]]
    folded = [f for f in existing if is_folded(f)]
    waived = [f for f in findings if f["waived"]]
    counts = ", ".join(f"{sum(1 for f in introduced if f['severity'] == s and f['status'] == 'violation')} {s}"
                       for s in SEVERITY_ORDER)
    if v["passed"]:
        head = f"PASS: no introduced finding at or above {v['fail_on']}"
    else:
        head = f"FAIL: {_plural(v['blocking'], 'blocking finding')} at or above {v['fail_on']}"
    resolved = len(result.get("resolved") or [])
    lines = [head + f" (introduced: {counts}; existing: {len(existing)}; waived: {len(waived)}; "
                    f"resolved: {resolved})"]
    if result.get("note"):  # right after the verdict: what the verdict was judged against
        lines.append(result["note"])
    lines.append(_header(result))
    lines += trust_text(result)  # the change edits the gate's configuration, adds waivers
    first = "Introduced by this change" if not result.get("note") else "Found (no baseline: each counts as introduced)"
    for title, group in ((first, introduced), ("Already there (existing)", [f for f in existing if not is_folded(f)])):
        if not group:
            continue
        lines += ["", title]
        for severity in SEVERITY_ORDER:
            for f in (x for x in group if x["severity"] == severity):
                lines += _finding_lines(f)
    if folded:
        lines += ["", f"Already there: {_plural(len(folded), 'info finding')} (--verbose lists them)"]
    if unsure:
        values = sorted({(u["address"], u.get("attribute") or "", u["reason"]) for f in unsure
                         for u in f["evidence"].get("unknown") or []})
        policies = sorted({f["policy"] for f in unsure})
        lines += ["", f"Not fully evaluated: {len(policies)} polic{'y' if len(policies) == 1 else 'ies'} "
                      f"({', '.join(policies)}) because of {_plural(len(values), 'value')} unknown until apply"]
        lines += [f"  ? {a}{' ' + attr if attr else ''}: {reason}" for a, attr, reason in values]
    if result.get("resolved"):
        lines += ["", "Resolved by this change"]
        lines += [f"  [{f['severity']}] {f['policy']} {f['address']}: {f['message']}" for f in result["resolved"]]
    if waived:
        lines += ["", "Waived"]
        for f in waived:
            lines += _finding_lines(f)
    if result.get("waivers"):
        lines += ["", "Waivers to look at"]
        lines += [f"  {w['origin']}: {w['policy']} {w['address']}: {w['message']}" for w in result["waivers"]]
    if result.get("note"):  # no baseline: the reachability of what is there is the findings above
        return "\n".join(lines) + "\n"
    lines += ["", render_diff({**result, "command": "diff"}).split("\n", 2)[2].rstrip()]
    return "\n".join(lines) + "\n"


_ANSI = {"red": "\033[31m", "green": "\033[32m", "yellow": "\033[33m", "bold": "\033[1m", "reset": "\033[0m"}


def colorize(text: str) -> str:
    """Terminal colours for the lines a reader scans for: the verdict, added and removed flows."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        end = line[len(body):]
        if body.startswith("FAIL"):
            body = f"{_ANSI['bold']}{_ANSI['red']}{body}{_ANSI['reset']}"
        elif body.startswith("PASS"):
            body = f"{_ANSI['bold']}{_ANSI['green']}{body}{_ANSI['reset']}"
        elif body.startswith("  + "):
            body = f"{_ANSI['green']}{body}{_ANSI['reset']}"
        elif body.startswith("  - ") or body.lstrip().startswith(("[critical]", "[high]")):
            body = f"{_ANSI['red']}{body}{_ANSI['reset']}"
        elif body.lstrip().startswith("[medium]"):
            body = f"{_ANSI['yellow']}{body}{_ANSI['reset']}"
        out.append(body + end)
    return "".join(out)

