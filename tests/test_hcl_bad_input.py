"""HCL mode on bad input: one clear line naming the file (and line), exit 2, no traceback; or,
where the input is legal but partial, an honest report. The inputs are made in tmp_path."""

from __future__ import annotations

import json
import os

import pytest

from conftest import run_tfsg, validate_report


@pytest.fixture(autouse=True)
def _no_tf_var_environment(monkeypatch):
    """TF_VAR_* in the caller's environment would set root variables (HCL mode reads them)."""
    for name in list(os.environ):
        if name.startswith("TF_VAR_"):
            monkeypatch.delenv(name)


PROVIDERS = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}
"""

GROUP = """resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "SSH"

  ingress {
    description = "SSH from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def error_line(proc) -> str:
    """The one line on stderr of a failed run (exit 2, nothing on stdout, no traceback)."""
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err, proc.stdout.decode()[:500])
    assert proc.stdout == b""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tfsg: error: "), lines[0]
    return lines[0]


def write(directory, files: dict[str, str]):
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


@pytest.mark.parametrize("command", ["show", "check"])
def test_syntax_error_names_file_and_line(tmp_path, command):
    bad = (
        'resource "aws_security_group" "broken" {\n'  # 1
        '  name = "broken"\n'  # 2
        "\n"  # 3
        "  ingress {\n"  # 4
        "    from_port   = = 22\n"  # 5: the error
        "    to_port     = 22\n"
        '    protocol    = "tcp"\n'
        "  }\n"
        "}\n"
    )
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "good.tf": GROUP, "broken.tf": bad})
    line = error_line(run_tfsg(command, str(d), cwd=tmp_path))
    assert "broken.tf:5" in line
    assert "good.tf" not in line


def test_unclosed_block_names_the_file(tmp_path):
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "main.tf": GROUP.rstrip().rstrip("}") + "\n"})
    line = error_line(run_tfsg("show", str(d), cwd=tmp_path))
    assert "main.tf:" in line


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_tf_file(tmp_path):
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "main.tf": GROUP})
    secret = d / "locked.tf"
    secret.write_text('locals {\n  x = 1\n}\n')
    secret.chmod(0)
    try:
        line = error_line(run_tfsg("show", str(d), cwd=tmp_path))
        assert "locked.tf" in line
    finally:
        secret.chmod(0o644)


def test_dangling_symlink_tf_file(tmp_path):
    """A .tf file that cannot be read (here a symlink whose target is gone, which root cannot
    read either) is an error, as in Terraform ("Failed to read file"), never skipped silently:
    its resources would be missing from the report."""
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "main.tf": GROUP})
    (d / "shared.tf").symlink_to(tmp_path / "gone" / "shared.tf")
    line = error_line(run_tfsg("show", str(d), cwd=tmp_path))
    assert "shared.tf" in line, line


def test_cycle_between_locals(tmp_path):
    main = (
        "locals {\n"  # 1
        "  a = local.b\n"  # 2
        "  b = [local.a]\n"  # 3
        "}\n"
        "\n" + GROUP.replace('cidr_blocks = ["0.0.0.0/0"]', "cidr_blocks = local.b")
    )
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "main.tf": main})
    line = error_line(run_tfsg("show", str(d), cwd=tmp_path))
    assert "local.a" in line and "local.b" in line, line
    assert "main.tf:2" in line or "main.tf:3" in line, line
    assert "cycle" in line.lower() or "circular" in line.lower(), line


def test_root_variable_without_a_value(tmp_path):
    """Terraform itself stops ("No value for required variable"). Expected: exit 2 naming the
    variable and where it is declared. Also accepted: the report lists what depends on it as
    unknown, naming var.office_cidr. Not accepted: a silent empty rule."""
    variables = (
        'variable "office_cidr" {\n'  # 1
        '  description = "The office network"\n'
        "  type        = string\n"
        "}\n"
    )
    main = GROUP.replace('cidr_blocks = ["0.0.0.0/0"]', "cidr_blocks = [var.office_cidr]")
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "variables.tf": variables, "main.tf": main})
    proc = run_tfsg("show", str(d), "--format", "json", cwd=tmp_path)
    if proc.returncode == 2:
        line = error_line(proc)
        assert "office_cidr" in line and "variables.tf:1" in line, line
        return
    assert proc.returncode == 0, proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    named = [u for u in r["unknown"] if "var.office_cidr" in u["reason"] or "var.office_cidr" in u["attribute"]]
    assert named, r["unknown"]
    assert {u["address"] for u in named} == {"aws_security_group.ssh"}
    assert not [f for f in r["flows"] if f["to"] == "aws_security_group.ssh"]  # nothing guessed


def test_variable_supplied_on_the_command_line_is_used(tmp_path):
    variables = 'variable "office_cidr" {\n  type = string\n}\n'
    main = GROUP.replace('cidr_blocks = ["0.0.0.0/0"]', "cidr_blocks = [var.office_cidr]")
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "variables.tf": variables, "main.tf": main})
    proc = run_tfsg("show", str(d), "--var", "office_cidr=198.51.100.0/24", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    r = json.loads(proc.stdout)
    assert [(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]] == [
        ("198.51.100.0/24", "aws_security_group.ssh", "tcp", "22")]


@pytest.mark.parametrize("args,needles", [
    (["--var", "office_cidr"], ["--var", "NAME=VALUE"]),  # no "="
    (["--var", "nope=1"], ["nope"]),  # Terraform: "Value for undeclared variable"
    (["--var-file", "missing.tfvars"], ["missing.tfvars"]),
])
def test_bad_variable_options(tmp_path, args, needles):
    variables = 'variable "office_cidr" {\n  type    = string\n  default = "198.51.100.0/24"\n}\n'
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "variables.tf": variables, "main.tf": GROUP})
    line = error_line(run_tfsg("show", str(d), *args, cwd=tmp_path))
    for needle in needles:
        assert needle in line, line


def test_syntax_error_in_a_var_file_names_file_and_line(tmp_path):
    variables = 'variable "office_cidr" {\n  type = string\n}\n'
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "variables.tf": variables, "main.tf": GROUP})
    bad = tmp_path / "office.tfvars"
    bad.write_text('# the office\noffice_cidr = \n')
    line = error_line(run_tfsg("show", str(d), "--var-file", str(bad), cwd=tmp_path))
    assert "office.tfvars:2" in line, line
    (d / "terraform.tfvars").write_text('office_cidr = "198.51.100.0/24"\n"oops"\n')
    line = error_line(run_tfsg("show", str(d), cwd=tmp_path))
    assert "terraform.tfvars:2" in line, line


def test_tf_json_file_is_read_or_reported(tmp_path):
    """A `.tf.json` file beside the .tf files is Terraform configuration too. Either tfsg reads it
    (its RDP rule appears) or it says, naming the file, that it skipped it; never silently."""
    extra = {
        "resource": {
            "aws_security_group_rule": {
                "rdp": {
                    "type": "ingress",
                    "description": "RDP from anywhere",
                    "security_group_id": "${aws_security_group.ssh.id}",
                    "protocol": "tcp",
                    "from_port": 3389,
                    "to_port": 3389,
                    "cidr_blocks": ["0.0.0.0/0"],
                }
            }
        }
    }
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "main.tf": GROUP, "extra.tf.json": json.dumps(extra)})
    proc = run_tfsg("show", str(d), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    got = {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]}
    assert ("0.0.0.0/0", "aws_security_group.ssh", "tcp", "22") in got  # main.tf is read either way
    read = ("0.0.0.0/0", "aws_security_group.ssh", "tcp", "3389") in got
    told = "extra.tf.json" in proc.stderr.decode() or any("extra.tf.json" in (u["address"] + u["reason"])
                                                          for u in r["unknown"])
    assert read or told, (got, proc.stderr.decode(), r["unknown"])


@pytest.mark.parametrize("files", [{}, {"README.md": "# not terraform\n", "plan.txt": "x\n"}])
def test_directory_without_tf_files(tmp_path, files):
    d = write(tmp_path / "empty", files)
    for command in ("show", "check", "diff"):
        line = error_line(run_tfsg(command, str(d), cwd=tmp_path))
        assert "empty" in line, line


def test_module_with_missing_local_source(tmp_path):
    """Terraform stops at init ("Unreadable module directory"). Accepted: exit 2 naming the
    source and main.tf:line, or an unknown for module.app naming the missing directory."""
    main = 'module "app" {\n  source = "./modules/missing"\n}\n'
    d = write(tmp_path / "stack", {"providers.tf": PROVIDERS, "main.tf": main})
    proc = run_tfsg("show", str(d), "--format", "json", cwd=tmp_path)
    if proc.returncode == 2:
        line = error_line(proc)
        assert "modules/missing" in line and "main.tf:" in line, line
        return
    assert proc.returncode == 0, proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    assert [u for u in r["unknown"] if u["address"].startswith("module.app") and "modules/missing" in u["reason"]], \
        r["unknown"]
