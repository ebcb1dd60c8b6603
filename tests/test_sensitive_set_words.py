"""A set marked sensitive whole for one value (fixtures/sensitive_set_words, create plan).

[MARK] Terraform language docs, "Sensitive values"; plan JSON ``after_sensitive``: a set cannot
       mark one element, so one block whose description is a sensitive variable marks the whole
       ``ingress`` set (``"ingress": true``). Only the variable's value is a secret; the other
       blocks' descriptions are literals of the configuration.
[OUT]  README, untrusted input: no secret is printed; the report's own words, the addresses
       and the JSON keys are the report's (the Action reads ``findings`` and ``verdict``).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

SECRET = "CHG-4411 approved by j.doe"
CASE = "sensitive_set_words"


@pytest.mark.parametrize("target", ["plan", "hcl"])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_only_the_secret_is_hidden(target, fmt):
    where = plan(CASE) if target == "plan" else str(FIXTURES / CASE)
    proc = run_tfsg("check", where, "--format", fmt)
    assert proc.returncode == 1, proc.stderr.decode()
    out = proc.stdout.decode()
    assert SECRET not in out
    assert "aws_security_group.bastion" in out and "aws_instance.bastion" in out  # "bastion" is a literal
    assert "critical" in out and "internet" in out  # the report's own words
    if fmt == "json":
        r = json.loads(out)
        assert {"findings", "verdict"} <= set(r) and r["verdict"]["passed"] is False
        assert {(f["policy"], f["address"], f["severity"]) for f in r["findings"] if f["policy"] == "TFSG001"} == {
            ("TFSG001", "aws_security_group.app", "critical"), ("TFSG001", "aws_security_group.bastion", "critical")}
    if fmt == "sarif":
        assert "results" in json.loads(out)["runs"][0]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_without_the_sources_the_words_may_be_hidden_but_never_the_keys(fmt):
    """Without the .tf files the plan does not say which leaf of the set is the secret (its
    configuration records ``ingress`` as a reference to var.ticket only): every leaf is hidden
    as a value, the report's structure is not."""
    proc = run_tfsg("check", plan(CASE), "--format", fmt, "--no-sources")
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert SECRET not in out
    r = json.loads(out)
    if fmt == "json":
        assert {"findings", "verdict"} <= set(r) and r["verdict"]["blocking"] == 2
        assert {f["severity"] for f in r["findings"] if f["policy"] == "TFSG001"} == {"critical"}
    else:
        assert "results" in r["runs"][0]
