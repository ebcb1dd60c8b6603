"""A sticky pull-request comment through GitHub's REST API, with nothing but urllib.

One comment per pull request and per checked directory: its body starts with a hidden marker
(``<!-- tfsg:sticky key=infra/prod -->``) so the next run finds it and edits it instead of adding
another. A comment is ours only if it carries our marker *and* was written by the token's own
identity: ``GET /user`` gives the login for a personal or fine-grained token; for the workflow's
``GITHUB_TOKEN`` that call answers 403 and the author is ``github-actions[bot]``. A comment by
anyone else that happens to carry the marker (quoted, copied) is never edited.

Endpoints (REST API version 2022-11-28):
  GET   /user                                              the token's login
  GET   /repos/{owner}/{repo}/issues/{number}/comments     ascending by id; per_page <= 100;
                                                           further pages in the Link header
  POST  /repos/{owner}/{repo}/issues/{number}/comments     {"body": ...} -> 201
  PATCH /repos/{owner}/{repo}/issues/comments/{id}         {"body": ...} -> 200
A comment body holds at most 65,536 characters (422 "Body is too long" past that).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import __version__
from .mdsafe import open_fence

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
BOT_LOGIN = "github-actions[bot]"  # the author of everything GITHUB_TOKEN writes
MAX_BODY = 65536  # GitHub's limit for an issue comment body, in characters
PER_PAGE = 100  # the most the API gives per page
MAX_PAGES = 300  # 30,000 comments: a runaway Link chain stops here

CUT_NOTICE = ("\n\n---\n**tfsg: the report was cut here to fit GitHub's comment size limit.** "
              "The whole report is in the job summary and the SARIF file.\n")


class GitHubError(Exception):
    """A request that did not succeed; ``status`` is None for a network error."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def read_only(self) -> bool:
        """The token may not do this (fork pull requests get a read-only token) or cannot see it."""
        return self.status in (401, 403, 404)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    data: Any


class GitHub:
    """Just enough of the REST API for one comment, with one retry on a server error."""

    def __init__(self, token: str, repository: str, api_url: str | None = None, *,
                 timeout: float = 20.0, retry_delay: float = 2.0) -> None:
        if not re.fullmatch(r"[^/\s]+/[^/\s]+", repository or ""):
            raise ValueError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
        self.token = token
        self.repository = repository
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.timeout = timeout
        self.retry_delay = retry_delay
        self._origin = _origin(self.api_url)

    # -- transport ---------------------------------------------------------------------------

    def request(self, method: str, path_or_url: str, payload: dict | None = None) -> Response:
        url = path_or_url if "://" in path_or_url else self.api_url + path_or_url
        if _origin(url) != self._origin:  # never send the token anywhere else
            raise GitHubError(None, f"{method} {url}: not under {self.api_url}; not followed")
        try:
            return self._send(method, url, payload)
        except GitHubError as exc:
            if exc.status is None or exc.status < 500:
                raise
        time.sleep(self.retry_delay)  # one more try after a server error
        return self._send(method, url, payload)

    def _send(self, method: str, url: str, payload: dict | None) -> Response:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"tfsg-action/{__version__}",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if payload is not None:
            data = json.dumps(payload).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        shown = _shown(url)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
                return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()},
                                json.loads(raw) if raw.strip() else None)
        except urllib.error.HTTPError as exc:
            raise GitHubError(exc.code, f"{method} {shown}: {exc.code} {_message(exc)}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise GitHubError(None, f"{method} {shown}: {reason}") from None

    # -- endpoints ---------------------------------------------------------------------------

    def login(self) -> str:
        """The login the token writes as. ``GITHUB_TOKEN`` (an installation token) may not read
        ``/user`` (403 "Resource not accessible by integration"): it writes as github-actions[bot]."""
        try:
            data = self.request("GET", "/user").data
        except GitHubError as exc:
            if exc.status == 403:
                return BOT_LOGIN
            raise
        login = data.get("login") if isinstance(data, dict) else None
        return login or BOT_LOGIN

    def comments(self, number: int) -> Iterator[dict]:
        """Every comment of an issue or pull request, oldest first, following rel="next"."""
        url: str | None = f"/repos/{self.repository}/issues/{number}/comments?per_page={PER_PAGE}"
        seen: set[str] = set()
        while url and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            resp = self.request("GET", url)
            if not isinstance(resp.data, list):
                raise GitHubError(resp.status, f"GET {_shown(url)}: expected a list of comments")
            yield from (c for c in resp.data if isinstance(c, dict))
            url = links(resp.headers.get("link", "")).get("next")

    def create_comment(self, number: int, body: str) -> dict:
        return self.request("POST", f"/repos/{self.repository}/issues/{number}/comments", {"body": body}).data

    def update_comment(self, comment_id: int, body: str) -> dict:
        return self.request("PATCH", f"/repos/{self.repository}/issues/comments/{comment_id}", {"body": body}).data


# -- the sticky comment ----------------------------------------------------------------------

def marker(key: str) -> str:
    """The hidden first line that names the comment; ``key`` tells two tfsg jobs apart."""
    clean = re.sub(r"\s+", " ", key.replace("--", "-").replace(">", "")).strip() or "."
    return f"<!-- tfsg:sticky key={clean} -->"


def compose(markdown: str, key: str, footer: str = "") -> str:
    """Marker, report and footer, cut to GitHub's limit (the marker first, so it survives)."""
    head = marker(key) + "\n"
    tail = f"\n\n{footer}\n" if footer else "\n"
    body = fit(head + markdown.rstrip("\n"), MAX_BODY - _size(tail))
    return body + tail


def fit(text: str, limit: int = MAX_BODY) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at a line end with code fences and
    ``<details>`` closed and a notice appended. Counted in UTF-16 units, which is never less than
    GitHub's count of characters."""
    if _size(text) <= limit:
        return text
    budget = limit - _size(CUT_NOTICE) - 64  # room for the closers
    cut = text[:budget]
    while _size(cut) > budget:
        cut = cut[: len(cut) - (_size(cut) - budget)]
    newline = cut.rfind("\n")
    if newline > budget // 2:
        cut = cut[:newline]
    closers = ""
    fence = open_fence(cut)  # the fence that opened it (it may be longer than three backticks)
    if fence:
        closers += "\n" + fence
    open_details = len(re.findall(r"<details\b", cut)) - len(re.findall(r"</details>", cut))
    closers += "\n</details>" * max(open_details, 0)
    return cut + closers + CUT_NOTICE


@dataclass(frozen=True)
class Posted:
    action: str  # "created" or "updated"
    id: int | None
    url: str
    others: int  # comments with our marker by someone else, left alone


def post(gh: GitHub, number: int, body: str, key: str, mode: str = "update") -> Posted:
    """Update our comment with ``key``'s marker (mode "update", creating it the first time) or
    add a new one (mode "new"). Raises GitHubError."""
    if mode not in ("update", "new"):
        raise ValueError(f"comment mode must be update or new, not {mode!r}")
    mark = marker(key)
    if _first_line(body) != mark:
        body = compose(body, key)
    others = 0
    if mode == "update":
        login = gh.login().lower()
        for c in gh.comments(number):
            # the marker names a comment only as its first line: another job's report may quote
            # it further down (a for_each key in a code span) and must not be taken for it
            if _first_line(c.get("body") or "") != mark:
                continue
            author = ((c.get("user") or {}).get("login") or "").lower()
            if author == login:
                done = gh.update_comment(c["id"], body) or {}
                return Posted("updated", c["id"], done.get("html_url") or c.get("html_url", ""), others)
            others += 1
    done = gh.create_comment(number, body) or {}
    return Posted("created", done.get("id"), done.get("html_url", ""), others)


# -- helpers ---------------------------------------------------------------------------------

def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def links(header: str) -> dict[str, str]:
    """``Link: <url>; rel="next", <url>; rel="last"`` -> {"next": url, "last": url}."""
    out: dict[str, str] = {}
    for url, rels in re.findall(r'<([^>]*)>\s*;\s*rel="([^"]*)"', header or ""):
        for rel in rels.split():
            out.setdefault(rel, url)
    return out


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _shown(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read()
    except OSError:
        raw = b""
    try:
        data = json.loads(raw)
        text = data.get("message") or ""
        errors = data.get("errors") or []
        if errors and isinstance(errors, list) and isinstance(errors[0], dict) and errors[0].get("message"):
            text += f" ({errors[0]['message']})"
    except (ValueError, AttributeError):
        text = raw.decode("utf-8", "replace").strip()[:200]
    if exc.code == 403 and exc.headers.get("x-ratelimit-remaining") == "0":
        text += " (rate limit exhausted)"
    return text or exc.reason or ""


def _size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
