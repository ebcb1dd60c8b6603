"""Where .tf files come from: the working tree, or a git revision read without a checkout (and
which of the two a ``--var-file`` is read from at ``--base``)."""

from __future__ import annotations

import os
import posixpath
import subprocess
from typing import Any, Optional

from ...errors import InputError, UsageError
from ...limits import check_bytes, read_bounded
from ...limits import get as limit
from ..document import display


class Tree:
    """Files of the working tree; with ``inside``, only those inside it (the repository under
    review), symbolic links resolved: a committed link to ``/proc/self/environ``, a module
    ``source = "../../.."`` or a ``.terraform/modules`` entry pointing elsewhere must not make
    tfsg read (and quote) what lies outside."""

    label = "working tree"

    def __init__(self, inside: Optional[str] = None) -> None:
        self.inside = os.path.realpath(inside) if inside else None

    def check(self, path: str) -> None:
        """InputError when ``path`` (links resolved) is outside the repository under review."""
        if self.inside is None:
            return
        real = os.path.realpath(path)
        if os.path.commonpath([real, self.inside]) != self.inside:
            raise InputError("is outside the repository under review (a symbolic link or a module source leads "
                             "out of it); tfsg reads files inside it only", display(path))

    def listdir(self, directory: str) -> list[str]:
        self.check(directory)
        try:
            return sorted(os.listdir(directory))
        except FileNotFoundError:
            raise InputError("no such directory", display(directory)) from None
        except NotADirectoryError:
            raise InputError("not a directory", display(directory)) from None
        except OSError as exc:
            raise InputError(f"cannot list: {exc.strerror or exc}", display(directory)) from None

    def isdir(self, path: str) -> bool:
        return os.path.isdir(path)

    def bom(self, path: str) -> bool:
        """Does the file start with a UTF-8 byte-order mark (which ``read`` drops)?"""
        try:
            with open(path, "rb") as fh:
                return fh.read(3) == b"\xef\xbb\xbf"
        except OSError:
            return False

    def read(self, path: str) -> str:
        return _decode(self.read_bytes(path), path)

    def read_bytes(self, path: str) -> bytes:
        """The file's bytes (``filebase64``, ``filemd5``: a zip is no text), bounded as .tf files are."""
        self.check(path)
        try:
            with open(path, "rb") as fh:
                return read_bounded(fh, "tf-file-bytes", display(path))  # refused before it is read
        except PermissionError:
            raise InputError("permission denied", display(path)) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", display(path)) from None


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})", display(path)) from None


class GitRevision:
    """Files as they are at a git revision (``git ls-tree`` + ``git cat-file --batch``), no checkout.

    Paths are the working-tree paths, so a module's ``source = "../x"`` resolves the same way.
    """

    def __init__(self, directory: str, revision: str) -> None:
        self.revision = revision
        self.label = f"git revision {revision}"
        top = _git(directory, "rev-parse", "--show-toplevel")
        if top is None:
            raise UsageError("--base needs a git repository: this directory is not in one", display(directory))
        self.top = os.path.realpath(top.strip())
        commit = _git(directory, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        if commit is None:
            raise UsageError(f"unknown git revision {revision!r}", display(directory))
        self.commit = commit.strip()
        listing = _git(self.top, "ls-tree", "-r", "-l", "-z", "--full-tree", self.commit)
        self.files: set[str] = set()
        self.sizes: dict[str, int] = {}  # blob sizes from the listing: a large blob is refused unread
        self.links: set[str] = set()  # symbolic links (mode 120000): their blob is the target path
        for entry in (listing or "").split("\0"):
            meta, _, path = entry.partition("\t")
            if not path:
                continue
            self.files.add(path)
            size = meta.split()[-1] if meta.split() else "-"
            if size.isdigit():
                self.sizes[path] = int(size)
            if meta.startswith("120000"):
                self.links.add(path)
        # Files Terraform reads from the directory that git ignores (a terraform.tfvars with the
        # team's values, an override file): no revision holds them, both sides of the change
        # are planned with them, so the base reads the work tree's (as an untracked --var-file)
        self.environment: dict[str, str] = {}
        others = _git(self.top, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory")
        for rel in (others or "").split("\0"):
            if rel and not rel.endswith("/") and rel not in self.files and _auto_loaded(posixpath.basename(rel)):
                self.environment[rel] = os.path.join(self.top, rel)
        self.dirs: set[str] = {""}
        for f in self.files:
            parts = f.split("/")
            for i in range(1, len(parts)):
                self.dirs.add("/".join(parts[:i]))
        self._cache: dict[str, Optional[bytes]] = {}

    def _rel(self, path: str) -> str:
        rel = os.path.relpath(os.path.realpath(path), self.top)
        return "" if rel == "." else rel.replace(os.sep, "/")

    def listdir(self, directory: str) -> list[str]:
        rel = self._rel(directory)
        if rel not in self.dirs:
            raise InputError(f"no such directory at {self.label}", display(directory))
        prefix = rel + "/" if rel else ""
        names = {f[len(prefix):].split("/", 1)[0] for f in self.files if f.startswith(prefix)}
        names |= {f[len(prefix):] for f in self.environment if f.startswith(prefix) and "/" not in f[len(prefix):]}
        return sorted(names)

    def isdir(self, path: str) -> bool:
        return self._rel(path) in self.dirs

    def state_of(self, path: str) -> str:
        """A file named on the command line (``--var-file``): "outside" the repository, "here"
        (a file at this revision), "new" (tracked by git now, absent at the revision) or
        "untracked" (git-ignored, or never added)."""
        rel = self._rel(path)
        if rel == "" or rel == ".." or rel.startswith("../") or os.path.isabs(rel):
            return "outside"
        if self._target(rel) in self.files:
            return "here"
        return "new" if _git(self.top, "ls-files", "-z", "--", rel) else "untracked"

    def prefetch(self, paths: list[str]) -> None:
        """Read many files in one ``git cat-file --batch`` call."""
        self._fetch([self._rel(p) for p in paths])

    def _fetch(self, rels: list[str]) -> None:
        cap = limit("tf-file-bytes")
        wanted = sorted({r for r in rels if r in self.files and r not in self._cache and self.sizes.get(r, 0) <= cap})
        if not wanted:
            return
        request = "".join(f"{self.commit}:{r}\n" for r in wanted).encode()
        proc = subprocess.run(["git", "-C", self.top, "cat-file", "--batch"], input=request,
                              capture_output=True, check=False)
        out = proc.stdout
        pos = 0
        for rel in wanted:
            header_end = out.find(b"\n", pos)
            header = out[pos:header_end].split()
            if len(header) < 3 or header[1] != b"blob":
                self._cache[rel] = None
                pos = header_end + 1
                continue
            size = int(header[2])
            start = header_end + 1
            self._cache[rel] = out[start:start + size]
            pos = start + size + 1

    def _target(self, rel: str) -> str:
        """Follow symbolic links within the repository (shared providers.tf and the like)."""
        for _ in range(8):
            if rel not in self.links:
                return rel
            self._fetch([rel])
            link = (self._cache.get(rel) or b"").decode("utf-8", "replace")
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(rel), link))
        return rel

    def read(self, path: str) -> str:
        return _decode(self.read_bytes(path), path)

    def read_bytes(self, path: str) -> bytes:
        rel = self._target(self._rel(path))
        if rel in self.environment:
            return Tree(inside=self.top).read_bytes(self.environment[rel])
        check_bytes("tf-file-bytes", self.sizes.get(rel, 0), f"{display(path)} at {self.label}")
        if rel not in self._cache:
            self._fetch([rel])
        raw = self._cache.get(rel)
        if raw is None:
            raise InputError(f"cannot read at {self.label}", display(path))
        return raw

    def bom(self, path: str) -> bool:
        rel = self._target(self._rel(path))
        if rel in self.environment:
            return Tree().bom(self.environment[rel])
        raw = self._cache.get(rel)
        return raw is not None and raw.startswith(b"\xef\xbb\xbf")


def _auto_loaded(name: str) -> bool:
    """Does Terraform read this file from a module's directory on its own: variable files
    (Terraform language docs, "Variable Definitions (.tfvars) Files") and override files
    ("Override Files")?"""
    return name in ("terraform.tfvars", "terraform.tfvars.json", "override.tf", "override.tf.json") or \
        name.endswith((".auto.tfvars", ".auto.tfvars.json", "_override.tf", "_override.tf.json"))


def var_file_reader(reader: Any, path: str, notes: Optional[list[str]]) -> Any:
    """The reader of a ``--var-file`` for one side. At ``--base`` a file git tracks is read as it
    is at the revision, as ``terraform.tfvars`` is (a pull request that edits ``env/prod.tfvars``
    changes what the same ``terraform plan -var-file env/prod.tfvars`` makes); one the revision
    does not have gives the base nothing. A file outside the repository, or one git does not
    track (generated by CI, git-ignored), is the same for both sides: the work tree's."""
    state = reader.state_of(path) if hasattr(reader, "state_of") else "outside"
    label = getattr(reader, "label", "the base revision")
    if state == "here":
        if notes is not None:
            notes.append(f"--var-file {display(path)}: the before side reads it as it is at {label}")
        return reader
    if state == "new":
        if notes is not None:
            notes.append(f"--var-file {display(path)}: not at {label} (added by this change), so the before side "
                         "has no values from it")
        return None
    if state == "untracked" and notes is not None:
        notes.append(f"--var-file {display(path)}: not tracked by git, so both sides read the work tree's")
    return Tree()


def repository_of(directory: str) -> Optional[str]:
    """The repository a root module is reviewed in: its git work tree (a pull request's checkout,
    a pre-commit run). None outside git: a directory unpacked by hand has no boundary a branch
    could cross (a module's examples call it as ``../../``)."""
    from .functions_files import work_tree

    return work_tree(os.path.realpath(directory))


def unborn(directory: str, revision: str) -> bool:
    """Is ``revision`` the current branch of a repository with no commits yet? Then the base is
    empty: everything in the work tree is new (``git init``, first commit being checked)."""
    if _git(directory, "rev-parse", "--git-dir") is None:
        return False
    if _git(directory, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") is not None:
        return False
    branch = (_git(directory, "symbolic-ref", "-q", "HEAD") or "").strip()
    if not branch or _git(directory, "rev-parse", "--verify", "--quiet", "HEAD") is not None:
        return False
    return revision in ("HEAD", "@", branch, branch.removeprefix("refs/heads/"))


def _git(directory: str, *args: str) -> Optional[str]:
    try:
        proc = subprocess.run(["git", "-C", directory, *args], capture_output=True, text=True, check=False)
    except OSError:
        raise UsageError("--base needs git, which is not installed", "git") from None
    return proc.stdout if proc.returncode == 0 else None
