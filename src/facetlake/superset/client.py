"""A small client for Superset's REST API (standard library only: the main environment needs nothing more)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class SupersetError(RuntimeError):
    """Superset answered with an HTTP error; the message carries its body."""

    def __init__(self, status: int, url: str, body: str) -> None:
        super().__init__(f"HTTP {status} from {url}: {body[:2000]}")
        self.status = status
        self.body = body


class SupersetClient:
    """Logs in with a user's password (JWT bearer token) and calls /api/v1 endpoints."""

    def __init__(self, base_url: str, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token: str | None = None

    def login(self, username: str, password: str) -> SupersetClient:
        body = {"username": username, "password": password, "provider": "db", "refresh": False}
        self.token = self.request("POST", "/api/v1/security/login", body)["access_token"]
        return self

    def request(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Any:
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise SupersetError(error.code, url, error.read().decode(errors="replace")) from None

    def get(self, path: str, **query: str) -> Any:
        return self.request("GET", path, query=query or None)

    def list(self, resource: str) -> list[dict[str, Any]]:
        """Every object of a resource (chart, dashboard, dataset, ...) this user may see."""
        result = self.get(f"/api/v1/{resource}/", q="(page:0,page_size:100)")
        if result["count"] > len(result["result"]):
            raise NotImplementedError(f"more than 100 {resource}s: page through them")
        return result["result"]

    def chart_data(self, chart_id: int) -> list[dict[str, Any]]:
        """Rows of every query of a chart, from the query context saved with it."""
        payload = self.get(f"/api/v1/chart/{chart_id}/data/", format="json", type="full")
        return [row for result in payload["result"] for row in result["data"]]
