"""One request at a time: where it connects, what it sends, and how each failure is classified."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable

import pytest
from health_check_support import APP_HOST, free_port

from sceptre_fargate_cognito.health_check.probe import ProbeError, fetch, split_host_port


@pytest.fixture
def raw_server():
    """Start purpose-built TCP servers on loopback: `serve(conn)` handles each connection. All stopped after."""
    stops: list[Callable[[], None]] = []

    def start(serve: Callable[[socket.socket], None]) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.05)
        stopping = threading.Event()

        def loop():
            while not stopping.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                threading.Thread(target=_handle, args=(serve, conn, stopping), daemon=True).start()

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()

        def stop():
            stopping.set()
            thread.join(timeout=5)
            listener.close()

        stops.append(stop)
        return listener.getsockname()[1]

    try:
        yield start
    finally:
        for stop in stops:
            stop()


def _handle(serve, conn, stopping):
    with conn, contextlib.suppress(OSError):
        serve(conn, stopping)


def test_connect_to_reaches_another_address_but_sends_sni_and_host_of_the_url(start_alb, test_ca):
    alb = start_alb()
    context = ssl.create_default_context(cafile=str(test_ca.cert_path))

    response = fetch(
        f"https://{APP_HOST}/healthz",
        connect_to=f"127.0.0.1:{alb.https_port}",
        ssl_context=context,
        resolver=lambda host: pytest.fail(f"resolved {host}: an IP literal needs no resolver"),
    )

    assert response.status == 200
    assert response.peer == f"127.0.0.1:{alb.https_port}"
    assert alb.requests[0].host == APP_HOST  # the certificate was verified for it, too
    assert response.certificate_not_after is not None


def test_a_connect_to_name_goes_through_the_injected_resolver(start_alb, test_ca):
    alb = start_alb()
    asked = []
    context = ssl.create_default_context(cafile=str(test_ca.cert_path))

    response = fetch(
        f"https://{APP_HOST}/",
        connect_to=f"my-alb.elb.test:{alb.https_port}",
        ssl_context=context,
        resolver=lambda host: asked.append(host) or ["127.0.0.1"],
    )

    assert asked == ["my-alb.elb.test"]
    assert response.status == 302 and response.location.startswith("https://")


def test_a_response_that_trickles_in_is_cut_off_by_the_whole_request_timeout(raw_server):
    def trickle(conn, stopping):
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stopping.is_set():  # one byte every 50 ms: no single read ever times out
            conn.sendall(b"X")
            time.sleep(0.05)

    port = raw_server(trickle)

    with pytest.raises(ProbeError) as raised:
        fetch(f"http://127.0.0.1:{port}/", timeout=0.5)

    assert raised.value.kind == "timeout" and raised.value.heals


def test_a_connection_closed_without_an_answer_is_a_reset_that_heals(raw_server):
    port = raw_server(lambda conn, stopping: conn.recv(4096))

    with pytest.raises(ProbeError) as raised:
        fetch(f"http://127.0.0.1:{port}/", timeout=2)

    assert raised.value.kind == "reset" and raised.value.heals


def test_an_answer_that_is_not_http_does_not_heal(raw_server):
    def garbage(conn, stopping):
        conn.recv(4096)
        conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    port = raw_server(garbage)

    with pytest.raises(ProbeError) as raised:
        fetch(f"http://127.0.0.1:{port}/", timeout=2)

    assert raised.value.kind == "protocol" and not raised.value.heals


def test_tls_spoken_to_a_plain_http_port_fails_at_once(start_alb):
    alb = start_alb()

    with pytest.raises(ProbeError) as raised:
        fetch(f"https://{APP_HOST}/", connect_to=f"127.0.0.1:{alb.http_port}", timeout=2)

    assert raised.value.kind == "tls" and not raised.value.heals


def test_a_closed_port_is_a_refusal_that_heals():
    port = free_port()

    with pytest.raises(ProbeError) as raised:
        fetch(f"http://127.0.0.1:{port}/", timeout=2)

    assert (raised.value.kind, str(raised.value), raised.value.heals) == (
        "refused",
        "connection refused",
        True,
    )


def test_an_empty_answer_from_the_resolver_means_the_name_does_not_resolve():
    with pytest.raises(ProbeError) as raised:
        fetch("https://not-yet.example.test/", resolver=lambda host: [])

    assert raised.value.kind == "dns" and raised.value.heals


@pytest.mark.parametrize(
    "text, expected",
    [
        ("alb.example.com", ("alb.example.com", 443)),
        ("alb.example.com:8443", ("alb.example.com", 8443)),
        ("10.0.0.1:80", ("10.0.0.1", 80)),
        ("[::1]:8443", ("::1", 8443)),
        ("::1", ("::1", 443)),
    ],
)
def test_connect_to_is_a_host_with_an_optional_port(text, expected):
    assert split_host_port(text, 443) == expected


@pytest.mark.parametrize("text", [":443", "alb:0", "alb:http", "[::1", "alb:65536"])
def test_a_malformed_connect_to_is_refused(text):
    with pytest.raises(ValueError):
        split_host_port(text, 443)
