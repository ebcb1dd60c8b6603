"""Which files of a directory Terraform reads as configuration.

Terraform loads ``*.tf`` and ``*.tf.json`` files and ignores editor and hidden files: a name
starting with ``.`` (``.bastion_override.tf``), ending with ``~``, or starting and ending with
``#`` (terraform ``internal/configs/parser_config_dir.go``, ``IsIgnoredFile``). tfsg reads the
same files, so that what it evaluates is what Terraform plans.
"""

from __future__ import annotations


def is_ignored(name: str) -> bool:
    """A file Terraform skips whatever its extension (hidden or an editor's backup)."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def is_config_file(name: str, json_syntax: bool = True) -> bool:
    """A configuration file Terraform reads: ``.tf`` (and ``.tf.json`` unless ``json_syntax``
    is False), not ignored."""
    return name.endswith((".tf", ".tf.json") if json_syntax else ".tf") and not is_ignored(name)
