"""SARIF 2.1.0 for GitHub code scanning, from a report-v2 result dict.

One run; ``tool.driver`` names tfsg, its version and one rule per policy that has a result.

**Which findings become results.** Every finding whose ``status`` is ``violation``: introduced,
existing and waived alike. Findings with ``status: warning`` (a value unknown until apply may
hide a violation) are not violations and are left out; ``runs[0].properties.tfsg`` counts them.
show and diff results have no findings and give a run with no results.

* **introduced / existing** -> ``baselineState`` ``new`` / ``unchanged`` (the plan's before state
  is the baseline), and ``properties.introduced``. GitHub matches alerts by fingerprint, so an
  existing finding already known on the default branch is not re-opened by a pull request.
* **waived** -> ``suppressions: [{kind: external, status: accepted, justification: <reason>}]``
  (the waiver lives in ``.tfsg.yml`` or a ``# tfsg:ignore`` comment). Note that GitHub code
  scanning does not hide suppressed results by itself: without its "dismiss suppressed
  findings" handling they open alerts. Pass ``include_waived=False`` to leave them out.
* **level**: ``error`` for a blocking finding; otherwise ``warning`` for critical, high and
  medium, ``note`` for low and info. ``defaultConfiguration.level`` of a rule follows its
  severity the same way (critical/high ``error``).
* **security-severity** (a string, as GitHub requires): critical 9.5, high 8.0, medium 5.5,
  low 3.0, info 1.0. GitHub reads over 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium and 0.1-3.9
  low (so info shows as low). Every rule is tagged ``security``, which GitHub needs to show it.
* **location**: ``location`` (``file:line``, relative to the directory tfsg ran in) made relative
  to ``repo_root`` with forward slashes. A finding with no location gets the best file known:
  another instance of the same resource block, a file of the same module, a root-module file
  from ``locations``, the plan itself; ``region.startLine`` 1 then. A path outside ``repo_root``
  becomes an absolute ``file://`` URI.
* **partialFingerprints** ``tfsgFinding/v2`` (v2 since the engine of schema v2, whose findings
  name resources and paths of resources: one-time churn of alerts, see the README's changelog):
  sha256 of the version, policy id, address and the finding's
  ``key`` (what tfsg uses to tell findings of one policy on one address apart) when the result
  has it, else its message. No line number and no file enter it, so moving a block or adding
  lines above it keeps the alert.
* ``relatedLocations``: for a finding located at a module call's argument, where the rule is
  written inside the module; other blocks that grant the same access; the resource the finding is
  about and its ``defined_by`` resources (the rules that make it), where they are not the primary
  location already.
* ``properties.location-exact``: true when the location is the block, rule resource or module
  argument that grants the access (``policy/locate.py``); false when tfsg could only point at the
  resource the finding is about, or at a file of its module.

GitHub's limits are kept: at most 25,000 results per run (blocking and severe first; the rest
are counted in an invocation notification), 10 related locations and 20 tags.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..model import without_keys

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://tfsg.dev"
FINGERPRINT = "tfsgFinding/v2"
MAX_RESULTS = 25_000
MAX_RELATED = 10

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
_RULE_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
_RESULT_LEVEL = {"critical": "warning", "high": "warning", "medium": "warning", "low": "note", "info": "note"}


# --------------------------------------------------------------------------- locations


def split_location(location: str) -> tuple[str, int]:
    """``"dir/main.tf:31"`` -> ``("dir/main.tf", 31)``; no or a bad line number -> line 1."""
    path, sep, line = location.rpartition(":")
    if sep and line.isdigit() and int(line) >= 1:
        return path, int(line)
    return location, 1


def repo_path(path: str, repo_root: str | None = None, cwd: str | None = None) -> str:
    """A file path as tfsg printed it (relative to ``cwd``) -> relative to ``repo_root``.

    Forward slashes, normalised, no ``./``. Without ``repo_root`` the path is taken to be
    relative to the repository root already. Returns an absolute path (starting with ``/`` or a
    drive) when the file is outside ``repo_root`` or is absolute with no ``repo_root`` given.
    ``cwd`` (default: the current directory) is read only when one of the two paths is relative
    and the other absolute.
    """
    p = path.replace("\\", "/")
    if repo_root is None:
        return posixpath.normpath(p) if p else p
    root = repo_root.replace("\\", "/")
    if posixpath.isabs(p) != posixpath.isabs(root):
        base = (cwd if cwd is not None else os.getcwd()).replace("\\", "/")
        p, root = posixpath.join(base, p), posixpath.join(base, root)
    elif not posixpath.isabs(p):
        p, root = posixpath.join("/", p), posixpath.join("/", root)  # both relative to the same place
    rel = posixpath.relpath(posixpath.normpath(p), posixpath.normpath(root))
    if rel == ".." or rel.startswith("../"):
        return posixpath.normpath(p)
    return rel


def artifact_uri(path: str) -> str:
    """A repository-relative path as a URI reference; an absolute path as a ``file://`` URI."""
    if posixpath.isabs(path) or re.match(r"^[A-Za-z]:/", path):
        return "file://" + quote(path if path.startswith("/") else "/" + path, safe="/-._~!$&'()*+,;=@:")
    return quote(path, safe="/-._~!$&'()*+,;=@")


_block = without_keys  # the lines of another instance of the same block are this one's


def _module(address: str) -> str:
    """The module path of an address (``module.a["x"].`` ...) or ``""`` for the root module."""
    parts = re.findall(r'module\.[^.\[]+(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.', address)
    prefix = "".join(parts)
    return prefix if address.startswith(prefix) else ""


def finding_location(finding: dict, result: dict) -> tuple[str, int, bool]:
    """(file, line, exact) for a finding: its own location, else the best file known, line 1."""
    if finding.get("location"):
        path, line = split_location(finding["location"])
        return path, line, bool(finding.get("location_exact", True))
    address = finding.get("address", "")
    locations: dict[str, str] = result.get("locations") or {}
    if address in locations:
        path, line = split_location(locations[address])
        return path, line, True
    block = _block(address)
    for key in sorted(locations):
        if _block(key) == block:  # another instance of the same block: the same lines
            path, line = split_location(locations[key])
            return path, line, True
    module = _module(address)
    same_module = [split_location(v)[0] for k, v in locations.items() if _block(_module(k)) == _block(module)]
    if same_module:
        return min(same_module), 1, False
    root = [split_location(v)[0] for k, v in locations.items() if not _module(k)]
    if root:
        return min(root), 1, False
    if locations:
        return min(split_location(v)[0] for v in locations.values()), 1, False
    inp = result.get("input") or {}
    if inp.get("path") and inp["path"] != "-":
        return inp["path"], 1, False
    return posixpath.join(inp.get("sources") or "", "main.tf"), 1, False


# --------------------------------------------------------------------------- rules and results


def fingerprint(finding: dict) -> str:
    """sha256 of policy, address and the finding's key (else its message): no line, no file."""
    ident = finding.get("key") or finding.get("message", "")
    data = "\x1f".join((FINGERPRINT, finding["policy"], finding["address"], ident))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _rule_name(title: str, policy: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or re.sub(r"[^A-Za-z0-9]", "", policy) or "Rule"


def _md(value: str, limit: int = 300) -> str:
    from .markdown import text

    return text(value, limit)


def _rule(finding: dict) -> dict:
    severity = finding["severity"]
    title = finding["title"]
    remediation = finding.get("remediation") or ""
    full = title if title.endswith(".") else title + "."
    if finding.get("rationale"):
        full += " " + finding["rationale"]
    help_text = remediation or "See the tfsg policy documentation."
    return {
        "id": finding["policy"],
        "name": _rule_name(title, finding["policy"]),
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        # code scanning renders help.markdown: titles and remediations may come from a
        # configuration on the branch under review, so they are plain text there
        "help": {"text": help_text,
                 "markdown": f"**{_md(finding['policy'])}: {_md(title)}**\n\n{_md(help_text, 2000)}"},
        "defaultConfiguration": {"level": _RULE_LEVEL[severity]},
        "properties": {"security-severity": SECURITY_SEVERITY[severity],
                       "tags": ["security", "terraform", "aws", "security-group"],
                       "precision": "very-high",
                       "tfsg-severity": severity},
    }


def _related_text(address: str, primary: str, related: str) -> str:
    """A module's rule located at the call (a related location inside the module), or, for a
    local module, at the rule itself (the related location is the call, in a parent directory)."""
    if not address.startswith("module."):
        return "also granted here"
    here, there = posixpath.dirname(primary.replace("\\", "/")), posixpath.dirname(related.replace("\\", "/"))
    if here != there and (there == "" or here.startswith(there + "/")):
        return "the module call that makes it"
    return "written here, inside the module"


def _physical(path: str, line: int, repo_root: str | None, cwd: str | None) -> dict:
    return {"artifactLocation": {"uri": artifact_uri(repo_path(path, repo_root, cwd))},
            "region": {"startLine": max(1, line)}}


def _related(finding: dict, result: dict, primary: tuple[str, int], repo_root: str | None,
             cwd: str | None) -> list[dict]:
    """The resource the finding is about and the resources whose rules make it, where they are
    not the primary location already."""
    by = (finding.get("evidence") or {}).get("defined_by") or []
    by = [by] if isinstance(by, str) else list(by)
    locations = result.get("locations") or {}
    seen = {primary}
    out: list[dict] = []
    for text in finding.get("related_locations") or []:  # the rule inside a module, other granting blocks
        where = split_location(text)
        if where in seen or len(out) >= MAX_RELATED:
            continue
        seen.add(where)
        out.append({"id": len(out) + 1, "physicalLocation": _physical(*where, repo_root, cwd),
                    "message": {"text": _related_text(finding["address"], primary[0], where[0])}})
    entries = [(finding["address"], f"{finding['address']} (the resource the finding is about)")]
    entries += [(a, f"defined by {a}") for a in sorted(set(by) - {finding["address"]})]
    for address, text in entries:
        if address not in locations or len(out) >= MAX_RELATED:
            continue
        where = split_location(locations[address])
        if where in seen:
            continue
        seen.add(where)
        out.append({"id": len(out) + 1, "physicalLocation": _physical(*where, repo_root, cwd),
                    "message": {"text": text}})
    return out


def _result(finding: dict, rule_index: int, result: dict, repo_root: str | None, cwd: str | None) -> dict:
    path, line, exact = finding_location(finding, result)
    level = "error" if finding.get("blocking") else _RESULT_LEVEL[finding["severity"]]
    message = finding["message"]
    if finding.get("waived"):
        message += f" (waived: {finding['waived']})"
    out: dict[str, Any] = {
        "ruleId": finding["policy"],
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical(path, line, repo_root, cwd),
                       "logicalLocations": [{"fullyQualifiedName": finding["address"], "kind": "resource"}]}],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
        "baselineState": "new" if finding.get("introduced") else "unchanged",
        "properties": {"tfsg-severity": finding["severity"], "introduced": bool(finding.get("introduced")),
                       "blocking": bool(finding.get("blocking")), "address": finding["address"],
                       "evidence": _portable(finding.get("evidence") or {}), "location-exact": exact},
    }
    related = _related(finding, result, (path, line), repo_root, cwd)
    if related:
        out["relatedLocations"] = related
    if finding.get("waived"):
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": finding["waived"]}]
    return out


def _portable(value: Any) -> Any:
    """JSON that every reader takes: integers past 2^53 (IPv6 address counts) as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > 2**53:
        return str(value)
    if isinstance(value, dict):
        return {str(k): _portable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_portable(v) for v in value]
    return value


def _order(finding: dict) -> tuple:
    return (not finding.get("blocking"), bool(finding.get("waived")), not finding.get("introduced"),
            SEVERITY_ORDER.index(finding["severity"]), finding["policy"], finding["address"], finding["message"])


def render(result: dict, *, repo_root: str | None = None, tool_version: str | None = None,
           cwd: str | None = None, include_waived: bool = True, max_results: int = MAX_RESULTS) -> str:
    """The SARIF log (JSON text) for a result.

    ``repo_root``: the repository root, to make file paths repository-relative (relative paths
    are taken from ``cwd``, default the current directory); ``None`` means the paths in the
    result are relative to the repository root already (tfsg run from the root).
    ``tool_version``: the driver's version (default: the result's ``tool.version``).
    ``include_waived``: keep waived findings as suppressed results (default) or leave them out.
    ``max_results``: cap on results (GitHub rejects a run with more than 25,000).
    """
    findings = [f for f in result.get("findings") or [] if f.get("status", "violation") == "violation"
                and (include_waived or not f.get("waived"))]
    findings.sort(key=_order)
    omitted = max(0, len(findings) - max_results)
    findings = findings[:max_results]
    rules_by_id: dict[str, dict] = {}
    for f in sorted(findings, key=lambda f: (f["policy"], SEVERITY_ORDER.index(f["severity"]))):
        rules_by_id.setdefault(f["policy"], _rule(f))
    ids = sorted(rules_by_id)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    results = [_result(f, index[f["policy"]], result, repo_root, cwd) for f in findings]
    version = tool_version or (result.get("tool") or {}).get("version") or __version__
    warnings = sum(1 for f in result.get("findings") or [] if f.get("status") == "warning")
    verdict = result.get("verdict") or {}
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "tfsg", "version": version, "informationUri": INFORMATION_URI,
                            "rules": [rules_by_id[i] for i in ids]}},
        "columnKind": "utf16CodeUnits",
        "results": results,
        "properties": {"tfsg": {"command": result.get("command"), "input": result.get("input"),
                                "passed": verdict.get("passed"), "fail_on": verdict.get("fail_on"),
                                "blocking": verdict.get("blocking"), "warnings_not_included": warnings,
                                "results_omitted": omitted}},
    }
    if omitted:
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [{
            "level": "warning",
            "message": {"text": f"{omitted} findings not included: a run holds at most {max_results} results"}}]}]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
