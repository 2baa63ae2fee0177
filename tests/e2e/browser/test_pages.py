"""The web pages in headless Chromium against the real platform: every scenario seeds through
the public APIs, then does and checks what a person would on the pages."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
from playwright.async_api import Page, expect

from tests import factories
from tests.e2e.browser.conftest import PASSWORD, STAFF_PASSWORD, Platform, log_in, shot
from tests.e2e.browser.market import CNC_SEEKER, matched_seeker, next_fair
from tests.helpers import wait_for


async def test_a_seeker_sees_a_match_and_its_reasons(page: Page, platform: Platform) -> None:
    email, _, _ = await matched_seeker(platform, "数控机床操作工")

    await log_in(page, platform, email, PASSWORD, "seeker")

    match = page.locator("article.match").filter(has_text="数控机床操作工")
    await expect(match.locator("h2")).to_have_text("数控机床操作工")
    await expect(match.locator(".reasons")).to_contain_text("具备所需技能")
    await expect(match.locator(".reasons")).to_contain_text("数控编程")
    await expect(page.locator("h1")).to_have_text("为您推荐的岗位")
    await shot(page, "seeker-matches-zh")


async def test_an_employer_sees_the_protected_attribute_refusal(page: Page, platform: Platform) -> None:
    email, _ = await platform.employer_user("郑州宏达物流有限公司", approved=True)
    await log_in(page, platform, email, PASSWORD, "employer")
    await expect(page.locator("h1")).to_have_text("郑州宏达物流有限公司")

    await page.get_by_role("link", name="发布岗位").click()
    await page.locator("input[name=title]").fill("仓库管理员")
    await page.locator("textarea[name=description]").fill("负责仓库进出货登记，限男性，35岁以下。")
    await page.locator("input[name=skills]").fill("仓储管理，叉车")
    await page.locator("input[name=city]").fill("郑州")
    await page.locator("input[name=salary_min]").fill("5000")
    await page.locator("input[name=salary_max]").fill("7000")
    await page.get_by_role("button", name="保存").click()

    await expect(page.locator(".alert.refused")).to_contain_text("含有法律禁止的招聘限制")
    refusal = page.locator(".alert").last  # the API's words, with the field named
    await expect(refusal).to_contain_text("protected attribute")
    await expect(refusal).to_contain_text("35岁以下")
    await expect(refusal).to_contain_text("岗位描述")
    await expect(page.locator("input[name=title]")).to_have_value("仓库管理员")  # what was typed stays
    await shot(page, "employer-vacancy-refused")


async def test_the_language_switch_shows_english(page: Page, platform: Platform) -> None:
    await page.goto(f"{platform.web}/login")
    await expect(page.locator("h1")).to_have_text("登录")
    await page.get_by_role("link", name="English").click()
    await expect(page.locator("h1")).to_have_text("Sign in")
    await expect(page.get_by_text("a job seeker")).to_be_visible()
    await page.goto(f"{platform.web}/")
    await expect(page.locator("h1")).to_have_text("City talent market · weekly job fair")
    await shot(page, "home-en")
    await page.get_by_role("link", name="中文").click()
    await expect(page.locator("h1")).to_have_text("城市人才市场 · 每周招聘会")


async def test_staff_approve_an_employer_then_read_a_fairs_schedule_and_statistics(
    page: Page, platform: Platform
) -> None:
    _, pending = await platform.employer_user("安阳新能源装备有限公司", approved=False)
    await log_in(page, platform, platform.staff_email, STAFF_PASSWORD, "employer")
    row = page.locator("tr").filter(has_text="安阳新能源装备有限公司")
    await expect(row).to_contain_text("待审核")
    await shot(page, "staff-approval-queue")
    await row.get_by_role("button", name="通过").click()
    await expect(page.locator("tr").filter(has_text="安阳新能源装备有限公司")).to_have_count(0)
    await page.get_by_role("link", name="已通过").click()
    await expect(page.locator("tr").filter(has_text="安阳新能源装备有限公司")).to_contain_text("已通过")

    # A fair with that employer at a booth, a matched seeker, both checked in, one hire.
    staff = await platform.sign_in("employer", platform.staff_email, STAFF_PASSWORD)
    fair_id = await next_fair(platform, staff, "周六高技能人才招聘会")
    vacancy = await platform.call(
        "POST", "employer", "/vacancies", pending, json=factories.vacancy(title="光伏设备运维工程师")
    )

    async def register() -> httpx.Response:
        return await platform.api.post(
            f"{platform.urls['fair']}/fairs/{fair_id}/employer-registration",
            headers=pending, json={"vacancy_ids": [vacancy["id"]]},
        )  # fmt: skip

    # The fair service learns of the new vacancy from the employer service's event.
    answer = await wait_for(
        register, until=lambda answer: answer.status_code != 422, what="the fair service to know the vacancy"
    )
    assert answer.status_code == 201, answer.text
    registration = answer.json()
    await platform.call(
        "POST", "fair", f"/staff/fairs/{fair_id}/registrations/{registration['id']}/approve", staff
    )
    _, seeker = await platform.seeker_user("李华", **CNC_SEEKER)
    seeker_registration = await platform.call("POST", "fair", f"/fairs/{fair_id}/seeker-registration", seeker)

    async def schedule() -> int:
        answer = await platform.api.post(
            f"{platform.urls['fair']}/staff/fairs/{fair_id}/schedule", headers=staff
        )
        return answer.status_code

    await wait_for(
        schedule,
        until=lambda status: status == 202,
        timeout=90,
        what="a scheduling run with the matched pair",
    )

    async def summary() -> dict[str, Any]:
        answer = await platform.api.get(
            f"{platform.urls['fair']}/staff/fairs/{fair_id}/schedule", headers=staff
        )
        return dict(answer.json())

    await wait_for(
        summary,
        until=lambda state: bool(state.get("schedule_summary")) and state.get("schedule_run") is None,
        timeout=90,
        what="the run's schedule published",
    )
    for code in (registration["code"], seeker_registration["code"]):
        await platform.call("POST", "fair", f"/staff/fairs/{fair_id}/check-ins", staff, json={"code": code})
    outcome = {
        "seeker_id": seeker_registration["participant_id"],
        "employer_id": registration["participant_id"],
        "outcome": "hired",
    }
    await platform.call("POST", "fair", f"/staff/fairs/{fair_id}/outcomes", staff, json=outcome)  # fmt: skip

    await page.get_by_role("link", name="招聘会", exact=True).click()
    await (
        page.locator("tr")
        .filter(has_text="周六高技能人才招聘会")
        .get_by_role("link", name="面试日程")
        .click()
    )
    by_booth = page.locator("section").filter(has=page.get_by_role("heading", name="按展位"))
    await expect(by_booth).to_contain_text("A01 · 安阳新能源装备有限公司")
    by_seeker = page.locator("section").filter(has=page.get_by_role("heading", name="按求职者"))
    await expect(by_seeker).to_contain_text(seeker_registration["participant_id"][:8])
    await shot(page, "staff-schedule")

    await page.goto(f"{platform.web}/staff/fairs/{fair_id}/statistics")
    await expect(page.locator("dl.figures")).to_contain_text("录用")
    demand = page.locator("figure").filter(has_text="按人才类别的需求").locator("svg.chart")
    await expect(demand).to_contain_text("高技能人才")
    outcomes = page.locator("figure").filter(has_text="本场招聘会").locator("svg.chart")
    await expect(outcomes.locator("rect title").filter(has_text="录用: 1")).to_have_count(1)
    await shot(page, "staff-fair-statistics")


async def test_pages_work_under_their_content_security_policy(page: Page, platform: Platform) -> None:
    email, _ = await platform.seeker_user("孙丽")
    await log_in(page, platform, email, PASSWORD, "seeker")
    await expect(page).to_have_url(f"{platform.web}/seeker/matches")
    violations: list[str] = []
    await page.expose_function("reportViolation", lambda directive: violations.append(directive))
    await page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => reportViolation(e.violatedDirective))"
    )

    answer = await page.goto(f"{platform.web}/seeker/fairs/{uuid4()}")
    assert answer is not None
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    await expect(page.locator("h1")).to_have_text("未找到")
    await page.locator("a[data-back]").click()  # the back link's script is a static file
    await expect(page).to_have_url(f"{platform.web}/seeker/matches")
    await page.goto(f"{platform.web}/seeker/inbox")
    await expect(page.locator("h1")).to_be_visible()
    assert violations == []
