"""The gate: evaluate both sides, tell introduced from existing findings, apply waivers, decide.

A finding is *introduced* when the change creates it (its identity is absent before) and
*existing* otherwise. By default only introduced violations at or above ``fail_on`` fail.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError
from ..graph import FlowGraph
from ..sources.config_files import is_config_file
from .evaluate import Finding, evaluate
from .load import SEVERITIES, Config, Waiver

# `# tfsg:ignore[TFSG001] reason="temporary" expires=2027-01-31` inside or just above a block.
# What follows `tfsg:ignore` is read by _parse_inline: a waiver written another way is reported
# invalid, never applied without the expiry its author meant.
_INLINE = re.compile(r'(?:#|//)\s*tfsg:ignore(?![\w-])([^\n]*)')
_IDS = re.compile(r'\[([^\]\n]+)\]')
_REASON = re.compile(r'\breason="([^"\n]*)"')
_EXPIRES = re.compile(r'\bexpires="?(\d{4}-\d{2}-\d{2})"?(?![\w-])')
_USAGE = 'write tfsg:ignore[POLICY,...] reason="..." expires=YYYY-MM-DD (expires optional); not applied'


def _parse_inline(rest: str) -> tuple[list[str], str, Optional[str], Optional[str]]:
    """(policy ids, reason, expiry, problem) of what follows ``tfsg:ignore`` in a comment."""
    rest = rest.lstrip()
    ids = _IDS.match(rest)
    if ids is None:  # `tfsg:ignore TFSG020 reason`: the form the brackets make unambiguous
        word = rest.split()[0][:40] if rest.split() else "?"
        return [word], "", None, _USAGE
    tail = rest[ids.end():]
    reason = _REASON.search(tail)
    # the expiry is the one written after the reason, never text quoted inside it
    expires = _EXPIRES.search(_REASON.sub("", tail))
    problem = None
    if expires is None and re.search(r"expir", _REASON.sub("", tail), re.I):
        # `expires="2020-1-1"`, `expiry=...`, `expires: ...`: an expiry its author meant, unread
        problem = "the expiry is not written expires=YYYY-MM-DD; not applied"
    return ([p.strip() for p in ids.group(1).split(",")], reason.group(1) if reason else "",
            expires.group(1) if expires else None, problem)
# Top-level blocks (a comment belongs to the one it sits in or above): a resource's waives that
# resource, a module call's everything the module makes; any other block owns no finding.
# (HCL native syntax: Block = Identifier (StringLit|Identifier)* "{", indented or not; Terraform
# plans `resource aws_security_group vendor {`)
_BLOCK = re.compile(r'^[ \t]*(resource|data|module|output|locals|variable|provider|terraform|moved|removed'
                    r'|import|check)((?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*)[ \t]*\{', re.M)
_LABEL = re.compile(r'"([^"\n]*)"|([A-Za-z_][\w-]*)')


@dataclass
class Verdict:
    findings: list[Finding]
    waiver_notes: list[dict] = field(default_factory=list)
    fail_on: str = "high"
    fail_on_existing: bool = False
    resolved: list[Finding] = field(default_factory=list)  # there before, gone after the change

    def blocking(self) -> list[Finding]:
        level = SEVERITIES.index(self.fail_on)
        return [f for f in self.findings if f.status == "violation" and not f.waived
                and SEVERITIES.index(f.severity) >= level and (f.introduced or self.fail_on_existing)]

    @property
    def passed(self) -> bool:
        return not self.blocking()


def run_gate(config: Config, before: Optional[FlowGraph], after: FlowGraph, *, fail_on: Optional[str] = None,
             fail_on_existing: bool = False, source_dir: Optional[str] = None,
             today: Optional[_dt.date] = None, inline: Optional[list[Waiver]] = None) -> Verdict:
    """``inline``: the ``tfsg:ignore`` waivers that apply, when the caller chose them
    (policy/trust.py: not those a pull request adds); by default those in ``source_dir``."""
    today = today or _dt.date.today()
    # newly-reachable judges what existed before the change (nothing, with no baseline)
    existed = set(before.snap.groups) | {a.resource for a in before.snap.attachments} if before is not None else set()
    after_findings = evaluate(config.policies, after, config.tiers, after.snap.prefix_list_sizes, existed)
    prior: dict[tuple, Finding] = {}
    if before is not None:
        prior = {f.identity(): f for f in evaluate(config.policies, before, config.tiers,
                                                   before.snap.prefix_list_sizes)}
    from .continuity import carry_over

    continued = carry_over(prior, after_findings, before, after,
                           {p.id: str(p.spec.get("check", "")) for p in config.policies})
    # newly-reachable judges a change: only what it introduces, on resources that existed before
    # and were not reachable then (one already reachable that the change reaches on more
    # services is the tiering finding's growth, not a store that becomes reachable)
    kinds = {p.id: p.kind for p in config.policies}
    # (whatever tier it was in: a tag that puts a reachable host in the data tier makes it no
    # more reachable than it was)
    was_reached = _reached(before) if before is not None and "newly-reachable" in kinds.values() else set()
    after_findings = [f for f in after_findings if kinds.get(f.policy) != "newly-reachable" or
                      (f.introduced and f.address in existed and f.status == "violation"
                       and f.identity() not in prior and f.address not in was_reached)]
    if before is not None:
        from .tiering import locate_new_hop

        for f in after_findings:
            if kinds.get(f.policy) == "newly-reachable":
                locate_new_hop(f, before, after)
    now = {f.identity() for f in after_findings}
    # a rule this apply revokes while its rule resource stays declared is made again by the next
    # apply (policy TFSG013 says why): what only such rules made is not resolved
    returning = [r for r in after.snap.revoked if r.defined_by not in after.snap.forgotten_rules]
    resolved = [f for key, f in sorted(prior.items()) if key not in now and key not in continued
                and f.status == "violation" and kinds.get(f.policy) != "newly-reachable"
                and not _made_by(f, returning)]
    if inline is None:
        inline = inline_waivers(source_dir) if source_dir else []
    waivers = list(config.waivers) + inline
    notes = apply_waivers(after_findings, waivers, today)
    # one finding per (policy, subject, status), after the waivers (a waiver may cover a part)
    from .aggregate import aggregate

    return Verdict(aggregate(after_findings), notes, fail_on or config.fail_on, fail_on_existing,
                   aggregate(resolved))


def _made_by(finding: Finding, rules: list) -> bool:
    """Is the finding made by rule resources of ``rules`` (model.Rule), besides the read-back
    copies their groups' inline lists hold of them (the group's own address)?"""
    by = finding.evidence.get("defined_by")
    by = [by] if isinstance(by, str) else by
    if not rules or not isinstance(by, list):
        return False
    resources = {r.defined_by for r in rules}
    return bool(resources & set(by)) and set(by) <= resources | {r.group for r in rules}


def _reached(graph: FlowGraph) -> set[str]:
    """The resources and groups the internet reaches, by any number of hops, on one side."""
    from ..digraph import predecessor
    from ..graph import INTERNET

    view = graph.path_view()
    out = {view.real(n) for n in predecessor(view, INTERNET)[1]}
    groups = graph.digraph()
    if INTERNET in groups:
        out |= set(predecessor(groups, INTERNET)[1])
    return out - {INTERNET}


def apply_waivers(findings: list[Finding], waivers: list[Waiver], today: _dt.date) -> list[dict]:
    notes = []
    valid: list[Waiver] = []
    for waiver in waivers:
        if waiver.problem:  # an inline comment tfsg cannot read as its author meant
            notes.append({"policy": waiver.policy, "address": waiver.address, "origin": waiver.origin,
                          "status": "invalid", "message": waiver.problem})
            continue
        if not waiver.reason.strip():  # an inline comment without reason= (.tfsg.yml requires one)
            notes.append({"policy": waiver.policy, "address": waiver.address, "origin": waiver.origin,
                          "status": "invalid", "message": 'a waiver needs a reason (reason="..."); not applied'})
            continue
        if _expired(waiver, today):
            notes.append({"policy": waiver.policy, "address": waiver.address, "origin": waiver.origin,
                          "status": "expired", "message": f"waiver expired on {waiver.expires} and no longer applies"})
            continue
        valid.append(waiver)
    partial: dict[int, tuple[Finding, list[str]]] = {}  # a waiver on some of a finding's rules only
    for f in findings:
        if f.waived is not None:
            continue
        # a waiver on the finding's subject covers it; waivers on the rules that make it cover
        # it only when every such rule is waived (one waived rule does not waive a port another,
        # unwaived rule opens on the same group)
        covering = [w for w in valid if w.matches(f.policy, f.address)]
        if not covering:
            by = f.evidence.get("defined_by")
            rules = by if isinstance(by, list) else [by] if isinstance(by, str) else []
            per_rule = [[w for w in valid if w.matches(f.policy, r)] for r in rules]
            covering = [w for ws in per_rule for w in ws] if per_rule and all(per_rule) else []
            if not covering:  # some of its rules waived: say which others make it, not "remove it"
                for ws in per_rule:
                    for w in ws:
                        partial.setdefault(id(w), (f, [r for r, wr in zip(rules, per_rule) if not wr]))
        if covering:
            f.waived = covering[0].reason
            for w in covering:
                w.used = True
    for waiver in valid:
        if not waiver.used:
            message = "waiver matches no finding; remove it"
            if id(waiver) in partial:
                f, others = partial[id(waiver)]
                message = (f"waives one of the rules that make {f.policy} on {f.address}, which is waived only when "
                           f"every rule is: also {', '.join(others)} (or waive {f.address})")
            notes.append({"policy": waiver.policy, "address": waiver.address, "origin": waiver.origin,
                          "status": "unused", "message": message})
    return sorted(notes, key=lambda n: (n["origin"], n["policy"], n["address"]))


def _expired(waiver: Waiver, today: _dt.date) -> bool:
    """The schema (and the inline regex) check the YYYY-MM-DD shape only: 2026-02-30 or 0000-01-01
    pass it but are no dates. Such a waiver is the user's error (exit 2 naming where it is), not a
    crash, and never silently a waiver without expiry."""
    try:
        return waiver.expired(today)
    except ValueError as exc:
        raise InputError(f"waiver for {waiver.policy} on {waiver.address}: expires {waiver.expires!r} is not a "
                         f"date ({exc})", waiver.origin) from None


def inline_waivers(root: str, tree=None) -> list[Waiver]:
    """``tfsg:ignore`` comments in the root module's .tf files, for the block they sit in or above.

    ``tree``: read the files there instead of the work tree (a ``sources.hcl.files.GitRevision``:
    the waivers of the base revision, to tell which ones a change adds)."""
    from ..sources.hcl.files import Tree, repository_of

    out: list[Waiver] = []
    jail = Tree(inside=repository_of(root))  # the repository under review, as HCL mode reads it
    try:
        names = sorted(n for n in (tree.listdir(root) if tree else os.listdir(root))
                       if is_config_file(n, json_syntax=False))
    except (OSError, InputError):
        return out
    if tree is not None:  # one git cat-file for all of them
        tree.prefetch([os.path.join(root, name) for name in names])
    for name in names:
        path = os.path.join(root, name)
        try:
            if tree is not None:
                text = tree.read(path)
            else:
                from ..limits import read_bounded

                jail.check(path)  # a committed link out of the repository: its waivers are not read
                with open(path, "rb") as fh:  # over limits.py tf-file-bytes: skipped, its waivers unused
                    text = read_bounded(fh, "tf-file-bytes", path).decode("utf-8").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError, InputError):
            continue
        comments, unread, syntax = _waiver_comments(text)
        # block headers and braces in the syntax only (not in a heredoc or a string); the labels
        # read from the text itself (the same offsets)
        blocks = [(m.start(), m.group(1), tuple(q or b for q, b in _LABEL.findall(text[m.start(2):m.end(2)])))
                  for m in _BLOCK.finditer(syntax)]
        starts = [b[0] for b in blocks]
        ends: dict[int, int] = {}
        line, counted = 1, 0  # lines counted up to offset ``counted`` (comments come in order)
        for start, m in comments:
            line += text.count("\n", counted, start)
            counted = start
            owner = _owner(syntax, start, blocks, starts, ends)
            kind, labels = owner if owner is not None else ("(outside any block)", ())
            if kind == "resource" and len(labels) == 2:
                address, scope = f"{labels[0]}.{labels[1]}", "resource"
            elif kind == "module" and labels:
                address, scope = f"module.{labels[0]}", "module"
            else:  # an output, a data source, locals...: it owns no finding, so the waiver is unused
                address, scope = ".".join((kind, *labels)), "resource"
            origin = f"{os.path.relpath(path)}:{line}"
            ids, reason, expires, problem = _parse_inline(m.group(1))
            if unread:
                problem = unread
            elif any(c in pid for pid in ids for c in "*?["):
                problem = "a waiver names policy ids, not patterns (only a .tfsg.yml address may use *); not applied"
            for pid in ids:
                out.append(Waiver(pid, address, reason, expires, origin, scope=scope, problem=problem))
    return out


def _waiver_comments(text: str) -> tuple[list[tuple[int, re.Match]], Optional[str], str]:
    """(offset, match of ``_INLINE``) of each waiver comment, why none can be applied, and the
    text with strings, heredocs and ``/* */`` comments blanked (sources/hcl/comments.py: only
    comments are waivers, and only the syntax holds blocks); a file tfsg cannot parse has its
    ``tfsg:ignore`` lines reported, not applied."""
    if "tfsg:ignore" not in text:
        return [], None, text
    from lark.exceptions import LarkError

    from ..sources.hcl.comments import lex

    try:
        comments, syntax = lex(text)
        found = [(pos, _INLINE.search(value)) for pos, value in comments]
        return [(pos, m) for pos, m in found if m is not None], None, syntax
    except (LarkError, RecursionError):
        return ([(m.start(), m) for m in _INLINE.finditer(text)],
                "the file could not be parsed as HCL, so its comments cannot be told from its strings; not applied",
                text)


def _owner(text: str, pos: int, blocks: list[tuple[int, str, tuple]],
           starts: Optional[list[int]] = None, ends: Optional[dict[int, int]] = None) -> Optional[tuple[str, tuple]]:
    """The block a comment belongs to: the next block if only blank/comment lines separate
    them (a comment above the block), else the block it sits in. ``starts``: the blocks'
    offsets, sorted (a file of many comments is searched, not scanned, per comment)."""
    import bisect

    starts = starts if starts is not None else [b[0] for b in blocks]
    i = bisect.bisect_right(starts, pos)  # blocks[i] is the first that starts after the comment
    if i < len(blocks):
        eol = text.find("\n", pos)
        between = text[eol if eol >= 0 else pos:blocks[i][0]]
        if all(not line.strip() or line.strip().startswith(("#", "//", "/*", "*")) for line in between.splitlines()):
            return blocks[i][1], blocks[i][2]
    j = bisect.bisect_left(starts, pos)  # blocks[:j] start before it
    if j and _block_end(text, blocks[j - 1][0], ends) > pos:
        return blocks[j - 1][1], blocks[j - 1][2]
    return None  # after the block's closing brace: above something that is no block tfsg knows


def _block_end(text: str, start: int, ends: Optional[dict[int, int]] = None) -> int:
    """The offset just past the closing brace of the block whose header starts at ``start``
    (strings and comments skipped; the end of the text when it does not close). ``ends``: the
    ones found, so that many comments in one block scan it once (linear on a large file)."""
    if ends is not None and start in ends:
        return ends[start]
    end = _scan_block(text, start)
    if ends is not None:
        ends[start] = end
    return end


def _scan_block(text: str, start: int) -> int:
    depth, i, n = 0, text.find("{", start), len(text)
    while 0 <= i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
        elif c == "#" or text.startswith("//", i):
            i = text.find("\n", i)
            if i < 0:
                return n
        elif text.startswith("/*", i):
            i = text.find("*/", i + 2)
            if i < 0:
                return n
            i += 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n
