"""Sessions in headless Chromium: the CSRF check, signing out, an expired or refused token, and
every role's pages as each other role sees them (read from the web app's route table, so a page
added without its role check fails here)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from playwright.async_api import Page, expect

from services.web.bootstrap import create_app
from services.web.core.config import Settings
from shared.auth import Principal, Role, TokenIssuer
from tests.conftest import AUTH_SECRET
from tests.e2e.browser.conftest import PASSWORD, STAFF_PASSWORD, Platform, log_in
from tests.e2e.browser.market import CNC_SEEKER

pytestmark = pytest.mark.integration

TOKEN_COOKIE = "talent_token"  # the local profile serves plain http: no __Host- prefix
CSRF_REFUSED = "表单已失效，请刷新页面后重试。"
ROLE_PREFIXES = {"seeker": "/seeker", "employer": "/employer", "staff": "/staff"}


def role_pages() -> dict[str, list[str]]:
    """Every page (GET route) of each role's part of the site, with made-up ids."""
    app = create_app(Settings())
    pages: dict[str, list[str]] = {role: [] for role in ROLE_PREFIXES}
    for context in iter_route_contexts(app.routes):
        path = context.path
        if (
            not isinstance(context.original_route, APIRoute)
            or path is None
            or "GET" not in (context.methods or ())
        ):
            continue
        for role, prefix in ROLE_PREFIXES.items():
            if path == prefix or path.startswith(f"{prefix}/"):
                pages[role].append(re.sub(r"\{\w+\}", lambda _: str(uuid4()), path))
    return pages


async def signed_in(page: Page, platform: Platform, role: str) -> None:
    if role == "staff":
        await log_in(page, platform, platform.staff_email, STAFF_PASSWORD, "employer")
    elif role == "employer":
        email, _ = await platform.employer_user(f"测试会话公司{uuid4().hex[:4]}", approved=True)
        await log_in(page, platform, email, PASSWORD, "employer")
    else:
        email, _ = await platform.seeker_user("王小明", **CNC_SEEKER)
        await log_in(page, platform, email, PASSWORD, "seeker")
    await expect(page.locator("form[action='/logout']")).to_be_visible()


def sent_to_sign_in(page: Page, path: str) -> bool:
    url = urlsplit(page.url)
    return url.path == "/login" and parse_qs(url.query).get("next") == [path]


@pytest.mark.parametrize("role", sorted(ROLE_PREFIXES))
async def test_each_role_is_sent_away_from_every_other_roles_pages(
    page: Page, platform: Platform, role: str
) -> None:
    pages = role_pages()
    assert all(pages.values()), f"every role has pages: {pages}"
    await signed_in(page, platform, role)
    shown = []
    for other, paths in pages.items():
        if other == role:
            continue
        for path in paths:
            await page.goto(f"{platform.web}{path}")
            if not sent_to_sign_in(page, path):
                shown.append(f"{path} -> {page.url}")
    assert not shown, f"a {role} was shown other roles' pages: {shown}"
    # and the role's own home page still opens for it
    own = ROLE_PREFIXES[role] + (
        "/organisations" if role == "staff" else "/matches" if role == "seeker" else ""
    )
    await page.goto(f"{platform.web}{own}")
    assert urlsplit(page.url).path == own


async def test_signing_out_ends_the_session(page: Page, platform: Platform) -> None:
    await signed_in(page, platform, "seeker")
    await page.goto(f"{platform.web}/seeker/matches")
    await page.get_by_role("button", name="退出").click()
    await expect(page).to_have_url(f"{platform.web}/")
    assert not [c for c in await page.context.cookies() if c["name"] == TOKEN_COOKIE]
    await page.goto(f"{platform.web}/seeker/matches")
    assert sent_to_sign_in(page, "/seeker/matches")
    await page.go_back()  # the page is not served again from the cache (no-store)
    assert urlsplit(page.url).path in {"/", "/login"}


async def test_a_form_with_a_forged_csrf_token_is_refused_and_changes_nothing(
    page: Page, platform: Platform
) -> None:
    await signed_in(page, platform, "seeker")
    await page.goto(f"{platform.web}/seeker/profile")
    sign_out = page.locator("form[action='/logout']")
    await sign_out.locator("input[name=csrf]").evaluate("input => input.value = 'forged-' + input.value")
    await sign_out.get_by_role("button").click()
    await expect(page.locator("body")).to_contain_text(CSRF_REFUSED)
    await page.goto(f"{platform.web}/seeker/matches")
    assert urlsplit(page.url).path == "/seeker/matches", "the refused sign-out must not sign out"


async def test_a_form_from_before_sign_in_is_refused(page: Page, platform: Platform) -> None:
    """Signing in starts a new session: a form served to the old one no longer passes."""
    email, _ = await platform.seeker_user("王小明", **CNC_SEEKER)
    stale = await page.context.new_page()
    await stale.goto(f"{platform.web}/login")  # its form carries the pre-sign-in session's token
    await log_in(page, platform, email, PASSWORD, "seeker")
    await expect(page.locator("form[action='/logout']")).to_be_visible()
    await stale.locator("input[name=side][value=seeker]").check()
    await stale.locator("input[name=email]").fill(email)
    await stale.locator("input[name=password]").fill(PASSWORD)
    await stale.locator("form.form button.primary").click()
    await expect(stale.locator("body")).to_contain_text(CSRF_REFUSED)
    await stale.close()


def token(role: Role, account_id: UUID, ttl: timedelta, secret: str = AUTH_SECRET) -> str:
    return TokenIssuer(secret, ttl).issue(Principal(account_id=account_id, role=role))


REFUSED_TOKENS = {
    "expired": (timedelta(seconds=-5), AUTH_SECRET),
    "signed with another secret": (timedelta(minutes=10), "another secret, forty characters long ..."),
}


@pytest.mark.parametrize("case", sorted(REFUSED_TOKENS))
async def test_an_expired_or_refused_token_sends_the_browser_to_sign_in(
    page: Page, platform: Platform, case: str
) -> None:
    ttl, secret = REFUSED_TOKENS[case]
    _, headers = await platform.seeker_user("王小明", **CNC_SEEKER)
    bearer_token = headers["Authorization"].removeprefix("Bearer ")
    account = TokenIssuer(AUTH_SECRET, timedelta(minutes=1)).verify(bearer_token)
    host = urlsplit(platform.web).hostname
    value = token(Role.SEEKER, account.account_id, ttl, secret)
    await page.context.add_cookies([{"name": TOKEN_COOKIE, "value": value, "domain": host, "path": "/"}])

    await page.goto(f"{platform.web}/seeker/profile")

    assert sent_to_sign_in(page, "/seeker/profile"), f"{case}: {page.url}"
    await expect(page.locator("input[name=email]")).to_be_visible()
    if case != "expired":  # the web process reads an expired token's claims and sends no request
        kept = [c for c in await page.context.cookies() if c["name"] == TOKEN_COOKIE]
        assert not kept, "the token the APIs refused is dropped"
