"""Registering for a fair through the pages with what the scheduler uses: an employer's
interviewers, hours, break and interview bounds; a seeker's availability, interviews wanted
and a ranked wish; the fair API stores each as given."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from tests.e2e.browser.conftest import PASSWORD, STAFF_PASSWORD, Platform, log_in, shot
from tests.e2e.browser.market import matched_seeker, next_fair
from tests.helpers import wait_for

BEIJING = ZoneInfo("Asia/Shanghai")


def window(stored: dict[str, str]) -> tuple[str, str]:
    """A stored window as Beijing clock times (the fair API may keep another offset)."""
    starts, ends = (datetime.fromisoformat(stored[end]).astimezone(BEIJING) for end in ("starts", "ends"))
    return starts.strftime("%H:%M"), ends.strftime("%H:%M")


async def test_employer_and_seeker_register_with_their_scheduling_inputs(
    page: Page, platform: Platform
) -> None:
    staff = await platform.sign_in("employer", platform.staff_email, STAFF_PASSWORD)
    title = "周六面试日程专场"
    fair_id = await next_fair(platform, staff, title)
    seeker_email, seeker, seeded = await matched_seeker(platform, "数控编程员", seeker_name="赵磊")
    employer_id = (await platform.call("GET", "employer", "/organisations/mine", seeded.employer))["id"]

    await log_in(page, platform, seeded.employer_email, PASSWORD, "employer")
    booth = page.locator("article.item").filter(has_text=title)

    async def register_booth() -> bool:
        # The fair service learns of the approval and the vacancy from events: until then the
        # form's answer is a refusal page, and the form is filled again.
        await page.goto(f"{platform.web}/employer/fairs")
        await booth.locator("input[name=interviewers]").fill("2")
        await booth.locator("input[name=hours]").fill("09:30-11:30")
        await booth.locator("input[name=breaks]").fill("10:00-10:30")
        await booth.locator("input[name=minimum_interviews]").fill("1")
        await booth.locator("input[name=maximum_interviews]").fill("6")
        await booth.get_by_role("button", name="报名").click()
        await page.wait_for_load_state()
        return await page.get_by_role("status").filter(has_text="已报名").count() == 1

    await wait_for(
        register_booth, until=bool, timeout=60, what="the employer's registration through the form"
    )
    registration: dict[str, Any] = await platform.call(
        "GET", "fair", f"/fairs/{fair_id}/registration", seeded.employer
    )
    plan = registration["employer_plan"]
    assert plan["interviewers"] == 2
    assert window(plan["hours"]) == ("09:30", "11:30")
    assert [window(b) for b in plan["breaks"]] == [("10:00", "10:30")]
    assert (plan["minimum_interviews"], plan["maximum_interviews"]) == (1, 6)
    assert registration["vacancy_ids"] == [seeded.vacancy["id"]]

    await page.context.clear_cookies()
    await log_in(page, platform, seeker_email, PASSWORD, "seeker")
    await page.get_by_role("link", name="招聘会", exact=True).click()
    await page.locator("tr").filter(has_text=title).get_by_role("link", name="报名").click()
    await expect(page.locator("h1")).to_contain_text(title)
    await page.locator("input[name=availability]").fill("09:00-10:30，11:00-12:00")
    await page.locator("input[name=interviews_wanted]").fill("2")
    first_wish = page.get_by_label("第 1 意向")
    await expect(first_wish.locator("option", has_text="有匹配岗位")).to_have_count(1)
    await first_wish.select_option(employer_id)
    await shot(page, "seeker-fair-registration")
    await page.get_by_role("button", name="报名").click()
    await expect(page.locator("h2").first).to_have_text("我的行程")
    mine = await platform.call("GET", "fair", f"/fairs/{fair_id}/registration", seeker)
    wished = mine["seeker_plan"]
    assert [window(w) for w in wished["availability"]] == [("09:00", "10:30"), ("11:00", "12:00")]
    assert wished["interviews_wanted"] == 2
    assert wished["wishes"] == [employer_id]
