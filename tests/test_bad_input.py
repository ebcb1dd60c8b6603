"""Bad input: one clear line naming the file, the place and the problem; exit 2; no traceback."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, run_tfsg


def check_error(proc, *needles: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err)
    assert proc.stdout == b""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", ["show", "diff"])
def test_missing_file(command, tmp_path):
    line = check_error(run_tfsg(command, str(tmp_path / "nope.json")), "nope.json", "no such file")
    assert line.startswith("tfsg: error: ")


def test_directory(tmp_path):
    # A directory is a root module (HCL mode); one without .tf files is an input error.
    check_error(run_tfsg("show", str(tmp_path)), str(tmp_path), "no .tf files")


def test_not_json(tmp_path):
    f = tmp_path / "plan.json"
    f.write_text("resource \"aws_security_group\" \"x\" {}\n")
    check_error(run_tfsg("show", str(f)), f"{f}:1:1", "not valid JSON")


def test_truncated_json_names_line_and_column(tmp_path):
    f = tmp_path / "plan.json"
    f.write_text('{\n  "format_version": "1.2",\n  "planned_values": {"root_module": {\n')
    check_error(run_tfsg("diff", str(f)), f"{f}:4:1", "not valid JSON")


def test_binary_garbage(tmp_path):
    f = tmp_path / "plan.bin"
    f.write_bytes(b"PK\x03\x04\x14\x00\x08\x00\xff\xfe binary plan")
    check_error(run_tfsg("show", str(f)), str(f), "not UTF-8", "terraform show -json")


def test_empty_file(tmp_path):
    f = tmp_path / "plan.json"
    f.write_text("")
    check_error(run_tfsg("show", str(f)), str(f), "empty file")


@pytest.mark.parametrize("doc,needle", [
    ([1, 2], "top level is a JSON array"),
    ({"resources": []}, "no `format_version` key"),
    ({"format_version": 1.2}, "format_version must be a string"),
    ({"format_version": "2.0", "planned_values": {}}, "unsupported format_version '2.0'"),
    ({"format_version": "1.2", "resource_changes": {}}, "resource_changes: expected a list, got an object"),
    ({"format_version": "1.0", "foo": 1}, "not a Terraform plan or state"),
])
def test_not_a_plan(tmp_path, doc, needle):
    f = tmp_path / "x.json"
    f.write_text(json.dumps(doc))
    check_error(run_tfsg("show", str(f)), str(f), needle)


def test_stdin_is_read_with_dash():
    proc = run_tfsg("show", "-", stdin=b"not json")
    check_error(proc, "-:1:1", "not valid JSON")


def test_unknown_option_is_a_usage_error(tmp_path):
    proc = run_tfsg("show", "--bogus", "x.json")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr.decode()


def test_debug_shows_traceback(tmp_path):
    proc = run_tfsg("show", str(tmp_path / "nope.json"), "--debug")
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr.decode()


def test_odd_but_legal_plans_do_not_crash(tmp_path):
    """Minimal legal documents: an empty state, a plan with nothing, a plan with odd entries."""
    cases = [
        {"format_version": "1.0"},
        {"format_version": "0.1", "planned_values": {"root_module": {}}},
        {"format_version": "1.2", "resource_changes": [], "planned_values": {}},
        {"format_version": "1.2", "resource_changes": [
            {"address": "aws_security_group.x", "type": "aws_security_group", "name": "x", "mode": "managed",
             "change": {"actions": ["create"], "before": None, "after": {},
                        "after_unknown": True}},
            {"address": "aws_security_group_rule.r", "type": "aws_security_group_rule", "name": "r",
             "mode": "managed",
             "change": {"actions": ["create"], "before": None,
                        "after": {"type": "ingress", "security_group_id": "sg-1", "protocol": "tcp",
                                  "from_port": 70000, "to_port": 22, "cidr_blocks": ["not-a-cidr"],
                                  "ipv6_cidr_blocks": None, "prefix_list_ids": None, "self": False,
                                  "source_security_group_id": None}}}]},
    ]
    for i, doc in enumerate(cases):
        f = tmp_path / f"odd{i}.json"
        f.write_text(json.dumps(doc))
        for command in ("show", "diff"):
            proc = run_tfsg(command, str(f), "--format", "json")
            assert proc.returncode == 0, (i, command, proc.stderr.decode())
            json.loads(proc.stdout)


def test_a_sensitivity_mask_nested_400_deep_is_one_line(tmp_path):
    """Issue 13 crash site: hand-written (malformed) JSON whose after_sensitive nests 400 lists."""
    doc = json.loads((FIXTURES / "ssh_open" / "plan.json").read_text())
    rule = next(rc for rc in doc["resource_changes"] if rc["type"] == "aws_security_group_rule")
    mask: object = True
    for _ in range(400):
        mask = [mask]
    rule["change"]["after_sensitive"] = {"cidr_blocks": mask}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(doc))
    proc = run_tfsg("show", str(path))
    err = proc.stderr.decode().strip().splitlines()
    assert proc.returncode == 2 and len(err) == 1 and "deep.json" in err[0] and "nested too deeply" in err[0]
    assert "internal error" not in err[0]


@pytest.mark.parametrize("command", ["show", "diff", "check"])
def test_a_plan_saved_after_an_error_is_refused(command, tmp_path):
    """``terraform plan -out`` writes the plan even when planning fails (a data source that
    cannot be read): ``"errored": true`` and the resources past the error are missing. A gate
    that read it would pass what it never saw (Terraform JSON output format: ``errored``)."""
    data = json.loads((FIXTURES / "ssh_open" / "plan.json").read_text())
    data.update({"errored": True, "applyable": False, "complete": False})
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(data))
    check_error(run_tfsg(command, str(f), "--no-sources"), str(f), '"errored": true', "incomplete")


@pytest.mark.parametrize("complete", [False, True])
def test_a_plan_with_deferred_changes_is_refused(tmp_path, complete):
    """Terraform 1.9+: ``complete: false`` with ``deferred_changes``: those resources are planned
    in a later round; this plan cannot say what they do (and a producer that says ``complete:
    true`` beside deferred changes does not make them part of it)."""
    data = json.loads((FIXTURES / "ssh_open" / "plan.json").read_text())
    data.update({"complete": complete, "applyable": True,
                 "deferred_changes": [{"reason": "provider_config_unknown",
                                       "resource_change": data["resource_changes"][0]}]})
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(data))
    check_error(run_tfsg("check", str(f), "--no-sources"), str(f), "1 resource change(s) are deferred")


def test_a_complete_plan_that_says_so_is_read(tmp_path):
    data = json.loads((FIXTURES / "ssh_open" / "plan.json").read_text())
    data.update({"errored": False, "applyable": True, "complete": True})
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(data))
    assert run_tfsg("show", str(f), "--no-sources").returncode == 0
