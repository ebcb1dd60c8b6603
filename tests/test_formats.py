"""The report formats for CI: PR-comment Markdown, SARIF, GitHub annotations, Mermaid and DOT.

Results come from running the CLI on the committed fixtures; expected content is derived by hand
from each fixture's .tf files:

* ssh_open: `aws_security_group_rule.ssh_anywhere` (main.tf:68) opens tcp 22 on
  `aws_security_group.bastion` (main.tf:31) from 0.0.0.0/0 and ::/0; `aws_instance.bastion`
  (public subnet) becomes reachable. Blocking TFSG001 (critical), located at the group or at the
  one rule that grants the access (both are accepted below); existing TFSG017 (egress 0.0.0.0/0)
  and TFSG019 (no Name tag) on the group.
* new_path_to_db: `db_from_app` (main.tf:184) adds app -> db tcp 5432, closing the path
  internet -(443)-> alb -(8080)-> app -(5432)-> db; blocking TFSG020 (the existing database newly
  reachable) on `aws_db_instance.db` at main.tf:184. The alb and app hops are unchanged.
* tighten_cidr: the db group stops admitting 10.0.0.0/16 on all traffic (and stops sending all
  traffic to it); the check passes and resolves TFSG005/TFSG006 on the db group.
* refactor_inline_to_rules: rules move from inline blocks to rule resources; reachability does not
  change.
"""

from __future__ import annotations

import copy
import functools
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, plan, run_tfsg, validate_report

from tfsg.report import github, markdown, picture, sarif

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def _run(command: str, path: str, cwd: Path | None = None) -> dict:
    proc = run_tfsg(command, path, "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    return result


@functools.cache
def _cached(command: str, case: str) -> str:
    return json.dumps(_run(command, plan(case)))


def result(command: str, case: str) -> dict:
    """The CLI's JSON for a fixture (run once per session; a fresh copy each call)."""
    return json.loads(_cached(command, case))


# --------------------------------------------------------------------------- checkers


def assert_balanced_markdown(md: str) -> None:
    """Every code fence, <details> and table is closed; table rows keep their column count."""
    lines = md.split("\n")
    fences = [line for line in lines if line.startswith("```")]
    assert len(fences) % 2 == 0, "unclosed code fence"
    depth = 0
    for line in lines:
        depth += line.count("<details>") - line.count("</details>")
        assert depth >= 0, "</details> before <details>"
    assert depth == 0, "unclosed <details>"
    in_fence = False
    table: list[str] = []
    for line in lines + [""]:
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("|"):
            table.append(line)
            continue
        if table:
            cells = [len(re.findall(r"(?<!\\)\|", row)) for row in table]
            assert len(set(cells)) == 1, f"ragged table: {table}"
            assert re.fullmatch(r"\|(---\|)+", table[1]), table[1]
            assert line == "", "a table must end with a blank line"
            table = []


_NODE = re.compile(r'^  (n_[A-Za-z0-9_]+)(\("[^"`\n]*"\)|\{\{"[^"`\n]*"\}\}|\(\["[^"`\n]*"\]\)|\(\("[^"`\n]*"\)\)|\["[^"`\n]*"\])$')
_EDGE = re.compile(r'^  (n_[A-Za-z0-9_]+) (==>|-\.->|-->|---)(\|"[^"`\n|]*"\|)? (n_[A-Za-z0-9_]+)$')


def mermaid_edges(text: str) -> list[tuple[str, str, str, str]]:
    """Check the flowchart line by line (the subset picture.py writes); return its edges."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart LR"
    nodes, edges = set(), []
    for line in lines[1:]:
        if m := _NODE.match(line):
            nodes.add(m.group(1))
        elif m := _EDGE.match(line):
            edges.append((m.group(1), m.group(2), (m.group(3) or "")[2:-2], m.group(4)))
        elif m := re.match(r"^  linkStyle ([0-9,]+) \S+$", line):
            assert all(int(i) < len(edges) for i in m.group(1).split(","))
        else:
            assert re.match(r"^  (%% .*|classDef [a-z_]+ \S+|class n_[A-Za-z0-9_]+(,n_[A-Za-z0-9_]+)* [a-z_]+)$", line), line
    for a, _, _, b in edges:
        assert a in nodes and b in nodes
    return edges


def assert_valid_dot(text: str) -> None:
    lines = text.rstrip("\n").split("\n")
    assert re.match(r'^digraph "[^"]*" \{$', lines[0]) and lines[-1] == "}"
    string = r'"(?:[^"\\]|\\.)*"'
    for line in lines[1:-1]:
        assert re.match(rf"^  (rankdir=LR;|(graph|node|edge) \[.*\];|// .*|{string} \[.*\];|{string} -> {string} \[.*\];)$",
                        line), line
    if shutil.which("dot"):
        proc = subprocess.run(["dot", "-Tsvg"], input=text.encode(), capture_output=True, check=False)
        assert proc.returncode == 0 and not proc.stderr, proc.stderr.decode()


def sarif_log(res: dict, **kwargs) -> dict:
    text = sarif.render(res, **kwargs)
    log = json.loads(text)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    return log


def nid(address: str) -> str:
    return picture.node_id(address)


def ssh_line(res: dict) -> int:
    """TFSG001's line in ssh_open/main.tf: the group (31) or the rule granting the access (68)."""
    path, line = sarif.split_location(next(f for f in res["findings"] if f["policy"] == "TFSG001")["location"])
    assert path.endswith("fixtures/ssh_open/main.tf") and line in (31, 68)
    return line


# --------------------------------------------------------------------------- Markdown


def test_markdown_ssh_open_check():
    line = ssh_line(result("check", "ssh_open"))
    md = markdown.render(result("check", "ssh_open"))
    assert md.startswith("### ❌ tfsg check failed: 1 blocking finding at or above high\n")
    assert_balanced_markdown(md)
    blocking = md.split("#### Blocking findings", 1)[1].split("\n\n", 2)[1]
    row = next(line for line in blocking.split("\n") if "TFSG001" in line)
    assert "No SSH or RDP from the internet" in row and "`aws_security_group.bastion`" in row
    assert f"`fixtures/ssh_open/main.tf:{line}`" in row
    assert "tcp 22 from 0.0.0.0/0, ::/0" in row and "reaches aws_instance.bastion" in row
    assert "defined by aws_security_group_rule.ssh_anywhere" in row
    # counts: 1 critical introduced, 2 info existing
    assert "| **Introduced** | 1 | 0 | 0 | 0 | 0 |" in md and "| **Existing** | 0 | 0 | 0 | 0 | 2 |" in md
    # the change: both flows into the bastion, the instance newly reachable
    assert "| ➕ | `0.0.0.0/0` | `aws_security_group.bastion` | tcp 22 | `aws_security_group_rule.ssh_anywhere` |" in md
    assert "| ➕ | `::/0` | `aws_security_group.bastion` | tcp 22 |" in md
    assert "| ➕ | `aws_instance.bastion` | tcp 22 | 0.0.0.0/0 |" in md  # IPv4 only: no IPv6 address
    # existing findings folded
    existing = md.split("<details><summary>Existing findings", 1)[1].split("</details>", 1)[0]
    assert "TFSG017" in existing and "TFSG019" in existing and "TFSG001" not in existing
    # the picture: added edges thick into the bastion, its instance attached
    block = md.split("```mermaid\n", 1)[1].split("```", 1)[0]
    edges = mermaid_edges(block)
    assert (nid("0.0.0.0/0"), "==>", "+ tcp 22", nid("aws_security_group.bastion")) in edges
    assert (nid("::/0"), "==>", "+ tcp 22", nid("aws_security_group.bastion")) in edges
    assert (nid("aws_security_group.bastion"), "---", "", nid("aws_instance.bastion")) in edges
    assert "linkStyle 0,1 stroke:#d1242f" in block
    assert block == picture.mermaid(result("check", "ssh_open"), max_edges=150)  # shared with picture.py


def test_markdown_new_path_to_db_shows_the_path_and_context_edges():
    md = markdown.render(result("check", "new_path_to_db"))
    assert md.startswith("### ❌ tfsg check failed: 1 blocking finding")
    assert_balanced_markdown(md)
    # issue 12: the existing database newly reachable (TFSG020), at the rule that added the hop
    row = next(line for line in md.split("\n") if line.startswith("| **TFSG020**"))
    assert "`aws_db_instance.db`" in row and "`fixtures/new_path_to_db/main.tf:184`" in row
    assert "path internet → aws_lb.alb → aws_instance.app\\[0\\] → aws_db_instance.db" in row
    # paths of resources (schema v2): through the ALB's listener to each app server, then 5432
    for i in (0, 1):
        assert (f"- `internet` → (tcp 443) `aws_lb.alb` → (tcp 8080) `aws_instance.app[{i}]` → "
                "(tcp 5432) `aws_db_instance.db`") in md
    edges = mermaid_edges(md.split("```mermaid\n", 1)[1].split("```", 1)[0])
    app, db = "aws_security_group.app", "aws_security_group.db"
    apps = [f"aws_instance.app[{i}]" for i in (0, 1)]
    assert set(edges) == {
        (nid(app), "==>", "+ tcp 5432", nid(db)),  # the flow added
        (nid("internet"), "-->", "tcp 443", nid("aws_lb.alb")),  # the path's unchanged hops
        *((nid("aws_lb.alb"), "-->", "tcp 8080", nid(a)) for a in apps),
        *((nid(a), "-->", "tcp 5432", nid("aws_db_instance.db")) for a in apps),
        *((nid(app), "---", "", nid(a)) for a in apps),  # the resources beside their groups
        (nid(db), "---", "", nid("aws_db_instance.db"))}


def test_markdown_tightening_passes_with_removed_flows_dashed():
    md = markdown.render(result("check", "tighten_cidr"))
    assert md.startswith("### ✅ tfsg check passed: no introduced finding at or above high\n")
    assert_balanced_markdown(md)
    assert "| ➖ | `10.0.0.0/16` | `aws_security_group.db` | all traffic |" in md
    edges = mermaid_edges(md.split("```mermaid\n", 1)[1].split("```", 1)[0])
    assert (nid("10.0.0.0/16"), "-.->", "- all traffic", nid("aws_security_group.db")) in edges
    assert all(arrow == "-.->" for _, arrow, _, _ in edges)
    resolved = md.split("<details><summary>Resolved by this change", 1)[1].split("</details>", 1)[0]
    assert "TFSG005" in resolved and "TFSG006" in resolved


def test_markdown_no_change_is_a_short_comment():
    md = markdown.render(result("diff", "refactor_inline_to_rules"))
    assert md.startswith("### ✅ No change to reachability\n")
    assert len(md) < 600 and "|" not in md and "```" not in md and "<details>" not in md
    check = result("check", "refactor_inline_to_rules")
    # existing findings: the full comment, with the unchanged reachability said plainly
    full = markdown.render(check)
    assert full.startswith("### ✅ tfsg check passed") and "No change to reachability" in full
    assert_balanced_markdown(full)
    check.update(findings=[], resolved=[], waivers=[])
    quiet = markdown.render(check)
    assert quiet.startswith("### ✅ No change to reachability · tfsg check passed (fail on high)\n")
    assert len(quiet) < 600 and "<details>" not in quiet


def test_markdown_show():
    md = markdown.render(result("show", "three_tier"))
    # the ALB and, through its listener, the two web servers (issue 10)
    # paths of resources: internet -> aws_lb.alb -> each web server (-> the database)
    assert md.startswith("### 🗺️ tfsg show: 4 security groups, 10 flows, 3 resources reachable from the internet, "
                         "4 paths from the internet\n")
    assert_balanced_markdown(md)
    # the ALB's group admits 80 and 443, but its only listener is on 80: it answers on 80 only
    assert "| 🌐 | `aws_lb.alb` | tcp 80 | 0.0.0.0/0 | `aws_security_group.alb` | IPv4: internet-facing load balancer |" in md


def test_markdown_escapes_table_cells():
    res = result("check", "ssh_open")
    evil = dict(res["findings"][0], address='aws_security_group.x["a|b`c"]', title="Title | with <b>tags</b>",
                message="one\r\ntwo <script>alert(1)</script> @admins a|b `d`", evidence={},
                location="dir|x/ma`in.tf:7")
    res["findings"] = [evil]
    md = markdown.render(res)
    assert_balanced_markdown(md)
    row = next(line for line in md.split("\n") if "Title" in line)
    assert "<b>" not in row and "&lt;b&gt;tags&lt;/b&gt;" in row and "Title \\| with" in row
    assert "``aws_security_group.x[\"a\\|b`c\"]``" in row  # a code span fenced past the backtick
    assert "``dir\\|x/ma`in.tf:7``" in row
    # the message (no evidence): line break, HTML, mention, pipe and backticks made harmless
    assert "one two &lt;script&gt;alert(1)&lt;/script&gt; @\u2060admins a\\|b &#96;d&#96;" in row
    assert "<script>" not in md and "@admins" not in md


def _huge(n: int) -> dict:
    res = result("check", "ssh_open")
    base = res["findings"][0]
    res["findings"] = [dict(base, address=f"aws_security_group.g{i:05d}", message=f"{base['message']} #{i}")
                       for i in range(n)]
    res["added"] = [dict(res["added"][0], to=f"aws_security_group.g{i:05d}") for i in range(n)]
    res["verdict"] = dict(res["verdict"], blocking=n)
    return res


def test_markdown_stays_under_the_limit_and_balanced():
    md = markdown.render(_huge(3000))
    assert markdown.length(md) <= markdown.MAX_CHARS
    assert_balanced_markdown(md)
    assert md.startswith("### ❌ tfsg check failed: 3000 blocking findings")
    assert re.search(r"_… and [0-9]+ more; see the job summary / SARIF\._", md)
    assert "| **TFSG001** No SSH or RDP from the internet |" in md
    hygiene = result("check", "hygiene")
    for limit in (20000, 5000, 2500):
        md = markdown.render(hygiene, max_chars=limit)
        assert markdown.length(md) <= limit, limit
        assert_balanced_markdown(md)
        assert md.startswith("### ❌ tfsg check failed: 5 blocking findings")
    assert "more; see the job summary / SARIF" in markdown.render(hygiene, max_chars=5000)
    summary = markdown.render(hygiene, max_chars=5000, more="see the tfsg-report artifact")
    assert "more; see the tfsg-report artifact._" in summary and "job summary" not in summary
    tiny = markdown.render(hygiene, max_chars=120)
    assert markdown.length(tiny) <= 120 and "<details>" not in tiny and "|" not in tiny


def test_markdown_is_deterministic_whatever_the_input_order():
    res = result("check", "hygiene")
    shuffled = copy.deepcopy(res)
    rng = random.Random(7)
    for key in ("findings", "added", "groups", "newly_exposed", "unknown", "exposure_changes"):
        rng.shuffle(shuffled[key])
    assert markdown.render(res) == markdown.render(shuffled) == markdown.render(result("check", "hygiene"))
    assert picture.mermaid(res) == picture.mermaid(shuffled)
    assert picture.dot(res) == picture.dot(shuffled)
    assert sarif.render(res) == sarif.render(shuffled)
    assert github.render(res) == github.render(shuffled)


# --------------------------------------------------------------------------- SARIF


@pytest.mark.parametrize("command,case", [("check", "ssh_open"), ("check", "new_path_to_db"), ("check", "hygiene"),
                                          ("check", "microservices_mesh"), ("check", "tighten_cidr"),
                                          ("diff", "ssh_open"), ("show", "three_tier")])
def test_sarif_is_valid_with_a_location_for_every_result(command, case):
    res = result(command, case)
    log = sarif_log(res)
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "tfsg"
    violations = [f for f in res.get("findings", []) if f["status"] == "violation"]
    assert len(run["results"]) == len(violations)
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({f["policy"] for f in violations})
    for r in run["results"]:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] and not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    fingerprints = [r["partialFingerprints"]["tfsgFinding/v2"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_ssh_open_rules_and_results():
    line = ssh_line(result("check", "ssh_open"))
    log = sarif_log(result("check", "ssh_open"))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["version"] == "0.2.0" and driver["informationUri"].startswith("https://")
    rule = driver["rules"][0]
    assert rule["id"] == "TFSG001" and rule["shortDescription"]["text"] == "No SSH or RDP from the internet"
    assert rule["properties"]["security-severity"] == "9.5" and "security" in rule["properties"]["tags"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert "SSM Session Manager" in rule["help"]["text"] and "SSM Session Manager" in rule["help"]["markdown"]
    assert {r["id"]: r["properties"]["security-severity"] for r in driver["rules"]} == {
        "TFSG001": "9.5", "TFSG017": "1.0", "TFSG019": "1.0"}
    first, *rest = log["runs"][0]["results"]
    assert first["ruleId"] == "TFSG001" and first["level"] == "error" and first["baselineState"] == "new"
    loc = first["locations"][0]
    assert loc["physicalLocation"] == {"artifactLocation": {"uri": "fixtures/ssh_open/main.tf"},
                                       "region": {"startLine": line}}
    assert loc["logicalLocations"] == [{"fullyQualifiedName": "aws_security_group.bastion", "kind": "resource"}]
    # the group (31) and the rule that opens the port (68), less the primary location
    related = {r["physicalLocation"]["region"]["startLine"]: r["message"]["text"] for r in first["relatedLocations"]}
    assert set(related) == {31, 68} - {line}
    assert related.get(68, "defined by aws_security_group_rule.ssh_anywhere") == \
        "defined by aws_security_group_rule.ssh_anywhere"
    assert [(r["ruleId"], r["level"], r["baselineState"]) for r in rest] == [
        ("TFSG017", "note", "unchanged"), ("TFSG019", "note", "unchanged")]


def test_sarif_fingerprints_survive_reruns_and_moved_lines(tmp_path):
    once = sarif.render(result("check", "ssh_open"))
    again = sarif.render(_run("check", plan("ssh_open")))  # a second process
    assert once == again
    case = tmp_path / "ssh_open"
    shutil.copytree(Path(plan("ssh_open")).parent, case)
    main = case / "main.tf"
    main.write_text("# moved\n" * 5 + main.read_text())
    moved = _run("check", str(case / "plan.json"))
    line = ssh_line(result("check", "ssh_open"))
    assert next(f for f in moved["findings"] if f["policy"] == "TFSG001")["location"].endswith(f"main.tf:{line + 5}")

    def prints(log: dict) -> dict:
        return {(r["ruleId"], r["message"]["text"]): (r["partialFingerprints"]["tfsgFinding/v2"],
                                                      r["locations"][0]["physicalLocation"]["region"]["startLine"])
                for r in log["runs"][0]["results"]}

    before = prints(json.loads(once))
    after = prints(sarif_log(moved, repo_root=str(tmp_path)))
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in after.items()}
    assert {k: v[1] + 5 for k, v in before.items()} == {k: v[1] for k, v in after.items()}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(sarif.render(moved, repo_root=str(tmp_path)))["runs"][0]["results"]}
    assert uris == {"ssh_open/main.tf"}


def test_sarif_waived_findings_are_suppressed(tmp_path):
    (tmp_path / ".tfsg.yml").write_text(
        "waivers:\n  - policy: TFSG001\n    address: aws_security_group.bastion\n    reason: break-glass INC-42\n")
    res = _run("check", plan("ssh_open"), cwd=tmp_path)  # locations are absolute from there
    log = sarif_log(res, repo_root=str(ROOT))
    waived = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "TFSG001")
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "break-glass INC-42"}]
    assert waived["level"] == "warning" and not waived["properties"]["blocking"]
    assert waived["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "fixtures/ssh_open/main.tf"
    assert "TFSG001" not in [r["ruleId"] for r in sarif_log(res, include_waived=False)["runs"][0]["results"]]
    md = markdown.render(res)
    assert md.startswith("### ✅ tfsg check passed")
    assert "break-glass INC-42" in md.split("<details><summary>Waived findings (1)", 1)[1].split("</details>")[0]
    annotations = github.render(res, repo_root=str(ROOT)).splitlines()
    assert annotations[-1].startswith(  # waived: a notice, after the others
        f"::notice file=fixtures/ssh_open/main.tf,line={ssh_line(res)},"
        "title=TFSG001 [critical] No SSH or RDP from the internet::")
    assert annotations[-1].endswith("(waived: break-glass INC-42)")


def test_sarif_location_fallbacks_are_never_empty():
    res = result("check", "ssh_open")
    base = dict(res["findings"][1], location=None)
    res["findings"] = [
        dict(base, address='aws_instance.bastion["x"]'),                       # another instance of a located block
        dict(base, address='module.m["a"].aws_security_group_rule.r[0]'),     # unknown module: a root file
    ]
    results = sarif_log(res)["runs"][0]["results"]
    where = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results]
    assert ("fixtures/ssh_open/main.tf", 56) in where and ("fixtures/ssh_open/main.tf", 1) in where
    res.update(locations={}, input=dict(res["input"], path="-", sources=None))
    results = sarif_log(res)["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"main.tf"}


def test_sarif_schema_is_really_applied():
    log = json.loads(sarif.render(result("check", "ssh_open")))
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)


def test_repo_paths():
    assert sarif.repo_path("fixtures/a/main.tf") == "fixtures/a/main.tf"
    assert sarif.repo_path("./x/../fixtures/a.tf") == "fixtures/a.tf"
    assert sarif.repo_path("/repo/fixtures/a.tf", "/repo") == "fixtures/a.tf"
    assert sarif.repo_path("a.tf", "/repo", cwd="/repo/sub") == "sub/a.tf"
    assert sarif.repo_path("sub/a.tf", "sub") == "a.tf"
    assert sarif.repo_path("C:\\repo\\infra\\a.tf", "C:\\repo") == "infra/a.tf"
    assert sarif.repo_path("/other/a.tf", "/repo") == "/other/a.tf"
    assert sarif.artifact_uri("/other/my a.tf") == "file:///other/my%20a.tf"
    assert sarif.artifact_uri("infra/a b.tf") == "infra/a%20b.tf"
    assert sarif.split_location("dir/main.tf:31") == ("dir/main.tf", 31)
    assert sarif.split_location("main.tf") == ("main.tf", 1)


# --------------------------------------------------------------------------- GitHub annotations


def test_annotation_escaping_matches_actions_core():
    tricky = "50% done\r\nnext, a:b"
    assert github.escape_data(tricky) == "50%25 done%0D%0Anext, a:b"
    assert github.escape_property(tricky) == "50%25 done%0D%0Anext%2C a%3Ab"
    assert github.command("error", tricky, file="dir/a,b:c.tf", line=3, title="T: x, y") == \
        "::error file=dir/a%2Cb%3Ac.tf,line=3,title=T%3A x%2C y::50%25 done%0D%0Anext, a:b"
    assert github.command("notice", "plain") == "::notice::plain"


def test_annotations_ssh_open():
    lines = github.render(result("check", "ssh_open")).splitlines()
    assert lines[0] == (f"::error file=fixtures/ssh_open/main.tf,line={ssh_line(result('check', 'ssh_open'))},"
                        "title=TFSG001 [critical] No SSH or RDP from the "
                        "internet::aws_security_group.bastion admits the whole internet on tcp 22 (from 0.0.0.0/0, ::/0) "
                        "(introduced by this change)%0AFix: Admit only known networks (a VPN or office prefix list), "
                        "or use SSM Session Manager / EC2 Instance Connect.")
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::notice", "::notice"]
    assert "TFSG017" in lines[1] and "TFSG019" in lines[2]
    assert github.render(result("diff", "ssh_open")) == ""


def test_annotations_are_capped_per_level_with_a_notice():
    res = result("check", "ssh_open")
    base = res["findings"][0]
    findings = [dict(base, address=f"aws_security_group.e{i:02d}", severity="critical" if i % 2 else "high")
                for i in range(25)]
    findings += [dict(base, address=f"aws_security_group.w{i:02d}", blocking=False, severity="medium") for i in range(15)]
    findings += [dict(base, address=f"aws_security_group.n{i}", blocking=False, severity="info") for i in range(3)]
    findings = [dict(f, message=f"{f['address']} is open") for f in findings]
    findings[1] = dict(findings[1], message="100% open,\nreally: yes", title="Odd, title: yes")  # shown
    res["findings"] = findings
    lines = github.render(res).splitlines()
    kinds = [line.split(" ", 1)[0].split("::")[1] for line in lines]
    assert kinds == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 3 + ["notice"]
    assert lines[-1] == ("::notice::tfsg: 20 more findings not shown as annotations (15 errors, 5 warnings); "
                         "GitHub shows 10 annotations per level and step. See the job summary / SARIF.")
    errors = lines[:10]
    assert all("[critical]" in line for line in errors[:10])  # severity first among blocking
    shown = [re.search(r"aws_security_group\.e[0-9]+", line).group(0) for line in errors if "Odd" not in line]
    assert shown == sorted(shown) == [f"aws_security_group.e{i:02d}" for i in range(3, 21, 2)]
    odd = next(line for line in lines if "Odd" in line)
    assert "title=TFSG001 [critical] Odd%2C title%3A yes::100%25 open,%0Areally: yes" in odd
    assert all("\n" not in line and "\r" not in line for line in lines)


# --------------------------------------------------------------------------- pictures


def test_picture_of_a_network():
    res = result("show", "three_tier")
    edges = mermaid_edges(picture.mermaid(res))
    assert (nid("0.0.0.0/0"), "-->", "tcp 80, tcp 443", nid("aws_security_group.alb")) in edges
    assert (nid("aws_security_group.alb"), "-->", "tcp 8080", nid("aws_security_group.web")) in edges
    assert (nid("aws_security_group.web"), "-->", "tcp 3306", nid("aws_security_group.db")) in edges
    assert (nid("aws_security_group.web"), "---", "", nid("aws_instance.web[1]")) in edges
    assert (nid("aws_security_group.alb"), "---", "", nid("aws_lb.alb")) in edges
    text = picture.mermaid(res)
    assert '("aws_security_group.db (create)")' in text and '(["0.0.0.0/0"])' in text
    dot = picture.dot(res)
    assert_valid_dot(dot)
    assert f'"{nid("aws_security_group.web")}" -> "{nid("aws_security_group.db")}" [label="tcp 3306"' in dot


def test_picture_of_a_change_and_odd_addresses():
    dot = picture.dot(result("check", "new_path_to_db"))
    assert_valid_dot(dot)
    assert (f'"{nid("aws_security_group.app")}" -> "{nid("aws_security_group.db")}" [label="+ tcp 5432", '
            'color="#d1242f"') in dot
    res = result("show", "module_dynamic")
    text = picture.mermaid(res)
    mermaid_edges(text)
    assert '("module.svc[#quot;blue#quot;].aws_security_group.this (create)")' in text
    assert_valid_dot(picture.dot(res))
    assert 'label="module.svc[\\"blue\\"].aws_security_group.this (create)"' in picture.dot(res)
    nasty = 'module.x["a|b <c> #d; `e` end"].aws_security_group.end\nx'
    odd = {"command": "diff", "groups": [{"address": nasty, "change": "update", "attached": []}],
           "added": [{"from": "0.0.0.0/0", "to": nasty, "protocol": "tcp", "ports": "22", "defined_by": []}],
           "removed": [{"from": nasty, "to": "sg-0abc", "protocol": "udp", "ports": "53", "defined_by": []}]}
    edges = mermaid_edges(picture.mermaid(odd))
    assert [(arrow, label) for _, arrow, label, _ in edges] == [("==>", "+ tcp 22"), ("-.->", "- udp 53")]
    assert_valid_dot(picture.dot(odd))


def test_picture_caps_edges():
    res = result("show", "hygiene")
    text = picture.mermaid(res, max_edges=5)
    assert len(mermaid_edges(text)) == 5 and re.search(r"%% [0-9]+ more edges not drawn", text)
