"""The web front end over the real employer and seeker services: headers, CSRF bound to the
session, Secure cookies, and sign-in throttling seen through the login form."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.employer.bootstrap import create_app as create_employer_app
from services.seeker.bootstrap import create_app as create_seeker_app
from services.web.bootstrap import create_app as create_web_app
from services.web.core.config import Settings
from tests import factories
from tests.conftest import Namespace
from tests.helpers import serving, settings_for

pytestmark = [pytest.mark.integration, pytest.mark.security]
WRONG = "not my password at all"


@dataclass
class Site:
    web: FastAPI
    seeker: FastAPI
    seeker_api: httpx.AsyncClient

    def browser(self, address: str = "192.0.2.10") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.web, client=(address, 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://web.test")

    async def seeker_account(self) -> tuple[str, str]:
        email = f"seeker-{uuid4().hex[:8]}@example.cn"
        body = factories.sign_up(email)
        assert (await self.seeker_api.post("/auth/register", json=body)).status_code == 201
        return email, body["password"]


@asynccontextmanager
async def site(namespace: Namespace, *, secure_cookies: bool = False) -> AsyncIterator[Site]:
    """The web app calling the two APIs in this process; like uvicorn, each API takes the
    client's address from the web's ``X-Forwarded-For`` (it trusts 127.0.0.1, the web here)."""
    apis = {"employer": create_employer_app, "seeker": create_seeker_app}
    web = create_web_app(
        Settings(
            employer_url="http://employer.test",
            seeker_url="http://seeker.test",
            secure_cookies=secure_cookies,
        )
    )
    employer = apis["employer"](settings_for(namespace, "employer"))
    seeker = apis["seeker"](settings_for(namespace, "seeker"))
    async with serving(employer), serving(seeker) as seeker_api, web.router.lifespan_context(web):
        await web.state.backend.client.aclose()
        web.state.backend.client = httpx.AsyncClient(
            mounts={
                f"http://{name}.test": httpx.ASGITransport(app=ProxyHeadersMiddleware(app))  # type: ignore[arg-type]
                for name, app in (("employer", employer), ("seeker", seeker))
            }
        )
        yield Site(web, seeker, seeker_api)


async def csrf_of(browser: httpx.AsyncClient, path: str = "/login") -> str:
    page = await browser.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def login_form(csrf: str, email: str, password: str) -> dict[str, str]:
    return {"csrf": csrf, "side": "seeker", "email": email, "password": password, "next": ""}


async def test_pages_carry_the_security_headers(namespace: Namespace) -> None:
    async with site(namespace) as s, s.browser() as browser:
        email, password = await s.seeker_account()
        login = await browser.get("/login")
        signed_in = await browser.post("/login", data=login_form(await csrf_of(browser), email, password))
        assert signed_in.status_code == 303, signed_in.text
        matches = await browser.get("/seeker/matches")
        assert matches.status_code == 200
        for page in (login, matches):
            policy = page.headers["Content-Security-Policy"]
            assert "script-src 'self';" in policy
            assert "frame-ancestors 'none'" in policy
            assert "unsafe-inline" not in policy
            assert page.headers["X-Frame-Options"] == "DENY"
            assert page.headers["X-Content-Type-Options"] == "nosniff"
            assert page.headers["Referrer-Policy"] == "same-origin"
            assert page.headers["Cache-Control"] == "no-store"
        script = await browser.get("/static/live.js")
        assert script.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" not in script.headers.get("Cache-Control", "")
        assert "<script>" not in matches.text
        api = await s.seeker_api.get("/vacancies")
        assert api.headers["X-Content-Type-Options"] == "nosniff"
        assert api.headers["Cache-Control"] == "no-store"


async def test_a_login_with_another_sessions_csrf_token_is_refused(namespace: Namespace) -> None:
    async with site(namespace) as s, s.browser() as attacker, s.browser() as victim:
        email, password = await s.seeker_account()  # the attacker's own account
        planted = await csrf_of(attacker)
        await victim.get("/login")  # the victim's own session
        refused = await victim.post("/login", data=login_form(planted, email, password))
        assert refused.status_code == 403
        assert "talent_token" not in victim.cookies
        assert (await victim.post("/login", data=login_form("令牌", email, password))).status_code == 403

        # login CSRF: a sibling site plants the attacker's cookies and posts the attacker's form
        for name, value in attacker.cookies.items():
            victim.cookies.set(name, value)
        forged = await victim.post(
            "/login", data=login_form(planted, email, password), headers={"Sec-Fetch-Site": "same-site"}
        )
        assert forged.status_code == 403
        assert "talent_token" not in victim.cookies


async def test_sign_in_starts_a_new_session(namespace: Namespace) -> None:
    async with site(namespace) as s, s.browser() as browser:
        email, password = await s.seeker_account()
        before = await csrf_of(browser)
        session_before = browser.cookies["talent_session"]
        assert (await browser.post("/login", data=login_form(before, email, password))).status_code == 303
        assert browser.cookies["talent_session"] != session_before
        assert (await browser.post("/logout", data={"csrf": before})).status_code == 403
        after = await csrf_of(browser, "/seeker/matches")
        assert (await browser.post("/logout", data={"csrf": after})).status_code == 303


async def test_cookies_are_secure_host_cookies_by_default(namespace: Namespace) -> None:
    assert Settings(_env_file=None).secure_cookies is True
    async with site(namespace, secure_cookies=True) as s, s.browser() as browser:
        email, password = await s.seeker_account()
        page = await browser.get("/login")
        [session] = page.headers.get_list("set-cookie")
        assert session.startswith("__Host-talent_session=")
        assert "secure" in session.lower()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        cookie = session.split(";")[0]
        signed_in = await browser.post(
            "/login", data=login_form(csrf.group(1), email, password), headers={"Cookie": cookie}
        )
        assert signed_in.status_code == 303, signed_in.text
        cookies = signed_in.headers.get_list("set-cookie")
        assert {c.split("=")[0] for c in cookies} == {"__Host-talent_token", "__Host-talent_session"}
        assert all("secure" in c.lower() and "httponly" in c.lower() for c in cookies)


async def test_the_login_form_says_how_long_to_wait_after_repeated_failures(namespace: Namespace) -> None:
    async with site(namespace) as s, s.browser() as browser, s.browser("198.51.100.20") as elsewhere:
        email, password = await s.seeker_account()
        other_email, other_password = await s.seeker_account()
        csrf = await csrf_of(browser)
        for _ in range(5):
            wrong = await browser.post("/login", data=login_form(csrf, email, WRONG))
            assert wrong.status_code == 401
        refused = await browser.post("/login", data=login_form(csrf, email, password))
        assert refused.status_code == 429
        assert "登录失败次数过多" in refused.text
        assert "1 分钟后再试" in refused.text
        browser.cookies.set("talent_lang", "en")
        in_english = await browser.post("/login", data=login_form(csrf, email, password))
        assert "Too many failed sign-ins" in in_english.text
        assert "try again in 1 min" in in_english.text

        other = await elsewhere.post(
            "/login", data=login_form(await csrf_of(elsewhere), other_email, other_password)
        )
        assert other.status_code == 303, "another person elsewhere signs in as usual"

        s.seeker.state.login_throttle.clock = lambda: time.time() + 16
        assert (await browser.post("/login", data=login_form(csrf, email, password))).status_code == 303
