"""Source widths on what a group admits together (fixtures/policy_width_union, create plan,
offline; main.tf says what each part is). Expected values derived by hand from main.tf:

[SGR]   EC2 user guide, "Security group rules": the rules of a group are evaluated together and
        a packet any of them matches is admitted. 8 rules of adjacent /25s on tcp 5432 admit the
        /22 they make; 32 /17s on tcp 22 admit the /12. A width limit ("wider than /N") holds for
        the merged blocks that admit one port, as a prefix list's entries already are judged.
[PORT]  Blocks are merged per port: 5432 from 10.40.0.0/24 and 3306 from 10.40.1.0/24 admit no
        port from the /23.
[NAT]   VPC user guide, "NAT instances": the NAT instance's group admits all traffic from the
        private subnets' CIDR, and the instance forwards it. A rule that opens every port names
        no database port: baseline TFSG005 counts it only on the data tier (a data store in the
        group, or a Tier tag); a rule naming 3306 counts everywhere (a database on an instance).
        TFSG004 (SSH/RDP) keeps counting it: the NAT instance itself answers SSH from the VPC.
[ALL]   TFSG003 (all traffic from the internet) names the sources that admit all traffic (alone,
        or together as the two halves of IPv4), not a tcp-only 0.0.0.0/0 beside them.
[V6]    cidr_wider_than compares an IPv6 /M as an IPv4 /(M-40) (README): /63 as /23.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "policy_width_union"
DB_PORTS = ("tcp 1433, tcp 1521, tcp 2049, tcp 2483-2484, tcp 3306, tcp 5432, tcp 5439, tcp 5984, tcp 6379, "
            "tcp 7000-7001, tcp 8086, tcp 8182, tcp 9042, tcp 9092-9098, tcp 9194-9198, tcp 9200-9300, "
            "tcp 11211, tcp 27017-27019")


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> dict:
    proc = run_tfsg("check", plan(CASE) if request.param == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    return json.loads(proc.stdout)


def _by(check: dict, policy: str) -> dict[str, dict]:
    found = [f for f in check["findings"] if f["policy"] == policy and f["status"] == "violation"]
    out = {f["address"].removeprefix("aws_security_group."): f for f in found}
    assert len(out) == len(found)
    return out


def test_database_ports_judged_on_merged_blocks(check):
    got = {name: f["key"] for name, f in _by(check, "TFSG005").items()}
    assert got == {
        "pg_split": "10.20.0.0/22 tcp 5432",  # (a) 8 /25s [SGR]
        "pl_plus": "10.50.0.0/23 tcp 6379",  # (f) list entry + CIDR [SGR]
        "selfdb": "10.70.0.0/16 tcp 3306",  # (i) a named port counts everywhere [NAT]
        "tierdata": f"10.70.0.0/16 {DB_PORTS}",  # (j) all traffic on the data tier [NAT]
    }  # (d) a gap, (e) different ports [PORT], (g) nat, (h) vpn: no database port named [NAT]
    pg = _by(check, "TFSG005")["pg_split"]
    assert pg["severity"] == "high"
    assert pg["evidence"]["source"] == "10.20.0.0/22"
    assert pg["evidence"]["addresses"] == 1024
    blocks = [f"10.20.{i // 2}.{128 * (i % 2)}/25" for i in range(8)]
    assert pg["evidence"]["cidrs"] == blocks
    assert pg["evidence"]["defined_by"] == sorted(f'aws_vpc_security_group_ingress_rule.pg["{b}"]' for b in blocks)
    assert pg["message"].startswith("aws_security_group.pg_split admits 10.20.0.0/22 on tcp 5432 (")
    pl = _by(check, "TFSG005")["pl_plus"]
    assert pl["evidence"]["cidrs"] == ["10.50.1.0/24", "aws_ec2_managed_prefix_list.cache_clients"]
    assert pl["evidence"]["defined_by"] == ["aws_vpc_security_group_ingress_rule.redis_cidr",
                                            "aws_vpc_security_group_ingress_rule.redis_list"]
    assert pl["evidence"]["addresses"] == 512
    assert _by(check, "TFSG005")["selfdb"]["evidence"]["defined_by"] == ["aws_security_group.selfdb"]
    assert "cidrs" not in _by(check, "TFSG005")["selfdb"]["evidence"]  # one block as written


def test_admin_ports_judged_on_merged_blocks(check):
    got = {name: (f["key"], f["evidence"]["defined_by"]) for name, f in _by(check, "TFSG004").items()}
    assert got == {
        "ssh_split": ("44.0.0.0/12 tcp 22", ["aws_security_group_rule.ssh[0]", "aws_security_group_rule.ssh[1]"]),
        "ssh_v6": ("2001:db8::/63 tcp 22", ["aws_security_group.ssh_v6"]),  # [V6]
        # all traffic / all tcp from the VPC: the instance answers SSH and RDP from it [NAT]
        "nat": ("10.70.0.0/16 tcp 22, tcp 3389", ["aws_vpc_security_group_ingress_rule.nat_from_vpc"]),
        "vpn": ("10.70.0.0/16 tcp 22, tcp 3389", ['aws_security_group_rule.vpn_from_vpc["tcp"]']),
        "tierdata": ("10.70.0.0/16 tcp 22, tcp 3389", ["aws_security_group.tierdata"]),
    }
    v6 = _by(check, "TFSG004")["ssh_v6"]["evidence"]
    assert v6["cidrs"] == ["2001:db8::/64", "2001:db8:0:1::/64"] and v6["addresses"] == 2**65


def test_most_of_the_internet_judged_on_merged_blocks(check):
    got = _by(check, "TFSG021")
    assert set(got) == {"ssh_split"}  # 2001:db8::/63 is no /16 of the internet
    f = got["ssh_split"]
    assert (f["severity"], f["key"], f["evidence"]["addresses"]) == ("high", "44.0.0.0/12 tcp 22", 2**20)
    assert f["evidence"]["cidrs"] == [f"44.{i // 2}.{128 * (i % 2)}.0/17" for i in range(32)]
    assert f["evidence"]["defined_by"] == ["aws_security_group_rule.ssh[0]", "aws_security_group_rule.ssh[1]"]


def test_all_traffic_names_only_its_sources(check):
    got = {name: (f["evidence"]["sources"], f["evidence"]["defined_by"], f["message"])
           for name, f in _by(check, "TFSG003").items()}
    assert got == {
        "all_mix": (["::/0"], ["aws_vpc_security_group_ingress_rule.mix_all_v6"],
                    "aws_security_group.all_mix admits the whole internet on all traffic (from ::/0)"),
        "all_halves": (["0.0.0.0/1", "128.0.0.0/1"], ["aws_security_group.all_halves"],
                       "aws_security_group.all_halves admits the whole internet on all traffic "
                       "(from 0.0.0.0/1, 128.0.0.0/1)"),
    }  # [ALL]


def test_blanket_rules_scope_in_a_policy_of_ones_own(tmp_path):
    """``blanket_rules_to`` with a ``cidrs`` source: the VPC's 10.70.0.0/16 on tcp 3306. nat
    (all traffic), vpn (all tcp) and tierdata (all traffic) admit it by rules that open every
    port, selfdb by a rule naming 3306 [NAT]; all_mix (tcp 0-65535 from 0.0.0.0/0) and
    all_halves (all traffic from 0.0.0.0/1) overlap it too, by rules that open every port: with
    the scope ``{tier: data}`` only selfdb and tierdata (Tier = data) count; without it all six do."""
    def keys(scope: str) -> dict[str, str]:
        cfg = tmp_path / "p.yml"
        cfg.write_text("extends: []\ntiers:\n  data: {tag: {Tier: [data]}}\npolicies:\n  - id: ORG-MYSQL\n"
                       "    title: mysql from the VPC\n    severity: high\n    kind: forbidden-flow\n"
                       "    from: {cidrs: [10.70.0.0/16]}\n    services: [3306]\n" + scope)
        proc = run_tfsg("check", plan(CASE), "--config", str(cfg), "--format", "json")
        assert proc.returncode == 1, proc.stderr.decode()
        return {f["address"].removeprefix("aws_security_group."): f["key"]
                for f in json.loads(proc.stdout)["findings"] if f["policy"] == "ORG-MYSQL"}

    scoped = keys("    blanket_rules_to: {tier: data}\n")
    assert scoped == {"selfdb": "10.70.0.0/16 tcp 3306", "tierdata": "10.70.0.0/16 tcp 3306"}
    assert keys("") == {**dict.fromkeys(("nat", "vpn", "selfdb", "tierdata"), "10.70.0.0/16 tcp 3306"),
                        "all_mix": "0.0.0.0/0 tcp 3306", "all_halves": "0.0.0.0/1 tcp 3306"}
