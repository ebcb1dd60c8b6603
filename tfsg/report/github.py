"""GitHub Actions workflow commands: one annotation per finding of a check result.

* ``::error`` for a blocking finding; ``::warning`` for any other violation and for findings a
  value unknown until apply may hide (``status: warning``); ``::notice`` for info-severity
  violations and for waived findings.
* ``file`` and ``line`` come from the finding's ``location`` (made relative to ``repo_root`` when
  given, as in SARIF); a finding with no location is annotated without them (GitHub shows it on
  the run, not on a file). ``title`` is ``<policy> [<severity>] <title>``.
* Values are escaped exactly as ``@actions/core`` does: data ``%`` -> ``%25``, CR -> ``%0D``,
  LF -> ``%0A``; property values also ``:`` -> ``%3A`` and ``,`` -> ``%2C``.
* GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (50 per job).
  Each level is capped at ``max_per_level`` (notices at one less when something was cut, to
  leave room), then one ``::notice::`` says how many were not shown.
* Order: blocking first, then severity, then address (then policy and message).

show and diff results have no findings: the output is empty.
"""

from __future__ import annotations

from .sarif import SEVERITY_ORDER, repo_path, split_location

#: Annotations GitHub shows per step and level.
GITHUB_PER_LEVEL = 10


def escape_data(value: str) -> str:
    """A workflow command's message, escaped like ``@actions/core`` ``escapeData``."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value, escaped like ``@actions/core`` ``escapeProperty``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """``::name key=value,...::message`` with every part escaped; ``None`` properties dropped."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None and value != "")
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def level(finding: dict) -> str:
    if finding.get("waived"):
        return "notice"
    if finding.get("blocking"):
        return "error"
    if finding.get("status") == "violation" and finding["severity"] == "info":
        return "notice"
    return "warning"


def _order(finding: dict) -> tuple:
    return (not finding.get("blocking"), bool(finding.get("waived")), finding.get("status") != "violation",
            SEVERITY_ORDER.index(finding["severity"]), finding["address"], finding["policy"], finding["message"])


def annotation(finding: dict, *, repo_root: str | None = None, cwd: str | None = None) -> str:
    """The workflow command for one finding."""
    file = line = None
    if finding.get("location"):
        path, line = split_location(finding["location"])
        file = repo_path(path, repo_root, cwd)
    severity = finding["severity"]
    title = f"{finding['policy']} [{severity}] {finding['title']}"
    if finding.get("waived"):
        state = f"waived: {finding['waived']}"
    elif finding.get("status") != "violation":
        state = "may be hidden by a value unknown until apply"
    else:
        state = "introduced by this change" if finding.get("introduced") else "already there before this change"
    lines = [f"{finding['message']} ({state})"]
    if finding.get("remediation") and finding.get("status") == "violation" and not finding.get("waived"):
        lines.append(f"Fix: {finding['remediation']}")
    return command(level(finding), "\n".join(lines), file=file, line=line, title=title)


def render(result: dict, *, max_per_level: int = GITHUB_PER_LEVEL, repo_root: str | None = None,
           cwd: str | None = None) -> str:
    """Annotations for a check result's findings, capped per level, one line each."""
    findings = sorted(result.get("findings") or [], key=_order)
    if not findings:
        return ""
    by_level: dict[str, list[dict]] = {"error": [], "warning": [], "notice": []}
    for f in findings:
        by_level[level(f)].append(f)
    cut = {lv: max(0, len(items) - max_per_level) for lv, items in by_level.items()}
    if any(cut.values()):
        # the closing notice is a notice too: keep a place for it
        cut["notice"] = max(0, len(by_level["notice"]) - max(0, max_per_level - 1))
    shown = {lv: items[: len(items) - cut[lv]] for lv, items in by_level.items()}
    keep = {id(f) for items in shown.values() for f in items}
    lines = [annotation(f, repo_root=repo_root, cwd=cwd) for f in findings if id(f) in keep]
    hidden = sum(cut.values())
    if hidden:
        parts = [f"{cut[lv]} {lv}{'s' if cut[lv] != 1 else ''}" for lv in ("error", "warning", "notice") if cut[lv]]
        lines.append(command("notice", f"tfsg: {hidden} more finding{'s' if hidden != 1 else ''} not shown as "
                                       f"annotations ({', '.join(parts)}); GitHub shows {GITHUB_PER_LEVEL} "
                                       "annotations per level and step. See the job summary / SARIF."))
    return "\n".join(lines) + "\n"
