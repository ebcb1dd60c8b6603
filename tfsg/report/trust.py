"""The policy-trust section of a check report (``policy_trust``, tfsg/policy/trust.py).

What a reviewer must see before approving: the change edits the gate's own configuration
(which policies it disables, which severities it lowers, ...) and which configuration judged
it, and the waivers the change adds. Shown near the top, never folded away. Everything here
comes from the branch under review (policy ids, addresses, reasons, paths), so the Markdown
goes through the renderer's escaping: cells with ``text``/``code``, nothing raw.
"""

from __future__ import annotations

import datetime as _dt


def _changes(c: dict) -> list[str]:
    """The configuration's differences as short phrases (raw text: escape before Markdown)."""
    out = []
    if c.get("disabled"):
        out.append("disables " + ", ".join(c["disabled"]))
    for low in c.get("lowered") or []:
        out.append(f"lowers {low['policy']} from {low['base']} to {low['head']}")
    if c.get("fail_on"):
        out.append(f"fail_on {c['fail_on']['base']} -> {c['fail_on']['head']}")
    if c.get("changed"):
        out.append("redefines " + ", ".join(c["changed"]))
    if c.get("tiers_changed"):
        out.append("redefines the tiers")
    if c.get("waivers_added"):
        n = c["waivers_added"]
        out.append(f"adds {n} waiver{'s' if n != 1 else ''}")
    if c.get("added"):
        out.append("adds " + ", ".join(c["added"]))
    return out


def _judged(t: dict) -> str:
    if t["config"]["applied"] == "base":
        return f"the gate used the base revision's configuration ({t['base']}), not the change's"
    return "the gate used the change's own configuration"


def _files(c: dict) -> str:
    head, base = c.get("head") or "none: baseline pack", c.get("base") or "none: baseline pack"
    return head if head == base else f"{base} -> {head}"


def _waiver_state(w: dict) -> str:
    if not w["applied"]:
        return "not applied until merged" if w["source"] == "inline" else "not applied (configuration from base)"
    if not str(w.get("reason") or "").strip():
        return 'not applied: no reason (reason="...")'
    expires = w.get("expires")
    if isinstance(expires, str) and expires < _dt.date.today().isoformat():
        return f"expired on {expires}, not applied"
    return "applied, waives a finding" if w["used"] else "applied, matches no finding"


def text_lines(result: dict) -> list[str]:
    t = result.get("policy_trust")
    if not t:
        return []
    c, lines = t["config"], []
    if c.get("differs"):
        lines.append(f"Configuration: this change edits the tfsg configuration ({_files(c)}); {_judged(t)}")
        lines += [f"  {change}" for change in _changes(c)]
    if c.get("error"):
        lines.append(f"Configuration: {c['error']}")
    added = t.get("waivers_added") or []
    if added:
        lines.append(f"Waivers added by this change ({len(added)}): a reviewer approves them")
        for w in added:
            until = f" until {w['expires']}" if w.get("expires") else ""
            lines.append(f"  {w['origin']}: {w['policy']} {w['address']}{until}: {w['reason']} ({_waiver_state(w)})")
    return ["", *lines] if lines else []


def markdown_lines(result: dict, rows: int | None) -> list[str]:
    from .markdown import _table, code, text

    t = result.get("policy_trust")
    if not t:
        return []
    c, out = t["config"], []
    if c.get("differs"):
        changes = _changes(c)
        lead = (f"> ⚠️ **This change edits the tfsg configuration** ({text(_files(c), 300)}): "
                f"{text(_judged(t), 300)}.")
        out += [lead + (f" It {text('; '.join(changes), 1000)}." if changes else ""), ""]
    if c.get("error"):
        out += [f"> ⚠️ {text(c['error'], 500)}", ""]
    added = t.get("waivers_added") or []
    if added:
        out += [f"#### Waivers added by this change ({len(added)})", "",
                "A reviewer approves these: each one stops a policy from blocking a resource.", ""]
        out += _table(["Where", "Policy", "Address", "Reason", "Expires", "Applies"],
                      [[code(w["origin"]), text(w["policy"], 60), code(w["address"]), text(w["reason"]),
                        text(w.get("expires") or "never", 20), text(_waiver_state(w), 60)] for w in added], rows)
    return out


def has_news(result: dict) -> bool:
    """Something the reviewer must see, even in an otherwise quiet report."""
    t = result.get("policy_trust") or {}
    c = t.get("config") or {}
    return bool(c.get("differs") or c.get("error") or t.get("waivers_added"))
