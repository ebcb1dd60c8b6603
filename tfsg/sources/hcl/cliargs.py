"""``-var`` and ``-var-file`` that Terraform takes from ``TF_CLI_ARGS`` and ``TF_CLI_ARGS_plan``.

Terraform CLI docs, "Environment Variables" (TF_CLI_ARGS and TF_CLI_ARGS_name): the value is
parsed as shell words and its flags are inserted directly after the subcommand, before the
flags given on the command line. ``main.go`` merges ``TF_CLI_ARGS`` first and then
``TF_CLI_ARGS_plan`` at the same place, so ``terraform plan`` runs as
``plan <TF_CLI_ARGS_plan> <TF_CLI_ARGS> <command-line flags>``; -var and -var-file apply in
that order, the later winning, after TF_VAR_ variables and the auto-loaded .tfvars files (CLI
docs, "Variable Definition Precedence"). tfsg's own --var/--var-file stand for the command line.

Flags are Go ``flag`` flags (``-var-file=x``, ``-var-file x``, ``--var=...``); parsing stops at
``--`` or the first word that is not a flag, as Go's does. Other flags are skipped (with their
value when the flag takes one); a flag tfsg does not know written ``-flag word`` is refused, as
tfsg cannot tell whether ``word`` is its value or ends the flags. A -var-file is relative to
where Terraform runs (the root module's directory), and read only inside the repository, as
the files ``file()`` reads; one that tfsg cannot read is an error, as a missing --var-file is.
"""

from __future__ import annotations

import os
import shlex
from typing import Optional

from ...errors import UsageError

# terraform plan's flags that take a value (`terraform plan -help`, Terraform 1.11): written as
# "-out FILE" their next word is that value, not a flag
_WITH_VALUE = frozenset({"out", "target", "replace", "exclude", "lock-timeout", "parallelism", "state", "state-out",
                         "backup", "generate-config-out", "chdir"})
_BOOL = frozenset({"destroy", "refresh-only", "refresh", "lock", "input", "no-color", "detailed-exitcode",
                   "compact-warnings", "json", "concise", "light"})


def env_inputs(directory: str, repository: Optional[str]) -> list[tuple[str, str]]:
    """("file", path) and ("var", NAME=VALUE) from TF_CLI_ARGS_plan then TF_CLI_ARGS, in the
    order ``terraform plan`` applies them, before the command line's. ``repository``: the work
    tree a -var-file must be inside (None outside git: anywhere)."""
    out: list[tuple[str, str]] = []
    for name in ("TF_CLI_ARGS_plan", "TF_CLI_ARGS"):
        text = os.environ.get(name, "")
        if text:
            out += _flags(name, text, directory, repository)
    return out


def _flags(where: str, text: str, directory: str, repository: Optional[str]) -> list[tuple[str, str]]:
    try:
        words = shlex.split(text)
    except ValueError as exc:  # Terraform: "Error parsing extra CLI args from TF_CLI_ARGS..."
        raise UsageError(f"cannot parse its value as shell words ({exc})", where) from None
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--" or not word.startswith("-") or word == "-":
            break  # Go's flag package stops at the first non-flag word
        flag, sep, value = word.lstrip("-").partition("=")
        if word.startswith("---"):
            raise UsageError(f"bad flag syntax: {word}", where)
        if flag in ("var", "var-file"):
            if not sep:
                if i >= len(words):
                    raise UsageError(f"flag needs an argument: -{flag}", where)
                value = words[i]
                i += 1
            if flag == "var":
                out.append(("var", value))
            else:
                out.append(("file", _var_file(value, where, directory, repository)))
        elif flag in _WITH_VALUE and not sep:
            i += 1  # its value
        elif flag not in _WITH_VALUE and flag not in _BOOL and not sep and i < len(words) \
                and not words[i].startswith("-"):
            # a flag tfsg does not know, then a word: its value, or the end of the flags? A -var
            # after it would be missed if tfsg guessed wrong
            raise UsageError(f"-{flag} {words[i]}: tfsg cannot tell whether the word is the flag's value; "
                             f"write it -{flag}=VALUE", where)
    return out


def _var_file(value: str, where: str, directory: str, repository: Optional[str]) -> str:
    path = os.path.normpath(os.path.join(directory, value))  # relative to the root module's directory
    real = os.path.realpath(path)
    if repository is not None and not (real == repository or real.startswith(repository.rstrip(os.sep) + os.sep)):
        raise UsageError(f"-var-file {value}: outside the repository under review, not read", where)
    if not os.path.isfile(path):
        raise UsageError(f"-var-file {value}: no such file", where)
    return path
