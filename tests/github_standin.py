"""A local stand-in for the part of GitHub's REST API that the action's comment client uses.

It runs http.server in a thread on 127.0.0.1 (a random port) and behaves as api.github.com does
for these endpoints (REST API version 2022-11-28):

  GET   /user                                           200 {"login"} for a user's token; 403
                                                        "Resource not accessible by integration"
                                                        for the workflow's GITHUB_TOKEN
  GET   /repos/{owner}/{repo}/issues/{n}/comments       ascending by id; per_page (default 30,
  GET   /repositories/{id}/issues/{n}/comments          at most 100) and page; a Link header with
                                                        first/prev/next/last pointing at the
                                                        /repositories/{id}/... form, as GitHub does
  POST  /repos/{owner}/{repo}/issues/{n}/comments       201, Location; 422 over 65,536 characters
  PATCH /repos/{owner}/{repo}/issues/comments/{id}      200; 404 for an unknown id

It answers 403 without a User-Agent (as GitHub does), 401 "Bad credentials" for a missing or
wrong token, 400 for an unsupported X-GitHub-Api-Version, 404 for another repository. It
records every request, can answer 403 to every write (``forbid_writes``, the read-only token of
a fork's pull request), can treat the token as a user (``login``) instead of the workflow's
GITHUB_TOKEN, and can fail the next requests with given statuses (``fail_next``).
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT = "github-actions[bot]"
API_VERSIONS = {"2022-11-28"}
DOCS = "https://docs.github.com/rest"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    json: Any = None
    status: int = 0


@dataclass
class GitHubStandIn:
    repository: str = "octo-org/infra"
    token: str = "test-token"
    login: str | None = None  # None: the token is GITHUB_TOKEN (an installation token)
    forbid_writes: bool = False
    fail_next: list[int] = field(default_factory=list)
    repo_id: int = 424242
    requests: list[Recorded] = field(default_factory=list)
    comments: dict[int, list[dict]] = field(default_factory=dict)
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._next_id = 1000
        self._server: ThreadingHTTPServer | None = None

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> GitHubStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

            def do_PATCH(self) -> None:
                standin._handle(self, "PATCH")

            def do_DELETE(self) -> None:
                standin._handle(self, "DELETE")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):  # -> Self (3.11)
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------------------

    @property
    def author(self) -> str:
        return self.login or BOT

    def seed(self, number: int, body: str, login: str = "octocat", count: int = 1) -> list[dict]:
        """Comments already on the pull request, by ``login``."""
        with self._lock:
            return [self._new_comment(number, body, login) for _ in range(count)]

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PATCH", "DELETE")]

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]

    def _new_comment(self, number: int, body: str, login: str) -> dict:
        self._next_id += 1
        cid = self._next_id
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        comment = {
            "id": cid,
            "node_id": f"IC_kwDO{cid}",
            "url": f"{self.url}/repos/{self.repository}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.repository}/pull/{number}#issuecomment-{cid}",
            "issue_url": f"{self.url}/repos/{self.repository}/issues/{number}",
            "body": body,
            "user": {"login": login, "id": abs(hash(login)) % 10**8,
                     "type": "Bot" if login.endswith("[bot]") else "User"},
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE" if login.endswith("[bot]") else "MEMBER",
        }
        self.comments.setdefault(number, []).append(comment)
        return comment

    # -- HTTP ------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urllib.parse.urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = ValueError
        rec = Recorded(method, parts.path, dict(urllib.parse.parse_qsl(parts.query)),
                       {k.lower(): v for k, v in h.headers.items()}, None if payload is ValueError else payload)
        with self._lock:
            self.requests.append(rec)
            status, body, headers = self._route(rec, payload)
            rec.status = status
        data = b"" if body is None else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
        for name, value in headers.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(data)

    def _route(self, rec: Recorded, payload: Any) -> tuple[int, Any, dict]:
        if self.fail_next:
            status = self.fail_next.pop(0)
            return status, {"message": "Server Error" if status >= 500 else "Error"}, {}
        if not rec.headers.get("user-agent"):
            return 403, {"message": "Request forbidden by administrative rules. Please make sure your request "
                                    "has a User-Agent header (https://docs.github.com/en/rest/overview/"
                                    "resources-in-the-rest-api#user-agent-required)."}, {}
        version = rec.headers.get("x-github-api-version")
        if version is not None and version not in API_VERSIONS:
            return 400, {"message": f"API version {version} is not supported.", "documentation_url": DOCS}, {}
        auth = rec.headers.get("authorization", "")
        if auth not in (f"Bearer {self.token}", f"token {self.token}"):
            return 401, {"message": "Bad credentials", "documentation_url": DOCS}, {}
        if payload is ValueError:
            return 400, {"message": "Problems parsing JSON", "documentation_url": DOCS}, {}

        seg = rec.path.strip("/").split("/")
        if rec.method == "GET" and seg == ["user"]:
            if self.login is None:
                return 403, {"message": "Resource not accessible by integration",
                             "documentation_url": f"{DOCS}/users/users#get-the-authenticated-user"}, {}
            return 200, {"login": self.login, "id": 1, "type": "User"}, {}

        number = None
        if len(seg) == 6 and seg[0] == "repos" and seg[3] == "issues" and seg[5] == "comments":
            if f"{seg[1]}/{seg[2]}".lower() != self.repository.lower():
                return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
            number = seg[4]
        elif len(seg) == 5 and seg[0] == "repositories" and seg[2] == "issues" and seg[4] == "comments":
            if seg[1] != str(self.repo_id):
                return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
            number = seg[3]
        if number is not None and number.isdigit():
            if rec.method == "GET":
                return self._list(int(number), rec.query)
            if rec.method == "POST" and seg[0] == "repos":
                return self._create(int(number), payload)

        if (len(seg) == 6 and seg[0] == "repos" and seg[3:5] == ["issues", "comments"] and seg[5].isdigit()
                and f"{seg[1]}/{seg[2]}".lower() == self.repository.lower()):
            if rec.method == "PATCH":
                return self._update(int(seg[5]), payload)
            if rec.method == "GET":
                found = self._find(int(seg[5]))
                return (200, found, {}) if found else (404, {"message": "Not Found", "documentation_url": DOCS}, {})
        return 404, {"message": "Not Found", "documentation_url": DOCS}, {}

    def _list(self, number: int, query: dict[str, str]) -> tuple[int, Any, dict]:
        try:
            per_page = min(max(int(query.get("per_page", 30)), 1), 100)
            page = max(int(query.get("page", 1)), 1)
        except ValueError:
            per_page, page = 30, 1
        items = self.comments.get(number, [])
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page: page * per_page]
        base = f"{self.url}/repositories/{self.repo_id}/issues/{number}/comments"

        def link(p: int, rel: str) -> str:
            return f'<{base}?per_page={per_page}&page={p}>; rel="{rel}"'

        rels = []
        if page > 1:
            rels.append(link(page - 1, "prev"))
        if page < last:
            rels += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            rels.append(link(1, "first"))
        return 200, chunk, ({"Link": ", ".join(rels)} if rels else {})

    def _create(self, number: int, payload: Any) -> tuple[int, Any, dict]:
        problem = self._check_body(payload)
        if problem:
            return problem
        if self.forbid_writes:
            return self._forbidden("issues/comments#create-an-issue-comment")
        comment = self._new_comment(number, payload["body"], self.author)
        return 201, comment, {"Location": comment["url"]}

    def _update(self, cid: int, payload: Any) -> tuple[int, Any, dict]:
        comment = self._find(cid)
        if comment is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        problem = self._check_body(payload)
        if problem:
            return problem
        if self.forbid_writes:
            return self._forbidden("issues/comments#update-an-issue-comment")
        comment["body"] = payload["body"]
        comment["updated_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return 200, comment, {}

    def _find(self, cid: int) -> dict | None:
        return next((c for cs in self.comments.values() for c in cs if c["id"] == cid), None)

    @staticmethod
    def _check_body(payload: Any) -> tuple[int, Any, dict] | None:
        if not isinstance(payload, dict) or not isinstance(payload.get("body"), str):
            return 422, {"message": "Invalid request.\n\n\"body\" wasn't supplied.", "documentation_url": DOCS}, {}
        if len(payload["body"]) > 65536:
            return 422, {"message": "Validation Failed",
                         "errors": [{"resource": "IssueComment", "code": "unprocessable", "field": "data",
                                     "message": "Body is too long (maximum is 65536 characters)"}],
                         "documentation_url": DOCS}, {}
        return None

    @staticmethod
    def _forbidden(doc: str) -> tuple[int, Any, dict]:
        return 403, {"message": "Resource not accessible by integration", "documentation_url": f"{DOCS}/{doc}"}, {}
