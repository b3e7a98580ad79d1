"""One HTTP request and its answer, as the data plane's parts pass them to each other."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    host: str  # the Host header without its port, lower-case
    authority: str  # the Host header as sent (host[:port])
    path: str  # without the query
    query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    def params(self) -> dict[str, str]:
        """The query's parameters (the first of each)."""
        return {k: v[0] for k, v in parse_qs(self.query, keep_blank_values=True).items()}

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body's fields (the first of each)."""
        text = self.body.decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def cookie(self, name: str) -> str | None:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header carries nothing usable
            return None
        return jar[name].value if name in jar else None


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def text(cls, status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, [("Content-Type", "text/plain; charset=utf-8"), *(headers or [])], text.encode())

    @classmethod
    def page(
        cls, status: int, title: str, body_html: str, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        document = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body>{body_html}</body></html>"
        )
        return cls(
            status, [("Content-Type", "text/html; charset=utf-8"), *(headers or [])], document.encode()
        )

    @classmethod
    def redirect(
        cls, location: str, status: int = 302, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        return cls(status, [("Location", location), *(headers or [])])

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)
