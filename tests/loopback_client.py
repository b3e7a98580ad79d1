"""A small HTTP(S) client with a cookie jar for names that resolve to loopback in a browser only.

Chromium sends `*.localhost` to 127.0.0.1 by itself; Python's resolver does not. This client
connects to 127.0.0.1 and sends the URL's host as SNI and Host, verifying the certificate for
that name against the throwaway CA, exactly as a browser on the machine would. It never follows
redirects: each test looks at every hop.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    url: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def location(self) -> str | None:
        location = self.header("Location")
        return urljoin(self.url, location) if location else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _LoopbackHttps(http.client.HTTPSConnection):
    def __init__(self, server_name: str, port: int, context: ssl.SSLContext):
        super().__init__("127.0.0.1", port, context=context, timeout=30)
        self.server_name = server_name
        self.tls_context = context

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self.tls_context.wrap_socket(raw, server_hostname=self.server_name)


@dataclass
class LoopbackClient:
    ca_file: str
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)  # host -> name -> value

    def request(
        self,
        method: str,
        url: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = _LoopbackHttps(
                host, port, ssl.create_default_context(cafile=self.ca_file)
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = {"Host": parts.netloc, **(headers or {})}
        jar = self.cookies.get(host, {})
        if jar and "Cookie" not in sent:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(
                method,
                parts.path + (f"?{parts.query}" if parts.query else "") or "/",
                body=body,
                headers=sent,
            )
            response = connection.getresponse()
            answer = Answer(response.status, response.getheaders(), response.read(), url)
        finally:
            connection.close()
        for value in answer.all("Set-Cookie"):
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.setdefault(host, {}).pop(name, None)
                else:
                    self.cookies.setdefault(host, {})[name] = morsel.value
        return answer

    def get(self, url: str, **kwargs) -> Answer:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, form: dict[str, str], **kwargs) -> Answer:
        return self.request("POST", url, form=form, **kwargs)
