"""Fuzz targets, one per input kind tfsg reads from a pull request: plan JSON, .tf files and
``.tfsg.yml`` (issue 13, item 7). Each example runs the CLI on one generated input and holds it
to the contract of ``tfsg.cli.main``: exit 0, 1 or 2; never a traceback, never ``internal
error``; exit 2 is one line on stderr.

Why hypothesis rather than atheris: it is pure Python and already a dev dependency, so it
installs everywhere the tests run (atheris needs a compiler and libFuzzer, and has no wheels for
every Python); it shrinks a failure to a small input, which is what a regression test wants;
and it composes *structured* generators (mutate a real plan, a real .tf file, a real policy),
where coverage-guided byte flipping mostly produces JSON/HCL/YAML that the parser refuses on
the first byte. ``derandomize=True`` makes CI deterministic.

The inputs are structurally plausible: real fixtures (``fixtures/*/plan.json``, the .tf files of
every fixture root module, ``policies/*.yml`` and the README's example ``.tfsg.yml``) with
subtrees replaced, deleted or retyped, tokens of .tf files mutated and random expressions and
Terraform function calls inserted, and configurations made of random values for known keys
(``tfsg/policy/schema.json``). Sizes stay modest: over-limit inputs (huge counts, huge files,
alias bombs, deep nesting) are covered by the limits and their own tests.

The CLI runs in-process (about 30 ms a run; a subprocess costs ~10x). What would leak between
runs is reset by ``run_cli``: ``sys.argv``, the working directory, ``GITHUB_WORKSPACE`` and
the garbage collector (``main`` disables it for its short-lived process). stdout and stderr are
UTF-8 text streams with the error handlers a real process has (strict, backslashreplace), so a
lone surrogate that would crash a real ``print`` crashes here too.

CI runs a bounded number of examples (the whole file in well under a minute on 2 cores);
``TFSG_FUZZ_EXAMPLES=5000`` runs a longer, randomised campaign (see README, "Fuzzing").
Failures found that way are minimised into ``tests/test_fuzz_regressions.py``.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import json
import os
import re
import shutil
import signal
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT

# ----------------------------------------------------------------------------- settings

LONG = int(os.environ.get("TFSG_FUZZ_EXAMPLES", "0"))
TIMEOUT = int(os.environ.get("TFSG_FUZZ_TIMEOUT", "60"))  # one input running longer is a finding


def fuzz_settings(ci_examples: int):
    """CI: few examples, the same ones every run. A campaign: many, different each run."""
    return settings(max_examples=LONG or ci_examples, deadline=None, derandomize=not LONG, database=None,
                    print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                            HealthCheck.filter_too_much])


# ----------------------------------------------------------------------------- running the CLI


class Slow(BaseException):
    """An input that runs past TIMEOUT (BaseException: main's catch-all must not eat it)."""


def _alarm(signum, frame):
    raise Slow(f"one run took more than {TIMEOUT} s")


def run_cli(args: list[str], cwd: str | None = None) -> tuple[int, str, str]:
    """``tfsg ARGS`` in this process: (exit code, stdout, stderr)."""
    from tfsg import cli

    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    # what a real process has: strict UTF-8 on stdout, backslashreplace on stderr
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", write_through=True)
    saved_argv, saved_cwd, saved_ws = sys.argv, os.getcwd(), os.environ.get("GITHUB_WORKSPACE")
    saved_state = dict(cli._state)
    sys.argv = ["tfsg", *args]
    # SARIF and annotations ask git for the repository root unless GITHUB_WORKSPACE names one
    os.environ["GITHUB_WORKSPACE"] = cwd or tempfile.gettempdir()
    use_alarm = hasattr(signal, "SIGALRM")
    old_handler = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    code = None
    try:
        if cwd:
            os.chdir(cwd)
        if use_alarm:
            signal.alarm(TIMEOUT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main()
                code = 0
            except SystemExit as exc:
                # sys.exit("text") prints the text and exits 1: not the contract, so not an int here
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else f"exit({exc.code!r})"
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old_handler)
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        if saved_ws is None:
            os.environ.pop("GITHUB_WORKSPACE", None)
        else:
            os.environ["GITHUB_WORKSPACE"] = saved_ws
        cli._state.clear()
        cli._state.update(saved_state)
        gc.enable()  # main() turns the collector off for its process; this one lives on
    return code, out_bytes.getvalue().decode("utf-8", "replace"), err_bytes.getvalue().decode("utf-8", "replace")




def assert_contract(code: int, stderr: str, args: list[str]) -> None:
    """Exit 0, 1 or 2; no traceback, no internal error; exit 2 is one line naming the problem."""
    shown = f"tfsg {' '.join(args)}\nexit {code}\nstderr: {stderr[-2000:]}"
    assert code in (0, 1, 2), shown
    assert "Traceback" not in stderr, shown
    assert "internal error" not in stderr, shown
    if code == 2:
        assert stderr.startswith("tfsg: error: ") and stderr.endswith("\n") and stderr.count("\n") == 1, shown
        assert NAMED.match(stderr), "the error does not say where: " + shown


# `tfsg: error: WHERE: problem`: WHERE is a file (`plan.json`, `root/main.tf:3:7`), an option
# (`--var x`) or a built-in pack
NAMED = re.compile(r"tfsg: error: (--[\w-]+( [^:]+)?|pack [\w-]+|[^:]*[./][^:]*)(:\d+)*: ")


# ----------------------------------------------------------------------------- shared value pools

SURROGATES = ["\ud800", "\udfff", "\ud83d", "\udc00x"]
ODD_TEXT = ["", " ", "\x00", "\n", "\t", "\u202e", "\ufeff", "\u0661\u0662", "２２", "é", "🔥", "\U0010ffff",
            "a" * 300, "${x}", "%{x}", "`", "|", "*", "?", "[", "\\", '"', "'", "<!--", "</details>", "@@"]
NUMBERISH = ["NaN", "nan", "Infinity", "-Infinity", "1e400", "-0", "0x16", "0o26", "2_2", "+22", " 22", "22 ",
             "٢٢", "22.0", "22.5", "1e3", "-1", "65535", "65536", "99999999999999999999999", "0", "1-2", "22-",
             "-22", "80-79", "1-65536"]
PLAUSIBLE = ["0.0.0.0/0", "::/0", "10.0.0.0/8", "10.0.0.0/33", "300.1.1.1/8", "10.0.0.1", "10.0.0.0/16",
             "fe80::/129", "2001:db8::/32", "::ffff:0.0.0.0/96", "0.0.0.0/1", "10.0.0.0/-1", "sg-0123456789abcdef0",
             "sg-", "pl-12345678", "tcp", "udp", "icmp", "icmpv6", "-1", "all", "6", "17", "58", "1", "TCP",
             "ingress", "egress", "create", "delete", "update", "no-op", "read", "aws_security_group.x",
             "module.m.aws_security_group.x[0]", 'aws_instance.a["k"]', "vpc-123", "subnet-1", "true", "null",
             "aws_security_group", "aws_default_security_group", "aws_security_group_rule",
             "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_instance", "aws_lb",
             "aws_db_instance", "aws_network_interface", "aws_launch_template", "aws_eks_cluster", "managed", "data"]
HUGE_INTS = [0, -1, 1, 22, 65535, 65536, -65536, 2**31, 2**63, 2**64 + 1, 10**30, -(10**30)]


def rarely(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws. Not ``integers(0, n - 1) == 0``: hypothesis favours the
    bounds of a range (0 comes up ~30% of the time), so the odd case is taken from its middle."""
    return st.integers(0, 999).map(lambda i: 400 <= i < 400 + 1000 // n)


def pick(items) -> st.SearchStrategy:
    """One of ``items``, about evenly: ``sampled_from`` favours the first ones (hypothesis tries
    small indices often), which would be the top-level keys (``format_version``) again and again."""
    return st.integers(0, 2**20).map(lambda i: items[(i * 7919) % len(items)])


def odd_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ODD_TEXT + NUMBERISH + PLAUSIBLE + SURROGATES),
                     st.text(max_size=12),
                     st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2))


def json_scalars() -> st.SearchStrategy:
    return st.one_of(st.none(), st.booleans(), st.sampled_from(HUGE_INTS), st.integers(),
                     st.floats(allow_nan=True, allow_infinity=True), odd_text())


def json_values(max_leaves: int = 12) -> st.SearchStrategy:
    return st.recursive(json_scalars(), lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(odd_text(), kids, max_size=4)), max_leaves=max_leaves)


@st.composite
def deep(draw) -> object:
    """A value nested a few dozen levels (the deep ones are the limits' business)."""
    value = draw(json_scalars())
    for _ in range(draw(st.integers(1, 40))):
        value = [value] if draw(st.booleans()) else {"a": value}
    return value


# ----------------------------------------------------------------------------- plan JSON


@lru_cache(maxsize=None)
def _plans() -> tuple[tuple[str, str], ...]:
    return tuple((p.parent.name, p.read_text()) for p in sorted(FIXTURES.glob("*/plan.json")))


@lru_cache(maxsize=None)
def _plan_paths(name: str) -> tuple[tuple, ...]:
    """Every node's path in a fixture plan, in document order."""
    doc = json.loads(dict(_plans())[name])
    found: list[tuple] = []

    def walk(node, path):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            found.append(path + (key,))
            walk(value, path + (key,))
    walk(doc, ())
    return tuple(found)


@lru_cache(maxsize=None)
def _plan_strings(name: str) -> tuple[str, ...]:
    doc = json.loads(dict(_plans())[name])
    found: set[str] = set()

    def walk(node):
        if isinstance(node, str):
            found.add(node)
        for value in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
            walk(value)
    walk(doc)
    return tuple(sorted(found))


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _convert(kind, value):
    """``kind(value)``, or None where Python refuses (int of NaN or "²", float of 10**400)."""
    try:
        return kind(value)
    except (ValueError, OverflowError):
        return None


def _retype(value, draw):
    """The same content under another JSON type (what another Terraform or provider might write)."""
    if isinstance(value, bool):
        return draw(st.sampled_from([str(value).lower(), int(value), None, [value]]))
    if isinstance(value, (int, float)):
        return draw(st.sampled_from([str(value), [value], _convert(float if isinstance(value, int) else int, value),
                                     -value, value + 1, True]))
    if isinstance(value, str):
        return draw(st.sampled_from([[value], {"value": value}, value.upper(), value + value, value[:-1],
                                     " " + value, _convert(int, value)]))
    if isinstance(value, list):
        return draw(st.sampled_from([{str(i): v for i, v in enumerate(value)}, value[:1], value * 2,
                                     value[::-1], list(value) + [None], value[0] if value else "x"]))
    if isinstance(value, dict):
        return draw(st.sampled_from([list(value.values()), list(value), {}, {k: None for k in value},
                                     json.dumps(value)]))
    return draw(st.sampled_from(["", 0, [], {}]))


def _plausible(value, draw, strings: tuple[str, ...] = ()):
    """A value of the same type, from values a plan holds (more likely to pass validation);
    ``strings``: the document's own strings (another address, id or CIDR in the wrong place)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return draw(st.sampled_from(HUGE_INTS))
    if isinstance(value, str):
        if strings and draw(st.booleans()):
            return draw(pick(strings))
        return draw(st.sampled_from(PLAUSIBLE + NUMBERISH + SURROGATES))
    if isinstance(value, list):
        return draw(st.lists(st.sampled_from(value) if value else json_scalars(), max_size=5))
    if isinstance(value, dict):
        new = dict(value)
        if new and draw(st.booleans()):
            new.pop(draw(pick(list(new))))
        else:
            new[draw(odd_text())] = draw(json_scalars())
        return new
    return draw(json_scalars())


@st.composite
def mutated_plans(draw) -> tuple[str, str, str]:
    """(fixture name, plan text, how the sources are given): a real plan, mutated."""
    name, text = draw(st.sampled_from(_plans()))
    doc = json.loads(text)
    paths = _plan_paths(name)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(pick(paths))
        try:
            parent, old = _get(doc, path[:-1]), _get(doc, path)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped this part
        if not isinstance(parent, (dict, list)):
            continue  # ... into a string (indexing one gives a character)
        op = draw(st.sampled_from(["plausible", "replace", "delete", "retype", "copy", "deep", "taint"]))
        if op == "delete":
            del parent[path[-1]]
            continue
        if op == "copy" and isinstance(parent, list) and draw(st.booleans()):  # an element twice
            parent.insert(path[-1], copy.deepcopy(old))
            continue
        if op == "taint" and isinstance(old, str):  # the same text with odd characters around it
            new = draw(st.sampled_from([old + "\n", " " + old, old + "\ud800", "\u202e" + old, old + "\x00",
                                        old.upper(), old + "/32", old + "," + old, old + "`<b>|"]))
        elif op in ("plausible", "taint"):
            new = _plausible(old, draw, _plan_strings(name))
        elif op == "retype":
            new = _retype(old, draw)
        elif op == "copy":  # another node's value here: plausible shapes in the wrong place
            other = draw(pick(paths))
            try:
                new = copy.deepcopy(_get(doc, other))
            except (KeyError, IndexError, TypeError):
                new = None
        elif op == "deep":
            new = draw(deep())
        else:
            new = draw(json_values())
        parent[path[-1]] = new
    out = json.dumps(doc, indent=draw(st.sampled_from([None, 1])))  # NaN/Infinity written as such
    if draw(rarely(20)):  # now and then a text-level cut or splice
        at = draw(st.integers(0, len(out)))
        out = out[:at] + draw(st.sampled_from(["", "}", "]", ",", '"', "\\u", "\\ud800", "\x00", "1e400"])) + \
            out[at + draw(st.integers(0, 3)):]
    sources = draw(st.sampled_from(["none", "beside", "flag"]))
    return name, out, sources


PLAN_COMMANDS = st.sampled_from([
    ["check", "--format", "github", "--json", "{d}/r.json", "--markdown", "{d}/r.md", "--sarif", "{d}/r.sarif"],
    ["check", "--verbose"],
    ["show", "--format", "markdown", "--json", "{d}/r.json"],
    ["diff", "--expand", "--format", "json"],
    ["graph", "--format", "dot"],
    ["graph"],
])


def _config(directory: str) -> str:
    """The README's example configuration (both packs, tiers, a team policy, a waiver) for the
    plan and .tf targets; the files it extends that are not packs are left out."""
    path = os.path.join(directory, "fuzz.tfsg.yml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(_fixed_config())
    return path


@lru_cache(maxsize=None)
def _fixed_config() -> str:
    from tfsg.policy.load import PACKS, read_yaml

    data, _ = read_yaml(_readme_config(), "README.md")
    data["extends"] = [e for e in data.get("extends", []) if e in PACKS]
    return yaml.safe_dump(data, sort_keys=False)


@lru_cache(maxsize=None)
def _readme_config() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"### Configuration: `\.tfsg\.yml`.*?```yaml\n(.*?)```", text, re.S).group(1)


@given(case=mutated_plans(), command=PLAN_COMMANDS)
@fuzz_settings(ci_examples=200)
def test_fuzz_plan_json(case, command):
    name, text, sources = case
    with tempfile.TemporaryDirectory(prefix="tfsg-fuzz-") as d:
        with open(os.path.join(d, "plan.json"), "w", encoding="utf-8") as fh:
            fh.write(text)
        if sources == "beside":  # the fixture's .tf files next to the plan: read automatically
            for tf in (FIXTURES / name).glob("*.tf"):
                shutil.copy(tf, d)
        args = [a.format(d=d) for a in command] + [os.path.join(d, "plan.json")]
        if sources == "flag" and list((FIXTURES / name).glob("*.tf")):
            args += ["--source", str(FIXTURES / name)]
        elif sources == "none":
            args += ["--no-sources"]
        if args[0] == "check":
            args += ["--config", _config(d)]
        code, _, err = run_cli(args, cwd=d)
        assert_contract(code, err, args)


# ----------------------------------------------------------------------------- .tf files

# Terraform's built-in functions (https://developer.hashicorp.com/terraform/language/functions),
# those tfsg evaluates and those it does not.
TF_FUNCTIONS = """abs ceil floor log max min parseint pow signum chomp endswith format formatlist indent join lower
regex regexall replace split startswith strcontains strrev substr templatestring title trim trimprefix trimsuffix
trimspace upper alltrue anytrue chunklist coalesce coalescelist compact concat contains distinct element flatten
index keys length lookup matchkeys merge one range reverse setintersection setproduct setsubtract setunion slice
sort sum transpose values zipmap base64decode base64encode base64gzip csvdecode jsondecode jsonencode
textdecodebase64 textencodebase64 urlencode yamldecode yamlencode abspath dirname pathexpand basename file
fileexists fileset filebase64 templatefile formatdate plantimestamp timeadd timecmp timestamp base64sha256
base64sha512 bcrypt filebase64sha256 filebase64sha512 filemd5 filesha1 filesha256 filesha512 md5 rsadecrypt sha1
sha256 sha512 uuid uuidv5 cidrhost cidrnetmask cidrsubnet cidrsubnets can ephemeralasnull issensitive nonsensitive
sensitive tobool tolist tomap tonumber toset tostring try type list map core::length provider::aws::arn_parse
""".split()

HCL_STRINGS = ['"0.0.0.0/0"', '"::/0"', '"10.0.0.0/8"', '"10.0.0.0/33"', '"sg-0123456789abcdef0"', '"tcp"', '"-1"',
               '"all"', '"icmp"', '""', '"\\u0000"', '"\\ud800"', '"\\U0010FFFF"', '"\\U00110000"', '"$${x}"',
               '"%{ if true }x%{ endif }"', '"${1+}"', '"${var.x}"', '"\\q"', '"22"', '"22-80"', '"١٢"',
               '"\u202e"', '"🔥"', '"%{ for x in [1,2] }${x}%{ endfor }"', "<<EOT\nx\nEOT\n", "<<-EOT\n  ${1}\n  EOT\n"]
HCL_NUMBERS = ["0", "-1", "1", "22", "65535", "65536", "1.5", "1e3", "1e309", "-0", "0.1", "99999999999999999999",
               "2147483648", "9223372036854775808"]
HCL_REFS = ["var.x", "var.vpc_cidr", "local.x", "aws_security_group.x.id", "aws_security_group.app.id",
            "aws_vpc.main.cidr_block", "each.key", "each.value", "count.index", "self.id", "module.m.x",
            "data.aws_vpc.x.cidr_block", "path.module", "path.root", "terraform.workspace", "null", "true", "false",
            "aws_security_group.app[*].id", "aws_subnet.public_a", "var", "local", "module", "each"]


def hcl_expressions(max_leaves: int = 8) -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(HCL_STRINGS), st.sampled_from(HCL_NUMBERS), st.sampled_from(HCL_REFS),
                       st.integers(-70000, 70000).map(str))

    def extend(kids):
        return st.one_of(
            st.lists(kids, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.lists(st.tuples(st.sampled_from(["a", "b", '"k"', "from_port", "cidr_blocks", "(var.k)"]), kids),
                     max_size=3).map(lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"),
            st.tuples(st.sampled_from(TF_FUNCTIONS), st.lists(kids, max_size=3), st.booleans()).map(
                lambda t: f"{t[0]}({', '.join(t[1])}{'...' if t[2] and t[1] else ''})"),
            st.tuples(kids, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"]), kids).map(
                lambda t: f"{t[0]} {t[1]} {t[2]}"),
            st.tuples(st.sampled_from(["!", "-"]), kids).map(lambda t: t[0] + t[1]),
            st.tuples(kids, kids, kids).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
            st.tuples(kids, kids).map(lambda t: f"{t[0]}[{t[1]}]"),
            st.tuples(kids, st.sampled_from(["id", "cidr_block", "*", "0", "value"])).map(lambda t: f"({t[0]}).{t[1]}"),
            st.tuples(kids, kids).map(lambda t: f"[for x in {t[0]} : {t[1]}]"),
            st.tuples(kids, kids).map(lambda t: f"{{for k, v in {t[0]} : k => {t[1]}}}"),
            st.tuples(kids, kids).map(lambda t: f"[for x in {t[0]} : x if {t[1]}]"),
            kids.map(lambda e: f'"${{{e}}}"'),
            kids.map(lambda e: f"({e})"),
        )
    return st.recursive(leaves, extend, max_leaves=max_leaves)


TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|<<-?\w+\n.*?\n\s*\w+\n|#[^\n]*|//[^\n]*|/\*.*?\*/|\$\{|%\{|'
                   r'[A-Za-z_][\w-]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|==|!=|<=|>=|&&|\|\||=>|\.\.\.|[ \t]+|\n|.', re.S)
ATTRIBUTES = ["from_port", "to_port", "protocol", "cidr_blocks", "ipv6_cidr_blocks", "security_groups", "self",
              "source_security_group_id", "referenced_security_group_id", "cidr_ipv4", "cidr_ipv6", "ip_protocol",
              "prefix_list_ids", "vpc_security_group_ids", "security_group_id", "count", "for_each", "type",
              "description", "name", "tags", "default", "source", "depends_on", "vpc_id", "subnet_id", "internal",
              "associate_public_ip_address", "content", "iterator", "dynamic", "sensitive", "nullable"]


def _is_root(directory: Path) -> bool:
    return any(directory.glob("*.tf")) and "modules" not in directory.parts[len(FIXTURES.parts):] \
        and directory.name != "_shared"


@lru_cache(maxsize=None)
def _roots() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Every fixture root module: (name, ((relative path, text) of every file it reads))."""
    roots = []
    for d in sorted({p.parent for p in FIXTURES.rglob("*.tf")}):
        if not _is_root(d):
            continue
        files = []
        for f in sorted(d.rglob("*")):
            rel = f.relative_to(d)
            if f.is_file() and f.suffix in (".tf", ".tfvars", ".json", ".tpl", ".yaml", ".yml") \
                    and f.name != "plan.json" and not (rel.parts[0] == "before" and d.name != "before"):
                files.append((str(rel), f.read_text(encoding="utf-8")))
        roots.append((str(d.relative_to(FIXTURES)), tuple(files)))
    return tuple(roots)


def _kind(token: str) -> str:
    """A token's class, so that a replacement from the pool keeps the file parseable more often."""
    if token.startswith(('"', "<<")):
        return "string"
    if token[:1].isdigit():
        return "number"
    if token[:1].isalpha() or token[:1] == "_":
        return "name"
    return token


@lru_cache(maxsize=None)
def _token_pool() -> dict[str, tuple[str, ...]]:
    pool: dict[str, set[str]] = {}
    for _, files in _roots():
        for rel, text in files:
            if rel.endswith(".tf"):
                for t in TOKEN.findall(text):
                    if t.strip() and not t.startswith(("#", "//", "/*")):
                        pool.setdefault(_kind(t), set()).add(t)
    return {k: tuple(sorted(v)) for k, v in pool.items()}


# Mostly changes that keep the file parseable (a value, an attribute, a token of the same class),
# now and then one that breaks the syntax: the evaluator is where the bugs hide, the parser
# refuses quickly.
TF_OPS = ["value"] * 8 + ["attribute"] * 3 + ["expr"] * 3 + ["pool"] * 3 + ["delete", "duplicate", "swap"]
OPENING, CLOSING = "([{", ")]}"


def _value_slots(tokens: list[str]) -> tuple[list[int], list[tuple[int, int]]]:
    """Where an expression fits: single tokens that are whole operands (not ``x`` of ``a.x`` or
    a function name), and attributes ``name = ...`` whose value ends on their line (the tokens
    between ``=`` and the newline have balanced brackets)."""
    solid = [i for i, t in enumerate(tokens) if t.strip()]
    values = []
    for n, i in enumerate(solid):
        before = tokens[solid[n - 1]] if n else ""
        after = tokens[solid[n + 1]] if n + 1 < len(solid) else ""
        if _kind(tokens[i]) in ("string", "number", "name") and before in ("=", "[", "(", ",", "?", ":") \
                and after not in (".", "(", "[", "{", "=") and not tokens[i].startswith("<<"):
            values.append(i)
    eqs = []
    for j, t in enumerate(tokens):
        if t != "=":
            continue
        end = next((k for k in range(j + 1, len(tokens)) if tokens[k] == "\n"), len(tokens))
        depth = 0
        for k in range(j + 1, end):
            depth += (tokens[k] in OPENING or tokens[k] in ("${", "%{")) - (tokens[k] in CLOSING)
            if depth < 0:
                break
        if depth == 0:
            eqs.append((j, end))
    return values, eqs


@st.composite
def mutated_tf(draw) -> tuple[str, dict[str, str]]:
    """(fixture root, {path: text}): a real root module with one or two .tf files mutated."""
    name, files = draw(st.sampled_from(_roots()))
    files = dict(files)
    tf_files = sorted(p for p in files if p.endswith((".tf", ".auto.tfvars", "terraform.tfvars"))
                      and not p.endswith("providers.tf"))
    for _ in range(draw(st.integers(1, 2))):
        target = draw(st.sampled_from(tf_files))
        tokens = TOKEN.findall(files[target])
        for _ in range(draw(st.integers(1, 3))):
            values, eqs = _value_slots(tokens)
            meaningful = [i for i, t in enumerate(tokens) if t.strip()]
            op = draw(st.sampled_from(TF_OPS))
            if not meaningful:
                tokens.append(f"locals {{\n  x = {draw(hcl_expressions())}\n}}\n")
            elif op == "expr" and values:
                tokens[draw(st.sampled_from(values))] = draw(hcl_expressions())
            elif op == "value" and eqs:  # the right-hand side of an attribute
                j, end = draw(st.sampled_from(eqs))
                tokens[j + 1:end] = [" ", draw(hcl_expressions())]
            elif op == "attribute":  # a new attribute (or one set twice) in a block
                opens = [j for j, t in enumerate(tokens) if t == "{"] or [0]
                j = draw(st.sampled_from(opens))
                tokens.insert(j + 1, f"\n  {draw(st.sampled_from(ATTRIBUTES))} = {draw(hcl_expressions())}\n")
            elif op == "pool":
                i = draw(st.sampled_from(meaningful))
                tokens[i] = draw(st.sampled_from(_token_pool().get(_kind(tokens[i]), (tokens[i],))))
            elif op == "delete":
                del tokens[draw(st.sampled_from(meaningful))]
            elif op == "duplicate":
                i = draw(st.sampled_from(meaningful))
                tokens.insert(i, tokens[i])
            else:
                i, j = draw(st.sampled_from(meaningful)), draw(st.sampled_from(meaningful))
                tokens[i], tokens[j] = tokens[j], tokens[i]
        files[target] = "".join(tokens)
    return name, files


def _declared(files: dict[str, str]) -> list[str]:
    return sorted({m for rel, text in files.items() if "/" not in rel
                   for m in re.findall(r'variable\s+"([^"]+)"', text)})


@given(case=mutated_tf(), command=st.sampled_from([["check"], ["show", "--format", "json"],
                                                    ["check", "--format", "sarif", "--markdown", "{d}/r.md"],
                                                    ["graph"], ["check", "{plan}", "--source"]]), data=st.data())
@fuzz_settings(ci_examples=180)
def test_fuzz_tf_files(case, command, data):
    name, files = case
    # --var for declared root variables (now and then one that is not declared)
    declared = _declared(files)
    variables = data.draw(st.lists(st.tuples(st.sampled_from(declared), hcl_expressions(4)), max_size=2)) \
        if declared else []
    if data.draw(rarely(20)):
        variables.append(("nope", "1"))
    with tempfile.TemporaryDirectory(prefix="tfsg-fuzz-") as d:
        root = os.path.join(d, "root")
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8", errors="surrogatepass") as fh:
                fh.write(text)
        plan = FIXTURES / name / "plan.json"
        if "{plan}" in command and not plan.exists():
            command = ["check"]
        # "{plan}": the fixture's real plan read with the mutated files as its sources
        # (tfsource.py, refs.py and hcl/fill.py take from both); --var is for directories only
        args = [a.format(d=d, plan=plan) for a in command] + [root]
        for var, value in variables if "{plan}" not in command else ():
            args += ["--var", f"{var}={value}"]
        if args[0] == "check":
            args += ["--config", _config(d)]
        code, _, err = run_cli(args, cwd=d)
        assert_contract(code, err, args)


# ----------------------------------------------------------------------------- .tfsg.yml

SEVERITY = st.sampled_from(["info", "low", "medium", "high", "critical"])
KINDS = ["forbidden-flow", "allowed-flows-only", "forbidden-path", "exposure-budget", "hygiene", "tier-exposure",
         "newly-reachable"]
CHECKS = ["rule-descriptions", "group-description", "naming", "required-tags", "default-group-restricts-all",
          "unattached-group", "mixed-inline-standalone", "rule-quota", "groups-per-interface", "port-range-width",
          "egress-to-everything", "vpc-cidr-instead-of-group"]
GLOBS = ["*", "aws_security_group.*", "*db*", "[", "[!a]", "**", "?", "aws_db_instance", "aws_*", "", "\\",
         "module.*.aws_security_group.app", "*[0]"]
SERVICES = [22, 0, 65535, "8000-8080", "80-79", "0-65535", "tcp/22", "udp/53", "icmp/8/0", "icmp", "icmpv6",
            "icmpv6/128", "all", "tcp", "udp/99999", "icmp/300/300", "99999", "tcp/1-65535", "icmp/-1"]
PATTERNS = ["^[a-z-]+$", "(a+)+$", "[", "(?P<x>a)", "\\", "^$", "(?=a)", "\\p{L}+", ".*", "a{1000}", "\\1", "(?i)x"]


def _globs():
    return st.one_of(st.sampled_from(GLOBS), st.lists(st.sampled_from(GLOBS), max_size=3), odd_text())


def selectors(depth: int = 2) -> st.SearchStrategy[dict]:
    keys = {"address": _globs(), "name": _globs(), "type": _globs(), "attached_to": _globs(),
            "tag": st.dictionaries(st.sampled_from(["Tier", "Name", "", "*"]),
                                   st.one_of(st.sampled_from(["data", "app", "*", ""]),
                                             st.lists(st.sampled_from(["data", "*"]), max_size=2)), max_size=2),
            "tier": st.sampled_from(["data", "app", "nope", ""]), "default": st.booleans()}
    if depth:
        keys["any_of"] = st.lists(st.deferred(lambda: selectors(depth - 1)), max_size=2)
    return st.fixed_dictionaries({}, optional=keys)


def sources() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional={
        "internet": st.sampled_from([True, "ipv4", "ipv6"]), "any_address": st.just(True),
        "cidr_wider_than": st.sampled_from([0, 1, 8, 16, 32, 33, 64, 96, 128]),
        "cidrs": st.lists(st.sampled_from(PLAUSIBLE[:9] + ["", "x", "10.0.0.0", "::"]), max_size=3),
        "groups": selectors(1), "except_internet": st.just(True)})


def maybe_wrong(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the valid shape; sometimes any YAML value (the validator must name it)."""
    return st.one_of(*[strategy] * 9, json_values(6))


@st.composite
def policies(draw) -> dict:
    kind = draw(st.sampled_from(KINDS))
    policy = {"id": draw(st.sampled_from(["TEAM-1", "TFSG001", "TFSG007", "x.y_z", "a"])),
              "title": draw(st.sampled_from(["t", "", "x" * 200, "ünï `code` |pipe|", "<b>", "\ud800"])),
              "severity": draw(SEVERITY), "kind": kind}
    optional = {"unknown": st.sampled_from(["violation", "warning", "ignore"]), "rationale": odd_text(),
                "remediation": odd_text(), "to": selectors(), "services": st.lists(st.sampled_from(SERVICES),
                                                                                  min_size=1, max_size=3)}
    if kind == "forbidden-flow":
        policy["from"] = draw(maybe_wrong(sources()))
        optional["match"] = st.sampled_from(["any", "all"])
    elif kind == "allowed-flows-only":
        policy["to"] = draw(selectors())
        policy["allow"] = draw(st.lists(st.fixed_dictionaries(
            {"from": sources()}, optional={"services": st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3)}),
            max_size=3))
    elif kind == "forbidden-path":
        policy["to"] = draw(selectors())
        optional["max_hops"] = st.integers(1, 16)
        optional["from"] = sources()
    elif kind == "exposure-budget":
        policy["max_addresses"] = draw(st.sampled_from([0, 1, 256, 2**32, 2**128, 2**200]))
    elif kind == "hygiene":
        policy["check"] = draw(st.sampled_from(CHECKS))
        optional.update({"pattern": st.sampled_from(PATTERNS), "tags": st.lists(odd_text(), max_size=3),
                         "limit": st.sampled_from([1, 2, 5, 60, 2**40])})
    else:
        policy["to"] = draw(selectors())
    for key, strategy in optional.items():
        if draw(st.booleans()):
            policy[key] = draw(maybe_wrong(strategy) if draw(rarely(10)) else strategy)
    return policy


@st.composite
def generated_configs(draw) -> object:
    """A configuration of random values for the known keys (schema.json)."""
    waiver = st.fixed_dictionaries(
        {"policy": st.sampled_from(["TFSG001", "TFSG*", "*", "TEAM-1", "["]), "address": st.sampled_from(GLOBS),
         "reason": st.sampled_from(["r", "INC-42", "\u202e"])},
        optional={"expires": st.sampled_from(["2026-12-31", "2020-01-01", "9999-12-31", "2026-02-30",
                                              "0000-01-01", "2026-13-01"])})
    config = draw(st.fixed_dictionaries({}, optional={
        "version": st.just(1), "name": odd_text(), "description": odd_text(),
        "extends": st.lists(st.one_of(st.sampled_from(["baseline", "cis-aws", "extra.yml", "fuzz.tfsg.yml"]),
                                      st.sampled_from(["missing.yml", "../outside.yml", "", "/etc/hostname", ".",
                                                       "a\x00b.yml", "\ud800.yml"])),
                            max_size=3),
        "policy_files": st.lists(st.sampled_from(["extra.yml", "missing.yml", "fuzz.tfsg.yml"]), max_size=2),
        "disable": st.lists(st.sampled_from(["TFSG001", "TFSG007", "TFSG020", "TEAM-1", "*"]), max_size=3),
        "severity": st.dictionaries(st.sampled_from(["TFSG001", "TFSG007", "TEAM-1", "nope"]), SEVERITY, max_size=3),
        "fail_on": SEVERITY,
        "tiers": st.dictionaries(st.sampled_from(["data", "app", "edge", "loop"]), selectors(), max_size=3),
        "policies": st.lists(policies(), max_size=3),
        "waivers": st.lists(waiver, max_size=2)}))
    for key in sorted(config):  # now and then a key of the wrong shape
        if draw(rarely(25)):
            config[key] = draw(json_values(6))
    return config


@lru_cache(maxsize=None)
def _real_configs() -> tuple[str, ...]:
    return tuple([p.read_text(encoding="utf-8") for p in sorted((ROOT / "policies").glob("*.yml"))] +
                 [_fixed_config()])


@st.composite
def mutated_real_configs(draw) -> object:
    """A built-in pack or the README's example, with subtrees replaced, deleted or retyped."""
    from tfsg.policy.load import read_yaml

    data, _ = read_yaml(draw(st.sampled_from(_real_configs())), "real")  # dates stay text, as tfsg reads them
    for _ in range(draw(st.integers(1, 4))):
        node, key = data, None
        for depth in range(8):  # walk down a random path; mutate where it stops
            items = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) \
                if isinstance(node, list) else []
            if not items:
                break
            key, _ = draw(pick(items))
            if depth == 7 or draw(rarely(4)) or not isinstance(node[key], (dict, list)):  # mostly deeper
                break
            node = node[key]
            key = None
        if key is None or not isinstance(node, (dict, list)):
            continue
        op = draw(st.sampled_from(["replace", "delete", "retype", "plausible"]))
        if op == "delete":
            del node[key]
        elif op == "retype":
            node[key] = _retype(node[key], draw)
        elif op == "plausible":
            node[key] = _plausible(node[key], draw)
        else:
            node[key] = draw(json_values(6))
    return data


YAML_SPLICES = ["&a ", "*a", "<<: *a\n", "!!binary AAAA ", "!!python/object:os.system ", "? ", "---\n", "...\n",
                "\t", "- ", ": ", "{", "[", "'", '"', "%YAML 1.1\n", "!!str ", "!!int ", "!!float .nan ", ".inf",
                "~", "yes", "0o17", "0x1F", "2026-12-31", "\ud800", "\x85", "\ufeff", "#"]


def _dump(data, draw) -> str:
    style = draw(st.sampled_from(["block", "flow", "json"]))
    try:
        if style == "json":
            text = json.dumps(data, indent=1)
        else:
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=draw(st.booleans()),
                                  default_flow_style=style == "flow")
    except (ValueError, TypeError, yaml.YAMLError):
        text = repr(data)
    if draw(rarely(10)):  # YAML that a serializer does not write
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(YAML_SPLICES)) + text[at + draw(st.integers(0, 2)):]
    return text


@st.composite
def config_texts(draw) -> tuple[str, str]:
    """(text of the configuration, text of extra.yml, which it may name)."""
    data = draw(st.one_of(generated_configs(), mutated_real_configs()))
    extra = draw(st.one_of(st.just({"policies": []}), generated_configs()))
    return _dump(data, draw), _dump(extra, draw)


CONFIG_PLANS = ["three_tier", "hygiene", "ssh_open", "new_path_to_db", "tier_lb_in_front", "unknown_scope",
                "state_three_tier"]


@given(texts=config_texts(), plan=st.sampled_from(CONFIG_PLANS),
       how=st.sampled_from(["--config", "discovered", "policies"]),
       output=st.sampled_from([["--format", "text"], ["--format", "sarif"], ["--format", "github"],
                               ["--format", "markdown", "--json", "{d}/r.json"]]))
@fuzz_settings(ci_examples=200)
def test_fuzz_config(texts, plan, how, output):
    config, extra = texts
    with tempfile.TemporaryDirectory(prefix="tfsg-fuzz-") as d:
        name = "fuzz.tfsg.yml" if how != "discovered" else ".tfsg.yml"
        for file, text in ((name, config), ("extra.yml", extra)):
            with open(os.path.join(d, file), "w", encoding="utf-8", errors="surrogatepass") as fh:
                fh.write(text)
        path = FIXTURES / plan / "plan.json"
        if not path.exists():
            path = next(FIXTURES.glob(f"{plan}/*.json"))
        if how == "policies":
            args = ["policies", "--config", os.path.join(d, name)]
        else:
            args = ["check", str(path), *[a.format(d=d) for a in output]]
            if how == "--config":
                args += ["--config", os.path.join(d, name)]
        code, _, err = run_cli(args, cwd=d)
        assert_contract(code, err, args)


def test_run_cli_is_the_real_cli(tmp_path):
    """The in-process runner gives what a process gives: exit 2 and one line for a bad file."""
    bad = tmp_path / "plan.json"
    bad.write_text("{")
    code, out, err = run_cli(["check", str(bad)], cwd=str(tmp_path))
    assert code == 2 and err.startswith("tfsg: error: ") and err.count("\n") == 1 and str(bad) in err
    code, out, err = run_cli(["show", str(FIXTURES / "three_tier" / "plan.json")], cwd=str(tmp_path))
    assert code == 0 and out and not err


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
