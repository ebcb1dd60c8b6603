"""Verdicts a reviewer acts on, on real plans: introduced or existing, blocking or not.

Four fixtures, each a change a prober saw judged wrongly. Expected values are read from the
fixtures' .tf files by hand, with these rules:

[V6RUN]  EC2 API ModifySubnetAttribute, AssignIpv6AddressOnCreation: "Specify true to indicate
         that network interfaces created in the specified subnet should be assigned an IPv6
         address" (interfaces created later). A running instance the plan does not replace keeps
         the addresses it was launched with (README "Without a plan": "an instance that is not
         replaced keeps the public addresses it was launched with").
[FAMILY] README "How flows are computed": a resource is reachable per address family, in a
         family in which it has a public address; a group row says what the group admits.
[TIER]   README, TFSG007: the data tier is reached from the internet only through a tier that is
         not internet-facing; "A tier selected by attached_to holds the resources of those types
         [...], not every member of their groups: an app put in the database's group is no data
         store". The baseline's data tier: groups tagged Tier=data, data stores by type.
[ALB]    ELB user guide, "Target groups for your Application Load Balancers": a listener routes
         requests to the registered targets of its target group; README: "A load balancer
         connects to its registered targets only" when the plan holds its listeners and targets.
[NARROW] README "The gate": "a narrowed exposure (fewer services, a block inside the old one:
         10.0.0.0/8 -> 10.20.0.0/16) is 'existing', a widened one 'introduced', and the old one
         is not listed as resolved". Only introduced findings at or above --fail-on (high) block.
[DEFSG]  VPC user guide, "Default security groups for your VPCs": AWS creates the default group
         with inbound all traffic from the group itself and outbound all traffic to 0.0.0.0/0;
         aws_default_security_group (provider docs) adopts it. README: "An
         aws_default_security_group that starts managing a VPC's default group finds AWS's
         default rules there [...]: what the configuration keeps of them is existing."
[CIDR]   baseline TFSG005 (database ports from a CIDR wider than /24, the internet aside), TFSG008
         (an ingress CIDR inside the group's VPC: prefer a group reference, low), TFSG012 (a group
         attached to nothing, low).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import FIXTURES, plan, run_tfsg, validate_report


def _run(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    proc = run_tfsg(*args, "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    doc = json.loads(proc.stdout)
    validate_report(doc)
    return proc.returncode, doc


def _verdicts(r: dict) -> set[tuple[str, str, bool, bool]]:
    """(policy, address, introduced, blocking) of every finding."""
    return {(f["policy"], f["address"], f["introduced"], f["blocking"]) for f in r["findings"]}


def _line(path: Path, after: str, text: str) -> int:
    """1-based number of the first line holding ``text`` after the line holding ``after``."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


def _repo(tmp_path: Path, base: dict[str, str], head: dict[str, str]) -> Path:
    """A git repository whose HEAD holds ``base`` in infra/; the work tree holds ``head``."""
    repo = tmp_path / "repo"
    infra = repo / "infra"
    infra.mkdir(parents=True)
    for name, text in base.items():
        (infra / name).write_text(text)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    for name in base:
        (infra / name).unlink()
    for name, text in head.items():
        (infra / name).write_text(text)
    return repo


# ---------------------------------------------------------------- gate_ipv6_running

def test_ipv6_running_instance_is_not_replaced_in_the_plan():
    """The premise, read from Terraform's own plan: the bastion is no-op and has no IPv6 address;
    the subnet is updated in place (not replaced), the VPC gets an IPv6 block."""
    doc = json.loads(Path(plan("gate_ipv6_running")).read_text())
    changes = {r["address"]: r["change"] for r in doc["resource_changes"]}
    assert changes["aws_instance.bastion"]["actions"] == ["no-op"]
    assert changes["aws_instance.db"]["actions"] == ["no-op"]
    after = changes["aws_instance.bastion"]["after"]
    assert after["ipv6_address_count"] == 0 and after["ipv6_addresses"] == []
    assert after["public_ip"]  # its IPv4 address from the subnet's map_public_ip_on_launch
    assert changes["aws_subnet.public"]["actions"] == ["update"]
    assert changes["aws_subnet.public"]["after"]["assign_ipv6_address_on_creation"] is True
    assert changes["aws_vpc.main"]["actions"] == ["update"]


def test_ipv6_on_the_subnet_does_not_expose_the_running_bastion():
    """[V6RUN][FAMILY] The bastion keeps IPv4 only; its IPv4 ingress is 203.0.113.0/28 on 22: no
    resource is newly reachable. The bastion group admits ::/0 on 443: a group row (source ::/0),
    which is what a host launched later into the subnet would get."""
    code, r = _run("diff", plan("gate_ipv6_running"))
    assert code == 0
    # a group row names its sources (::/0: the IPv6 internet); `family` is on resource rows only
    assert [(e["address"], e["kind"], e["protocol"], e["ports"], e["sources"]) for e in r["newly_exposed"]] == [
        ("aws_security_group.bastion", "group", "tcp", "443", ["::/0"])]
    assert not [e for e in r["newly_exposed"] if e["address"] == "aws_instance.bastion"]
    assert not [e for e in r["newly_exposed"] if e["kind"] == "resource" and e.get("family") == "ipv6"]
    assert r["no_longer_exposed"] == []
    # the two new flows: ::/0 into the bastion group on 443, bastion -> db on 5432
    assert {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["added"]} == {
        ("::/0", "aws_security_group.bastion", "tcp", "443"),
        ("aws_security_group.bastion", "aws_security_group.db", "tcp", "5432")}
    assert r["removed"] == []
    # nothing from the internet reaches the bastion, so no path reaches the database through it
    assert r["paths_added"] == [] and r["paths_removed"] == []


def test_ipv6_on_the_subnet_gates_no_tiering_finding():
    """[V6RUN][TIER] bastion -> db on 5432 is new, but the bastion is not internet-facing in any
    family: no TFSG007 (the db reached through an internet-facing host) and no TFSG020 (an
    existing data store newly reachable). Every rule has a description, every group a
    description and a Name tag, both are attached, db's budget is one member: no finding."""
    code, r = _run("check", plan("gate_ipv6_running"))
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG007", "TFSG020")]
    assert _verdicts(r) == set()
    assert code == 0


# ---------------------------------------------------------------- gate_narrowed_block

NARROWED = FIXTURES / "gate_narrowed_block"


def test_a_narrowed_database_block_is_existing():
    """[NARROW][CIDR] db 10.0.0.0/8 -> 10.20.0.0/16, reports 10.0.0.0/8 -> 10.20.0.0/16 +
    10.30.0.0/16: both new blocks lie inside the old one and are still wider than /24, so TFSG005
    stays, existing, on both, and is not resolved. 10.20.0.0/16 is the VPC's own block: TFSG008
    is new on both groups (low, not blocking); 10.30.0.0/16 is outside the VPC. The check passes
    at the default --fail-on high."""
    code, r = _run("check", plan("gate_narrowed_block"))
    assert _verdicts(r) == {
        ("TFSG005", "aws_security_group.db", False, False),
        ("TFSG005", "aws_security_group.reports", False, False),
        ("TFSG008", "aws_security_group.db", True, False),
        ("TFSG008", "aws_security_group.reports", True, False),
    }
    assert [f["severity"] for f in r["findings"] if f["policy"] == "TFSG005"] == ["high", "high"]
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG005"]
    assert r["resolved"] == []
    assert code == 0
    # each group has one ingress block: that block grants the access
    main = NARROWED / "main.tf"
    db_line = _line(main, 'resource "aws_security_group" "db"', "ingress {")
    reports_line = _line(main, 'resource "aws_security_group" "reports"', "ingress {")
    locations = {f["address"]: (f["location"], f["location_exact"]) for f in r["findings"] if f["policy"] == "TFSG005"}
    assert locations == {
        "aws_security_group.db": (f"fixtures/gate_narrowed_block/main.tf:{db_line}", True),
        "aws_security_group.reports": (f"fixtures/gate_narrowed_block/main.tf:{reports_line}", True),
    }
    tfsg008 = {f["address"]: f["key"] for f in r["findings"] if f["policy"] == "TFSG008"}
    assert all(key.startswith("10.20.0.0/16") for key in tfsg008.values())


def test_a_widened_database_block_is_introduced(tmp_path):
    """[NARROW] HCL mode with --base (a tmp_path copy, so the fixture's plan stays a passing
    change): the base is the fixture's AFTER (db admits 10.20.0.0/16), the work tree widens db's
    block back to 10.0.0.0/8. TFSG005 on db is introduced and blocks (high); reports is untouched
    (existing); db's TFSG008 ends (10.0.0.0/8 is not inside the VPC) but is not resolved: the
    source was widened past it, into TFSG005's introduced finding, which admits all it did and
    more (README, "The gate": a widened finding's old one is not listed as resolved). Exit 1."""
    main = (NARROWED / "main.tf").read_text()
    providers = (NARROWED / "providers.tf").read_text()
    db_block = 'description = "postgres from the corporate network"\n    protocol    = "tcp"\n' \
               '    from_port   = 5432\n    to_port     = 5432\n    cidr_blocks = ["10.20.0.0/16"]'
    assert main.count(db_block) == 1
    widened = main.replace(db_block, db_block.replace('["10.20.0.0/16"]', '["10.0.0.0/8"]'))
    repo = _repo(tmp_path, {"main.tf": main, "providers.tf": providers},
                 {"main.tf": widened, "providers.tf": providers})
    code, r = _run("check", "infra", "--base", "HEAD", cwd=repo)
    assert _verdicts(r) == {
        ("TFSG005", "aws_security_group.db", True, True),
        ("TFSG005", "aws_security_group.reports", False, False),
        ("TFSG008", "aws_security_group.reports", False, False),
        # (no TFSG011: it names VPCs the change creates, and both revisions hold aws_vpc.main as
        # it is, as the plan of the fixture says)
    }
    assert r["resolved"] == []
    assert code == 1


# ---------------------------------------------------------------- gate_adopt_default

ADOPT = FIXTURES / "gate_adopt_default"


def test_adopting_the_default_group_as_aws_made_it_changes_nothing():
    """[DEFSG] The adoption writes AWS's own rules (all from self, all to 0.0.0.0/0), no
    description, no tags: applying it changes nothing in AWS, so the diff has nothing."""
    code, r = _run("diff", plan("gate_adopt_default"))
    assert code == 0
    assert r["summary"]["reachability_changed"] is False
    assert r["added"] == [] and r["removed"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []


def test_adopting_the_default_group_keeps_its_findings_existing():
    """[DEFSG] With baseline + cis-aws: the default group does not restrict all traffic (CIS-5.4,
    TFSG011) after the change as before it: existing, not blocking, and nothing the change
    introduces (AWS is left as it was), nothing resolved. The check passes."""
    code, r = _run("check", plan("gate_adopt_default"), "--config", str(ADOPT / ".tfsg.yml"))
    verdicts = _verdicts(r)
    assert ("CIS-5.4", "aws_default_security_group.default", False, False) in verdicts
    assert ("TFSG011", "aws_default_security_group.default", False, False) in verdicts
    assert not [f for f in r["findings"] if f["blocking"]]
    assert r["resolved"] == []
    assert code == 0


def test_adopting_the_default_group_introduces_nothing():
    """[DEFSG] Nothing at all changes in AWS, so no finding can be introduced, hygiene ones
    included: AWS's default rules carry no description (the provider docs' example that "gives the
    default security group the same rules that AWS provides by default" writes none, else it would
    show a diff), and the configuration keeps them without one; README: "what the configuration
    keeps of them is existing"."""
    code, r = _run("check", plan("gate_adopt_default"), "--config", str(ADOPT / ".tfsg.yml"))
    assert [(f["policy"], f["address"]) for f in r["findings"] if f["introduced"]] == []


def test_adopting_the_default_group_with_ssh_from_anywhere_is_introduced(tmp_path):
    """The same adoption, but the configuration also writes tcp 22 from 0.0.0.0/0 (HCL mode,
    --base = the fixture's BEFORE): AWS's default group admitted nothing from the internet, the
    adopted one admits SSH from every IPv4 address: TFSG001 introduced, blocking, exit 1."""
    before = {p.name: p.read_text() for p in (ADOPT / "before").glob("*.tf")}
    after = {p.name: p.read_text() for p in ADOPT.glob("*.tf")}
    anchor = "  egress {\n    protocol    = \"-1\""
    assert after["main.tf"].count(anchor) == 1
    after["main.tf"] = after["main.tf"].replace(anchor, (
        "  ingress {\n    protocol    = \"tcp\"\n    from_port   = 22\n    to_port     = 22\n"
        "    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n\n") + anchor)
    repo = _repo(tmp_path, before, after)
    code, r = _run("check", "infra", "--base", "HEAD", cwd=repo)
    assert ("TFSG001", "aws_default_security_group.default", True, True) in _verdicts(r)
    assert code == 1


# ---------------------------------------------------------------- verdict_tier_members

def test_a_data_store_in_the_apps_group_makes_no_data_tier_of_the_app():
    """[TIER][ALB][CIDR] The app ASG shares its group with aws_db_instance.db but is no data
    store: internet -> ALB -> private app is the design, no TFSG007. The database: its group (app)
    admits tcp 8080 from the alb group only, the ALB sends only to its targets (the ASG), and the
    app sends 5432 to the db group only: nothing reaches it, no TFSG007 on it either (and no
    TFSG020: a create plan has no existing data store). The db group is attached to nothing:
    TFSG012 (low, introduced, not blocking). The VPC is created without adopting its default
    group, which AWS makes with all traffic from itself and all out: TFSG011 (medium). Nothing
    else: descriptions, Name tags, no CIDR inside the VPC."""
    code, r = _run("check", plan("verdict_tier_members"))
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG007", "TFSG020")]
    assert _verdicts(r) == {("TFSG012", "aws_security_group.db", True, False),
                            ("TFSG011", "aws_vpc.main", True, False)}  # its default group keeps AWS's rules
    assert code == 0


def test_the_only_path_from_the_internet_ends_at_the_app():
    """[ALB] internet -[tcp 443]-> aws_lb.web -[tcp 8080]-> aws_autoscaling_group.app, and no
    further: no path and no exposure reaches aws_db_instance.db."""
    code, r = _run("show", plan("verdict_tier_members"))
    assert code == 0
    assert {tuple(p["nodes"]) for p in r["paths"]} == {
        ("internet", "aws_lb.web", "aws_autoscaling_group.app"),
        # README "How flows are computed": "Group-level paths remain for paths through groups with
        # no known member": the db group holds nothing, so its path is one of groups (what a future
        # member of db would be reached by), never through aws_db_instance.db
        ("internet", "aws_security_group.alb", "aws_security_group.app", "aws_security_group.db"),
    }
    assert not [p for p in r["paths"] if "aws_db_instance.db" in p["nodes"]]
    assert not [e for e in r["exposed"] if e["address"] == "aws_db_instance.db"]
