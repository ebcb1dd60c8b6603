"""The keys of sensitive tag maps are never printed (fixtures/sensitive_tag_keys, create plan).

[MARK] Terraform language docs, "Sensitive values": a map built from a sensitive value is
       sensitive whole; `terraform plan` prints `tags = (sensitive value)` for ``whole``
       (a sensitive map variable), ``merged`` (merge of a literal and that variable) and
       ``keyed`` (a key computed from a sensitive variable). Plan JSON's after_sensitive marks
       ``tags`` true; tfsg carries the mark on the values, so a key beside a sensitive value is
       hidden with it.
[COPY] Provider docs, default_tags: the provider copies the provider's default_tags into each
       resource's tags_all, unmarked; the key written as ``(var.owner)`` is the secret
       OWNERSECRETTEXT itself.
[OUT]  README, untrusted input: no secret in any spelling, in any format, plan or HCL mode. The
       group addresses and the SSH findings stay readable (each group admits tcp 22 from
       0.0.0.0/0: TFSG001 on each).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "sensitive_tag_keys"
SECRETS = ("TAGKEYONE", "TAGVALONE", "OWNERSECRETTEXT")
GROUPS = {"aws_security_group.whole", "aws_security_group.merged", "aws_security_group.keyed"}


@pytest.mark.parametrize("target", ["plan", "hcl"])
@pytest.mark.parametrize("command", ["check", "show", "diff"])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "github"])
def test_no_tag_key_of_a_sensitive_map_is_printed(target, command, fmt):
    if command != "check" and fmt in ("github", "sarif"):
        pytest.skip("a findings format: check's")
    where = plan(CASE) if target == "plan" else str(FIXTURES / CASE)
    proc = run_tfsg(command, where, "--format", fmt)
    assert proc.returncode in ((1,) if command == "check" else (0,)), proc.stderr.decode()
    out = proc.stdout.decode() + proc.stderr.decode()
    for secret in SECRETS:
        assert secret not in out
    if target == "plan" or command != "diff":  # (a directory's diff needs --base)
        for group in GROUPS:
            assert group in out


@pytest.mark.parametrize("target", ["plan", "hcl"])
def test_tags_of_sensitive_maps_show_placeholders(target):
    where = plan(CASE) if target == "plan" else str(FIXTURES / CASE)
    r = json.loads(run_tfsg("show", where, "--format", "json").stdout)
    tags = {g["address"]: g["tags"] for g in r["groups"]}
    assert set(tags) == GROUPS
    for group in GROUPS:
        assert "(sensitive)" in tags[group]  # the hidden keys
        assert all(k in ("(sensitive)", "Owner") for k in tags[group])  # Team and Name are inside the mark
    check = json.loads(run_tfsg("check", where, "--format", "json").stdout)
    assert {f["address"] for f in check["findings"] if f["policy"] == "TFSG001"} == GROUPS
