"""``terraform.workspace``: the workspace Terraform plans in, read as Terraform reads it.

Terraform (``internal/command/meta.go``, ``WorkspaceOverridden``; CLI docs "Environment
Variables": TF_WORKSPACE, TF_DATA_DIR):

1. ``TF_WORKSPACE``, when set and not empty; a name that is not valid is an error there
   ("Invalid workspace name"): here an unknown;
2. else the file ``environment`` in the data directory, ``$TF_DATA_DIR`` (relative to where
   Terraform runs: the root module's directory) or ``.terraform``, its text with white space
   trimmed (Go ``bytes.TrimSpace``); no such file, or an empty one: ``default``.

A valid name is one ``url.PathEscape`` leaves as it is (``internal/command/workspace_command.go``,
``validWorkspaceName``): ASCII letters and digits and ``-_.~$&+:=@``, so ``prod~eu`` and
``blue+green`` are workspaces. A file tfsg cannot read or whose text is not such a name is an
unknown, never a silent "default" (Terraform's own fallback on a read error is a guess tfsg
does not repeat).

A plan JSON does not record the workspace it was planned in, so the sources beside a plan
(``fill.py``) see ``terraform.workspace`` as unknown: the checker's environment (its
TF_WORKSPACE, its ``.terraform/environment``) need not be the planner's (a CI step that set
TF_WORKSPACE=prod).
"""

from __future__ import annotations

import os
from typing import Any

from .values import Unknown

_VALID = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~$&+:=@")
# Go's unicode.IsSpace (what bytes.TrimSpace trims): ASCII \t\n\v\f\r and space, U+0085, U+00A0
# and the Unicode space separators (Z categories)
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000"
_MAX_BYTES = 4096

PLAN_MODE = Unknown("terraform.workspace: a plan JSON does not record the workspace it was planned in "
                    "(TF_WORKSPACE or the selected workspace of the planner), so what depends on it is not filled")


def valid_name(name: str) -> bool:
    """``name == url.PathEscape(name)`` (Terraform's ``validWorkspaceName``)."""
    return all(c in _VALID for c in name)


def workspace(root: str) -> Any:
    """The workspace name Terraform would plan the root module ``root`` in, or an Unknown."""
    name = os.environ.get("TF_WORKSPACE", "")
    if name:
        return name if valid_name(name) else Unknown(
            "terraform.workspace: TF_WORKSPACE is not a valid workspace name (Terraform refuses it)")
    data_dir = os.environ.get("TF_DATA_DIR") or ".terraform"
    path = os.path.join(root, data_dir, "environment")  # an absolute TF_DATA_DIR stays itself
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return "default"  # no workspace ever selected: Terraform's default
    except OSError:
        return Unknown(f"terraform.workspace: the selected workspace ({os.path.join(data_dir, 'environment')}) "
                       "cannot be read")
    try:
        text = raw.decode("utf-8").strip(_GO_SPACE)
    except UnicodeDecodeError:
        text = None
    if len(raw) > _MAX_BYTES or text is None or not valid_name(text):
        return Unknown(f"terraform.workspace: {os.path.join(data_dir, 'environment')} does not hold a valid "
                       "workspace name")
    return text or "default"
