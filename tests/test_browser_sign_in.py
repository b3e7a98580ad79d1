"""The front door in a real browser: headless Chromium (Debian's package, driven by Playwright) on
the launched `local` environment. A user invited with `webctl` opens the app, is sent to the hosted
UI, signs in with the temporary password from the outbox, sets a new one, is greeted by the sample
application, signs out, lands on the signed-out page, and is asked to sign in again; a disabled user
cannot sign in; the application refuses an identity header it cannot verify.

Nothing here is a fixture of the front door: the listener, the user pool and the running app are
what `sceptre launch local` made. Without Chromium the whole module is skipped, saying so."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cognito_support import messages_to, temporary_password

from sceptre_fargate_cognito.local_env import launch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# What runs headless here as root (docs/decisions.md, "Chromium headless"): no sandbox, no GPU, no QUIC, nothing in the background.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEBCTL = Path(sys.executable).parent / "webctl"
NEW_PASSWORD = "Browser-Chosen-Passw0rd!"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="the browser tier needs Chromium: `apt-get install chromium` (bin/setup --test does it as root)",
)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium):
    # A new profile per test (no cookie carries over); the throwaway CA is accepted, not trusted.
    context = chromium.new_context(ignore_https_errors=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def webctl(local, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(WEBCTL), "users", "local", *args],
        cwd=local.project,
        env=local.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def invite(local, email: str) -> str:
    """Invite `email` with webctl; its temporary password, read where a developer reads it."""
    webctl(local, "invite", email)
    (mail,) = messages_to(launch.outbox(local.workdir), email)
    return temporary_password(mail)


def sign_in(page, app_url: str, email: str, password: str) -> None:
    page.goto(app_url)
    page.wait_for_selector("input[name=username]")
    assert ".auth." in urlsplit(page.url).hostname, f"not sent to the hosted UI: {page.url}"
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[name=signInSubmitButton]")


def heading(page) -> str:
    return page.locator("h1").first.inner_text()


def test_an_invited_user_signs_in_sets_a_password_is_greeted_and_signs_out(launched_local, page):
    local = launched_local
    app_url = local.env["LOCAL_APP_URL"]
    email = "ada.browser@example.com"
    sign_in(page, app_url, email, invite(local, email))

    page.wait_for_selector("input[name=new_password]")  # an invited user must choose a password
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=confirm_password]", NEW_PASSWORD)
    page.click("button[name=change_password]")

    page.wait_for_url(f"{app_url.rstrip('/')}/**")
    assert heading(page) == f"Hello, {email}"
    assert any(c["name"].startswith("AWSELBAuthSessionCookie-") for c in page.context.cookies())

    page.click("text=Sign out")
    page.wait_for_url("**/signed-out")
    assert heading(page) == "You have signed out"
    assert urlsplit(page.url).hostname == urlsplit(app_url).hostname
    assert not any(c["name"].startswith("AWSELBAuthSessionCookie-") for c in page.context.cookies())

    page.goto(app_url)  # signed out means asked again, not silently let back in
    page.wait_for_selector("input[name=username]")
    assert ".auth." in urlsplit(page.url).hostname

    # And the new password is the one that works now.
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("button[name=signInSubmitButton]")
    page.wait_for_url(f"{app_url.rstrip('/')}/**")
    assert heading(page) == f"Hello, {email}"


def test_a_disabled_user_cannot_sign_in(launched_local, page):
    local = launched_local
    email = "bo.browser@example.com"
    password = invite(local, email)
    webctl(local, "disable", email)
    sign_in(page, local.env["LOCAL_APP_URL"], email, password)
    page.wait_for_load_state()
    assert ".auth." in urlsplit(page.url).hostname, f"a disabled user got past the hosted UI: {page.url}"
    assert "disabled" in page.content().lower()
    assert page.locator("input[name=new_password]").count() == 0


def test_the_app_refuses_an_identity_header_it_cannot_verify(launched_local, page):
    # Straight to the running task (as anything inside the VPC could), a forged x-amzn-oidc-data
    # is refused by the sample application's verifier.
    local = launched_local
    stack = local.client("cloudformation").describe_stacks(StackName="webapp-local-alb-ecs")["Stacks"][0]
    group = next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "TargetGroupArn")
    described = local.client("elbv2").describe_target_health(TargetGroupArn=group)
    healthy = [
        d["Target"] for d in described["TargetHealthDescriptions"] if d["TargetHealth"]["State"] == "healthy"
    ]
    assert healthy, "no healthy task to reach"
    forged = "eyJhbGciOiJFUzI1NiJ9.eyJlbWFpbCI6Im1hbGxvcnlAZXhhbXBsZS5jb20ifQ==.c2lnbmF0dXJl"
    page.set_extra_http_headers({"x-amzn-oidc-data": forged})
    response = page.goto(f"http://{healthy[0]['Id']}:{healthy[0]['Port']}/")
    assert response is not None and response.status == 401
    assert "mallory" not in page.content()
