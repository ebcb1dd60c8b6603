"""What Terraform refuses at plan, tfsg refuses (exit 2, one line naming file:line); what it
accepts, tfsg reads (fixtures/hcl_refusals_r15: accepted controls, create plan, offline; main.tf
says what each part is). Expected values derived by hand from the configurations and:

[VAL]   terraform-provider-aws internal/verify/validate.go ValidateIPv4CIDRBlock /
        ValidateIPv6CIDRBlock (Go net.ParseCIDR, the address must be its network's, To4 decides
        the family), used by security-group rule CIDRs (vpc_security_group.go,
        vpc_security_group_rule.go), the VPC rule resources (fwvalidators), routes, subnets;
        aws_vpc's cidr_block: validation.IsCIDRNetwork(16, 28).
[CONF]  vpc_security_group_rule.go: self / cidr_blocks / ipv6_cidr_blocks /
        source_security_group_id ConflictsWith; AtLeastOneOf with prefix_list_ids. The VPC rule
        resources: resourcevalidator.ExactlyOneOf(cidr_ipv4, cidr_ipv6, prefix_list_id,
        referenced_security_group_id). An unknown value defers the check; a written null is
        not a value; self = false and a list known with unknown elements are.
[HCL]   hclsyntax ParseStringLiteralToken: "Invalid escape sequence"; go-cty-yaml
        unmarshalMapping: a merge key takes one mapping ("cannot merge tuple into mapping");
        a function failing on known arguments is "Error in function call".
[IP]    EC2 API: PublicIp / PrivateIpAddress are addresses (dotted IPv4 / IPv6 hex and
        colons): no comma; split(",", "${eip}/32") is one element, a /32.

Terraform's errors, from `terraform plan` (1.11.4, provider 5.100.0) on each directory of
tests/data/hcl_refusals_r15/ (each has no plan):

sg_host_bits_v4          "0.0.0.1/0" is not a valid IPv4 CIDR block; did you mean "0.0.0.0/0"?
rule_host_bits_for_each  "10.0.0.1/8" is not a valid IPv4 CIDR block; did you mean "10.0.0.0/8"?
                         (with aws_security_group_rule.ssh["vpn"], main.tf line 12)
rule_mapped_v6           "::ffff:0:0/96" is not a valid IPv6 CIDR block (line 8)
vpcrule_v6_host_bits     Invalid Attribute Value: Attribute cidr_ipv6 value must be a valid IPv6
                         CIDR that represents a network address, got: ::1/0 (line 6)
vpcrule_trailing_space   Attribute cidr_ipv4 value must be a valid IPv4 CIDR ..., got: 0.0.0.0/0
                         (line 4; tfsg read it as no source and dropped the rule silently)
crlf_heredoc             "0.0.0.0/0\\r\\n" is not a valid CIDR block: invalid CIDR address
split_spaces             " 10.0.0.0/8" is not a valid CIDR block (module.sg, sg/main.tf)
self_and_cidr            Conflicting configuration arguments: "self": conflicts with cidr_blocks
                         (line 7)
self_false_and_group     "self": conflicts with source_security_group_id (line 8)
self_and_unknown_element "self": conflicts with cidr_blocks (line 11; the list is known)
rule_no_source           Missing required argument: one of
                         `cidr_blocks,ipv6_cidr_blocks,prefix_list_ids,self,source_security_group_id`
                         must be specified (line 1)
vpcrule_two_sources      Invalid Attribute Combination: Exactly one of these attributes must be
                         configured: [cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id]
route_host_bits          "203.0.113.7/24" is not a valid IPv4 CIDR block; did you mean
                         "203.0.113.0/24"? (line 3)
vpc_too_wide             expected "cidr_block" to contain a network Value with between 16 and 28
                         significant bits, got: 8 (line 2)
escape_x                 Invalid escape sequence: The symbol "x" is not a valid escape sequence
                         selector. (line 6)
yaml_seq_merge           Call to function "yamldecode" failed: on line 5, column 5: cannot merge
                         tuple into mapping. (line 2)
cidrsubnet_bad           Call to function "cidrsubnet" failed: invalid CIDR expression: invalid
                         CIDR address: office-not-a-cidr. (line 11)

The fixture (accepted), by hand:
  group web: 443 from 0.0.0.0/0; 5432 from 2001:db8::/32 ("2001:DB8::/32" is that block);
  8080 from 10.70.0.0/16 and from itself; 6379 from 10.70.0.0/16 (\\u escapes); 6443 from
  10.70.0.0/16 (one-mapping YAML merge); 2049 from 10.70.9.0/24 (try() fallback); 9000, 9001
  from itself; 22 from two /32s known after apply, 3389 from one /32 [IP]: never the internet,
  so TFSG001/TFSG004/TFSG021 are undecided ONLY because of by_name (22 from
  "${public_dns}/32": a name may hold commas). aws_instance.web (public subnet, IGW route):
  reachable on tcp 443 from 0.0.0.0/0. TFSG005 on 6379 from 10.70.0.0/16 and 5432 from
  2001:db8::/32 (a /16 and a /32 to database ports).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, plan, run_tfsg

CASE = "hcl_refusals_r15"
DATA = ROOT / "tests" / "data" / "hcl_refusals_r15"
WEB = "aws_security_group.web"

REFUSED = {  # case -> (file:line, words of the provider's or Terraform's message)
    "sg_host_bits_v4": ("main.tf:9", '"0.0.0.1/0" is not a valid IPv4 CIDR block; did you mean "0.0.0.0/0"?'),
    "rule_host_bits_for_each": ("main.tf:12", '"10.0.0.1/8" is not a valid IPv4 CIDR block; did you mean '
                                              '"10.0.0.0/8"?'),
    "rule_mapped_v6": ("main.tf:8", '"::ffff:0:0/96" is not a valid IPv6 CIDR block'),
    "vpcrule_v6_host_bits": ("main.tf:6", '"::1/0" is not a valid IPv6 CIDR block; did you mean "::/0"?'),
    "vpcrule_trailing_space": ("main.tf:4", '"0.0.0.0/0 " is not a valid CIDR block'),
    "crlf_heredoc": ("main.tf:7", '"0.0.0.0/0\\r\\n" is not a valid CIDR block'),
    "split_spaces": ("sg/main.tf:10", '" 10.0.0.0/8" is not a valid CIDR block'),
    "self_and_cidr": ("main.tf:7", '"self": conflicts with cidr_blocks'),
    "self_false_and_group": ("main.tf:8", '"self": conflicts with source_security_group_id'),
    "self_and_unknown_element": ("main.tf:11", '"self": conflicts with cidr_blocks'),
    "rule_no_source": ("main.tf:1", "one of `cidr_blocks,ipv6_cidr_blocks,prefix_list_ids,self,"
                                    "source_security_group_id` must be specified"),
    "vpcrule_two_sources": ("main.tf:6", "exactly one of these attributes must be configured: "
                                         "[cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id]"),
    "route_host_bits": ("main.tf:3", '"203.0.113.7/24" is not a valid IPv4 CIDR block; did you mean '
                                     '"203.0.113.0/24"?'),
    "vpc_too_wide": ("main.tf:2", "between 16 and 28 significant bits, got: 8"),
    "escape_x": ("main.tf:6", 'the symbol "x" is not a valid escape sequence selector'),
    "yaml_seq_merge": ("main.tf:2", "on line 5, column 5: cannot merge tuple into mapping"),
    "cidrsubnet_bad": ("main.tf:11", "cidrsubnet(): 'office-not-a-cidr' is not a CIDR prefix"),
}


def test_every_case_has_its_directory():
    assert sorted(p.name for p in DATA.iterdir() if p.is_dir()) == sorted(REFUSED)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_terraform_refuses_is_refused(case: str):
    where, words = REFUSED[case]
    proc = run_tfsg("check", str(DATA / case))
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("tfsg: error: ") and "Traceback" not in err, err
    assert f"hcl_refusals_r15/{case}/{where}: " in err and words in err, err
    assert proc.stdout == b""


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_accepted_spellings_are_read(mode: str):
    r = json.loads(run_tfsg("show", plan(CASE) if mode == "plan" else str(FIXTURES / CASE),
                            "--format", "json").stdout)
    got = {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]}
    assert got == {
        ("0.0.0.0/0", WEB, "tcp", "443"),
        ("2001:db8::/32", WEB, "tcp", "5432"),  # "2001:DB8::/32" [VAL]
        ("10.70.0.0/16", WEB, "tcp", "8080"), ("10.70.0.0/16", WEB, "tcp", "6379"),  # \u escapes [HCL]
        ("10.70.0.0/16", WEB, "tcp", "6443"),  # "<<: *closed" [HCL]
        ("10.70.9.0/24", WEB, "tcp", "2049"),  # try() catches the failing cidrsubnet
        # the group's egress is all traffic to itself: its members reach each other on what its
        # ingress admits from itself (8080, 9000-9001) and from blocks holding a member's
        # address: 10.70.1.0/24 lies in 0.0.0.0/0 and 10.70.0.0/16 (not in 10.70.9.0/24); its
        # IPv6 address (Amazon's block, known after apply) may lie in 2001:db8::/32
        *((WEB, WEB, "tcp", p) for p in ("443", "5432", "6379", "6443", "8080", "9000-9001")),
    }
    exposed = {(e["address"], e["family"], tuple(e["sources"])) for e in r["exposed"] if e["kind"] == "resource"}
    assert exposed == {("aws_instance.web", "ipv4", ("0.0.0.0/0",))}


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_an_address_block_after_split_leaves_no_policy_open(mode: str):
    proc = run_tfsg("check", plan(CASE) if mode == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    warnings = {(f["policy"], f["address"]) for f in r["findings"] if f["status"] == "warning"}
    # only by_name (a DNS name, which may hold commas) leaves the SSH policies open [IP]
    assert warnings == {("TFSG001", "aws_security_group_rule.by_name"), ("TFSG004", "aws_security_group_rule.by_name"),
                        ("TFSG021", "aws_security_group_rule.by_name")}
    violations = {(f["policy"], f["address"]) for f in r["findings"] if f["status"] == "violation"}
    assert violations == {("TFSG005", WEB), ("TFSG008", WEB), ("TFSG011", "aws_vpc.main"), ("TFSG013", WEB),
                          ("TFSG019", WEB)}
    unknown = {(u["address"], u["attribute"]): u["reason"] for u in r["unknown"]}
    for key in ('aws_security_group_rule.office_ssh["a"]', 'aws_security_group_rule.office_ssh["b"]'):
        assert unknown[(key, "cidr_blocks")].endswith("public_ip is known only after apply (a /32 block)")
    assert unknown[("aws_vpc_security_group_ingress_rule.office_rdp", "cidr_ipv4")].endswith("(a /32 block)")
    assert "public_dns is known only after apply" in unknown[("aws_security_group_rule.by_name", "cidr_blocks")]
    assert "/32 block" not in unknown[("aws_security_group_rule.by_name", "cidr_blocks")]


def test_an_unknown_value_is_not_validated(tmp_path: Path):
    """self with a source group id known only after apply: the SDK defers ConflictsWith (Terraform
    plans it); cidr_ipv4 with an unknown referenced group: ExactlyOneOf deferred too [CONF]."""
    (tmp_path / "main.tf").write_text('''resource "aws_security_group" "a" {
  name = "a"
}
resource "aws_security_group_rule" "r" {
  type                     = "ingress"
  security_group_id        = "sg-0123456789abcdef0"
  protocol                 = "tcp"
  from_port                = 22
  to_port                  = 22
  self                     = true
  source_security_group_id = aws_security_group.a.id
}
resource "aws_vpc_security_group_ingress_rule" "v" {
  security_group_id            = "sg-0123456789abcdef0"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  cidr_ipv4                    = "10.0.0.0/8"
  referenced_security_group_id = aws_security_group.a.id
}
''')
    proc = run_tfsg("show", str(tmp_path))
    assert proc.returncode == 0, proc.stderr.decode()


def test_inline_self_with_cidr_blocks_is_one_rule(tmp_path: Path):
    """Inline rules have no ConflictsWith (vpc_security_group.go): self with cidr_blocks and
    cidr_blocks = [] with self are accepted."""
    (tmp_path / "main.tf").write_text('''resource "aws_security_group" "a" {
  name = "a"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    self        = true
    cidr_blocks = ["10.0.0.0/8"]
  }
}
''')
    proc = run_tfsg("show", str(tmp_path))
    assert proc.returncode == 0, proc.stderr.decode()
