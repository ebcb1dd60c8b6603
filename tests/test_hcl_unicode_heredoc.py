"""Unicode and heredocs as HCL reads them (fixtures/hcl_unicode_heredoc: unicode.tf and
heredoc.tf say what each group is, derived by hand and checked in `terraform console`): HCL
mode gives the flows Terraform planned, each one here by hand."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, flows, plan, tfsg_json

CASE = "hcl_unicode_heredoc"
SG = "aws_security_group."
EXPECTED = {
    ("0.0.0.0/0", SG + "len", "tcp", "22"),  # length("👍🏽") = 1
    ("0.0.0.0/0", SG + "elem", "tcp", "3389"),  # NFC: length("é") = 1
    ("0.0.0.0/0", SG + "nfc", "tcp", "5432"),  # NFC equality
    ("10.0.0.0/8", SG + 'keys["é"]', "tcp", "3306"),  # one key after NFC, the later value
    ("0.0.0.0/0", SG + "flag", "tcp", "1433"),  # a flag is one cluster
    ("0.0.0.0/0", SG + "h1", "tcp", "22"),  # a continuation line is no heredoc line
    ("0.0.0.0/0", SG + "h2", "tcp", "3389"),  # a blank line keeps its spaces
    ("0.0.0.0/0", SG + "h3", "tcp", "5432"),  # a no-break space indents
    ("0.0.0.0/0", SG + "h4", "tcp", "3306"), ("10.0.0.0/8", SG + "h4", "tcp", "3306"),
    ("0.0.0.0/0", SG + "jn", "tcp", "22"),
}


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_flows_as_terraform_planned(mode: str):
    r = tfsg_json("show", plan(CASE) if mode == "plan" else str(FIXTURES / CASE))
    assert {(a, b, c, d) for a, b, c, d in flows(r["flows"])} == EXPECTED
