"""``file``, ``fileexists`` and ``templatefile``: files next to the configuration, read only inside
the repository under review.

Terraform resolves a relative path against its working directory, the root module's directory;
tfsg's ``path.module`` and ``path.root`` are relative to where tfsg runs, so a path that starts
with the root module's displayed path is read from there. Either way the file must lie inside
the repository (the git work tree, else the root module's directory), symbolic links resolved:
a .tf file in a pull request must not make tfsg read ``/etc/passwd`` or ``~/.aws/credentials``.
At ``--base`` the file is read from the base revision through git, like the .tf files.

``templatefile(path, vars)`` renders the file as a Terraform template (``${...}`` and
``%{ if }``/``%{ for }`` directives, no backslash escapes) with only ``vars`` in scope, as
Terraform does (Terraform language docs, "templatefile Function").
"""

from __future__ import annotations

import os
from typing import Any

from ..document import work_tree
from .files import display
from .values import EvalError, Refused, to_string


def _resolve(env: Any, path: Any, what: str) -> tuple[Any, str]:
    """(reader, absolute path) of a file the configuration names, or EvalError."""
    loader = getattr(env.scope, "loader", None)
    if loader is None:
        raise EvalError(f"{what}: files are not read here")
    text = to_string(path)
    if "\0" in text:
        raise EvalError(f"{what}: the path holds a NUL character")
    root = os.path.realpath(loader.root)
    # path.module / path.root are shown relative to tfsg's directory (modules.py): a path built
    # from any module's directory is relative to it, as is the root's
    shown = {display(d) for d in [loader.root, *loader.configs]} - {"."}
    if os.path.isabs(text):
        full = text
    elif any(text == d or text.startswith(d.rstrip("/") + "/") for d in shown):
        full = os.path.abspath(text)
    else:
        full = os.path.join(root, text)  # Terraform's working directory: the root module
    real = os.path.realpath(full)
    # at --base, an installed module's own files are the work tree's, as its .tf files are
    reader = loader.reader_for(real) if hasattr(loader, "reader_for") else loader.reader
    top = getattr(reader, "top", None) or work_tree(root) or root
    if os.path.commonpath([real, top]) != top:
        raise Refused(f"{what}: {text!r} is outside the repository under review; tfsg reads files inside it "
                      "only, and cannot tell what Terraform would read there")
    if ".git" in os.path.relpath(real, top).split(os.sep):
        # git's own files are no configuration: .git/config holds the checkout's credentials
        # (actions/checkout persists the token there by default)
        raise Refused(f"{what}: {text!r} is inside .git; tfsg does not read git's own files")
    return reader, real


def _read(env: Any, path: Any, what: str) -> str:
    """The file's text. Past limits.py tf-file-bytes the reader refuses it (exit 2, as for a .tf
    file): an unknown would let a branch hide a rule in a large file."""
    reader, real = _resolve(env, path, what)
    if not _exists(reader, real):  # Terraform refuses the call: an unknown naming the place
        raise EvalError(f"{what}: no such file {to_string(path)!r}")
    text = reader.read(real)
    # Terraform's file() returns the bytes as they are: a UTF-8 byte-order mark (a spreadsheet's
    # CSV) stays, as U+FEFF, at the start (the .tf reader drops it; a read file keeps it)
    return "\ufeff" + text if reader.bom(real) else text


def file(env: Any, path: Any) -> Any:
    return _read(env, path, "file")


def file_bytes(what: str, encode: Any) -> Any:
    """``filebase64``, ``filemd5``, ``filesha256``...: ``encode`` of the file's bytes (any
    bytes: a zip for a Lambda's source_code_hash), read as ``file`` reads (Terraform language
    docs, "filebase64 Function", "filemd5 Function")."""
    def call(env: Any, path: Any) -> Any:
        reader, real = _resolve(env, path, what)
        if not _exists(reader, real):
            raise EvalError(f"{what}: no such file {to_string(path)!r}")
        return encode(reader.read_bytes(real))
    return call


def fileexists(env: Any, path: Any) -> Any:
    reader, real = _resolve(env, path, "fileexists")
    return _exists(reader, real)


def _exists(reader: Any, real: str) -> bool:
    if getattr(reader, "top", None) is not None:  # a git revision: its listing
        return os.path.relpath(real, reader.top).replace(os.sep, "/") in reader.files
    return os.path.isfile(real)


# at most this many files listed by one fileset() (a pattern over a huge tree is refused, not slow)
_FILESET_LIMIT = 10_000


def fileset(env: Any, path: Any, pattern: Any) -> Any:
    """``fileset(path, pattern)``: the files under ``path`` matching ``pattern`` (``*`` and ``?``
    within a path segment, ``**`` across segments, ``[...]`` classes, ``{a,b}`` alternatives),
    relative to ``path``, sorted (Terraform language docs, "fileset Function"); inside the
    repository only, never ``.git``."""
    from ...regex import compile_re2
    from . import budget

    reader, real = _resolve(env, path, "fileset")
    try:  # a pattern from the pull request: RE2, linear time (`**/**/**/...` backtracks otherwise)
        matcher = compile_re2(_glob_regex(to_string(pattern)))
    except ValueError as exc:
        raise EvalError(f"fileset: invalid pattern: {exc}") from None
    names = _listing(reader, real)
    if len(names) > _FILESET_LIMIT:
        raise EvalError(f"fileset: more than {_FILESET_LIMIT:,} files under {to_string(path)!r}")
    budget.charge(len(names) + 1)  # each call matches every name listed (limits.py eval-size)
    return sorted(n for n in names if matcher.fullmatch(n))


# (reader, directory) -> (the reader, its files): walked once per reader (the reader is kept, so
# its id is not another's)
_LISTINGS: dict[tuple[int, str], tuple[Any, list[str]]] = {}


def _listing(reader: Any, real: str) -> list[str]:
    key = (id(reader), real)
    hit = _LISTINGS.get(key)
    if hit is not None and hit[0] is reader:
        return hit[1]
    top = getattr(reader, "top", None)
    if top is not None:  # a git revision: its listing
        base = os.path.relpath(real, top).replace(os.sep, "/")
        prefix = "" if base == "." else base + "/"
        names = [f[len(prefix):] for f in reader.files if f.startswith(prefix)]
    else:
        names = []
        for here, dirs, files in os.walk(real):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            rel = os.path.relpath(here, real)
            names += [f if rel == "." else f"{rel}/{f}".replace(os.sep, "/") for f in files]
            if len(names) > _FILESET_LIMIT:
                break
    if len(_LISTINGS) > 256:
        _LISTINGS.clear()
    _LISTINGS[key] = (reader, names)
    return names


def _glob_regex(pattern: str) -> str:
    """A doublestar pattern as a regular expression."""
    import re

    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise EvalError(f"fileset: unclosed '[' in {pattern!r}")
            body = pattern[i + 1:end]
            out.append("[" + ("^" + re.escape(body[1:]) if body.startswith(("!", "^")) else re.escape(body)) + "]")
            i = end + 1
            continue
        elif c == "{":
            end = pattern.find("}", i + 1)
            if end < 0:
                raise EvalError(f"fileset: unclosed '{{' in {pattern!r}")
            out.append("(?:" + "|".join(re.escape(a) for a in pattern[i + 1:end].split(",")) + ")")
            i = end + 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


class _TemplateScope:
    """A template sees only the variables given to templatefile (and functions)."""

    def root(self, name: str, line: int) -> Any:
        raise EvalError(f"templatefile: the template refers to {name!r}, which is not among the variables given")


def templatefile(env: Any, path: Any, variables: Any) -> Any:
    if not isinstance(variables, dict):
        raise EvalError("templatefile: the second argument must be a map or object")
    text = _read(env, path, "templatefile")
    from . import budget

    budget.charge(len(text))  # parsed on every call, ~1 µs a character (limits.py eval-size)
    return _render(text, variables, to_string(path))


def templatestring(env: Any, template: Any, variables: Any) -> Any:
    """Terraform 1.9's ``templatestring(ref, vars)``: a string rendered as a template, as
    ``templatefile`` renders a file's text."""
    if not isinstance(variables, dict):
        raise EvalError("templatestring: the second argument must be a map or object")
    text = to_string(template)
    from . import budget

    budget.charge(len(text))
    return _render(text, variables, "templatestring")


def _render(text: str, variables: dict, where: str) -> Any:
    from .parse import parse_body, strip_lines
    from .syntax import Env
    from .templates import quoted

    # A template is bare (hclsyntax.ParseTemplate): no backslash escapes, and, as in a heredoc,
    # its literal text ends at each newline, so a strip marker trims its own line only (``~}``
    # the rest of the line and its newline, not the next line's indentation: checked with
    # ``terraform console``); then parsed as the quoted string that holds exactly that text,
    # with only ``variables`` in scope (templates.py: the expressions in it as written)
    body = parse_body(f"t = {quoted(strip_lines(text))}\n", where)
    return body.attrs["t"].expr.ev(Env(_TemplateScope(), dict(variables)))
