"""HCL mode speed: a generated root module of N security groups, analysed from a fresh process.

    python3 bench/hcl.py [GROUPS ...]        (default: 200 1000)

Per group, the shape real stacks use: an ``aws_security_group`` with an ingress block from the
previous tier's group, a CIDR ingress built with ``cidrsubnet`` and an egress block; a
``aws_vpc_security_group_ingress_rule`` from a for_each over a variable map; and one instance per
two groups. Times ``tfsg show DIR`` (start-up included) and ``tfsg check DIR --base HEAD`` after a
commit and a one-group change (both sides parsed and evaluated: what the pre-commit hook does), cold (no parse
cache) and warm (the cache a previous run left; the usual case for a hook).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def module_text(groups: int, changed: int = -1) -> str:
    out = ['variable "vpc_id" {\n  default = "vpc-0123456789abcdef0"\n}\n',
           'variable "office" {\n  type    = map(string)\n  default = { hq = "198.51.100.0/24", '
           'vpn = "203.0.113.0/24" }\n}\n',
           'locals {\n  base_cidr = "10.0.0.0/8"\n}\n']
    for i in range(groups):
        prev = max(i - 1, 0)
        world = ' "0.0.0.0/0"' if i == changed else f' cidrsubnet(local.base_cidr, 8, {i % 256})'
        out.append(f'''
resource "aws_security_group" "g{i}" {{
  name        = "tier-{i}"
  description = "tier {i}"
  vpc_id      = var.vpc_id

  ingress {{
    description     = "from the previous tier"
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.g{prev}.id]
  }}

  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [{world.strip()}]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = {{ Name = "tier-{i}", tier = "app" }}
}}

resource "aws_vpc_security_group_ingress_rule" "office_{i}" {{
  for_each          = var.office
  security_group_id = aws_security_group.g{i}.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
  description       = "office ${{each.key}}"
}}
''')
        if i % 2 == 0:
            out.append(f'''
resource "aws_instance" "host_{i}" {{
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.g{i}.id, aws_security_group.g{prev}.id]
}}
''')
    return "".join(out)


def timed(cmd: list[str], cwd: str, cache: str, runs: int = 3) -> float:
    """Best of ``runs``; ``cache`` is TFSG_CACHE_DIR ("off": every run parses from scratch)."""
    best = float("inf")
    env = dict(os.environ, TFSG_CACHE_DIR=cache)
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        best = min(best, time.perf_counter() - start)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return best


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [200, 1000]
    exe = os.path.join(os.path.dirname(sys.executable), "tfsg")
    tfsg = [exe] if os.path.exists(exe) else [sys.executable, "-m", "tfsg"]
    print("| module | .tf size | `tfsg show DIR` cold | warm | `tfsg check DIR --base HEAD` cold | warm |")
    print("|---|---|---|---|---|---|")
    for groups in sizes:
        tmp = tempfile.mkdtemp(prefix="tfsg-bench-")
        try:
            path = os.path.join(tmp, "main.tf")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(module_text(groups))
            git = ["git", "-C", tmp, "-c", "user.email=bench@example.com", "-c", "user.name=bench"]
            subprocess.run(git + ["init", "-q"], check=True)
            subprocess.run(git + ["add", "."], check=True)
            subprocess.run(git + ["commit", "-qm", "base"], check=True)
            size = os.path.getsize(path)
            cache = os.path.join(tmp, ".cache")  # warm: the parse cache a previous run left
            show = tfsg + ["show", tmp, "--format", "json"]
            t_show, w_show = timed(show, tmp, "off"), timed(show, tmp, cache)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(module_text(groups, changed=groups // 2))
            check = tfsg + ["check", tmp, "--base", "HEAD", "--format", "json"]
            t_check, w_check = timed(check, tmp, "off"), timed(check, tmp, cache)
            print(f"| {groups:,} groups, {groups * 3:,} rules, {groups // 2:,} instances | {size / 1024:.0f} KiB "
                  f"| {t_show:.2f} s | {w_show:.2f} s | {t_check:.2f} s | {w_check:.2f} s |")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
