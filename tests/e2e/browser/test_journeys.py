"""Longer walks through the pages: a seeker's live inbox, applying, consent, the fair's QR code
and deleting the account; an employer's ranked candidates and an invitation; staff's
diploma queue, check-ins and failed notifications."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.e2e.browser.conftest import PASSWORD, STAFF_PASSWORD, Platform, log_in, shot
from tests.e2e.browser.market import matched_seeker, next_fair
from tests.helpers import wait_for


async def test_a_seeker_gets_an_invitation_live_applies_and_manages_consent_fairs_and_account(
    page: Page, platform: Platform
) -> None:
    email, seeker, seeded = await matched_seeker(platform, "数控车床技师")
    seeker_id = (await platform.call("GET", "seeker", "/me", seeker))["id"]
    await log_in(page, platform, email, PASSWORD, "seeker")
    await page.get_by_role("link", name="消息").click()
    await expect(page.locator("h1")).to_have_text("消息")
    before = await page.locator("#inbox li.fresh").count()

    async def invite() -> int:
        candidates = await platform.call(
            "GET", "employer", f"/vacancies/{seeded.vacancy['id']}/candidates", seeded.employer
        )
        # Other tests' seekers with the same skills may be candidates too: invite this one.
        if not any(candidate["seeker_id"] == seeker_id for candidate in candidates["items"]):
            return 404
        body = {"seeker_id": seeker_id, "message": "请周六上午来展位面试。"}
        answer = await platform.api.post(
            f"{platform.urls['employer']}/vacancies/{seeded.vacancy['id']}/invitations",
            json=body, headers=seeded.employer,
        )  # fmt: skip
        return answer.status_code

    await wait_for(invite, until=lambda status: status == 201, timeout=60, what="the invitation")
    fresh = page.locator("#inbox li.fresh")  # added by the page's event stream, not by a reload
    await expect(fresh).to_have_count(before + 1, timeout=30_000)
    await expect(fresh.first).to_contain_text("安阳精密机械有限公司")
    await shot(page, "seeker-inbox-live")

    await page.get_by_role("link", name="推荐岗位").click()
    apply = page.locator("article.match").filter(has_text="数控车床技师").get_by_role("button", name="申请")
    await apply.click()
    await expect(page.get_by_role("status")).to_have_text("申请已提交。")
    await expect(page.locator("tbody")).to_contain_text("数控车床技师")
    # The matches page rendered anew (going back may show the same form, whose key replays the
    # first answer): a second application is refused, and said so.
    await page.get_by_role("link", name="推荐岗位").click()
    await apply.click()
    await expect(page.locator("h1")).to_have_text("与当前状态冲突")
    await expect(page.get_by_role("alert")).to_contain_text("you already applied to this vacancy")

    await page.get_by_role("link", name="个人资料").click()
    personalised = page.get_by_label("根据我的资料个性化推荐岗位")
    await expect(personalised).to_be_checked()
    await personalised.uncheck()
    await page.locator("form[action='/seeker/consent'] button").click()
    await expect(page.get_by_role("status")).to_have_text("授权设置已保存。")
    await expect(page.get_by_label("根据我的资料个性化推荐岗位")).not_to_be_checked()
    await shot(page, "seeker-profile-consent")

    staff = await platform.sign_in("employer", platform.staff_email, STAFF_PASSWORD)
    await next_fair(platform, staff, "周六数控人才专场")
    await page.get_by_role("link", name="招聘会", exact=True).click()
    await page.locator("tr").filter(has_text="周六数控人才专场").get_by_role("link", name="报名").click()
    await page.get_by_role("button", name="报名").click()  # the form's inputs left at their defaults
    await expect(page.locator("h1")).to_contain_text("周六数控人才专场")
    await expect(page.locator(".qr .code")).not_to_be_empty()
    qr = page.locator(".qr img")
    await expect(qr).to_have_js_property("complete", True)
    assert await qr.evaluate("image => image.naturalWidth") > 100  # the fair service's PNG came through
    await shot(page, "seeker-itinerary-qr")

    await page.get_by_role("link", name="个人资料").click()
    await page.get_by_role("button", name="注销账号").click()
    await expect(page.get_by_role("alert")).to_have_text("请先勾选确认。")
    await page.get_by_label("我确认注销账号，此操作无法撤销").check()
    await page.get_by_role("button", name="注销账号").click()
    await expect(page.locator("h1")).to_have_text("账号已注销")
    signing_in = await platform.api.post(
        f"{platform.urls['seeker']}/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert signing_in.status_code == 401  # the account is gone
    await page.goto(f"{platform.web}/seeker/matches")
    await expect(page.locator("h1")).to_have_text("登录")  # signed out


async def test_an_employer_reads_ranked_candidates_with_reasons_and_invites_one(
    page: Page, platform: Platform
) -> None:
    _, _, seeded = await matched_seeker(platform, "数控设备调试员")
    candidates = f"/vacancies/{seeded.vacancy['id']}/candidates"
    await wait_for(
        lambda: platform.call("GET", "employer", candidates, seeded.employer),
        until=lambda page: page["total"] > 0, what="the vacancy's candidate",
    )  # fmt: skip

    await log_in(page, platform, seeded.employer_email, PASSWORD, "employer")
    await page.locator("tr").filter(has_text="数控设备调试员").get_by_role("link", name="候选人").click()
    candidate = page.locator("article.match").filter(has_text="王小明")
    await expect(candidate.locator(".reasons")).to_contain_text("具备所需技能")
    await candidate.locator("input[name=message]").fill("请周六上午十点来展位面试。")
    await candidate.get_by_role("button", name="邀请面试").click()
    await expect(page.get_by_role("status")).to_have_text("邀请已发送。")
    await expect(page.locator("article.match").filter(has_text="王小明")).to_contain_text("已邀请，等待回复")
    await shot(page, "employer-candidates")


async def test_staff_verify_a_diploma_and_watch_check_ins(page: Page, platform: Platform) -> None:
    _, seeker = await platform.seeker_user("赵敏")
    claim = {"level": "bachelor", "school": "郑州大学", "major": "材料科学", "graduation_year": 2024,
             "certificate_number": "1045-1202-4000-1234"}  # fmt: skip
    await platform.call("POST", "seeker", "/me/credentials", seeker, json=claim)
    staff = await platform.sign_in("employer", platform.staff_email, STAFF_PASSWORD)
    fair_id = await next_fair(platform, staff, "周六毕业生专场")
    registration = await platform.call("POST", "fair", f"/fairs/{fair_id}/seeker-registration", seeker)

    await log_in(page, platform, platform.staff_email, STAFF_PASSWORD, "employer")
    await page.get_by_role("link", name="学历核验").click()
    row = page.locator("tr").filter(has_text="1045-1202-4000-1234")
    await expect(row).to_contain_text("郑州大学")
    await expect(row).to_contain_text("本科")
    await row.get_by_role("button", name="核验通过").click()
    await expect(page.locator("tr").filter(has_text="1045-1202-4000-1234")).to_have_count(0)

    await page.goto(f"{platform.web}/staff/fairs/{fair_id}/check-ins")
    checked_in = page.locator("[data-count=seekers_checked_in]")
    await expect(checked_in).to_have_text("0")
    await expect(page.locator("[data-count=seekers_registered]")).to_have_text("1")
    await platform.call(
        "POST", "fair", f"/staff/fairs/{fair_id}/check-ins", staff, json={"code": registration["code"]}
    )
    await expect(checked_in).to_have_text("1", timeout=15_000)  # the page refreshes its counts itself
    await shot(page, "staff-check-ins")

    await page.get_by_role("link", name="失败通知").click()
    await expect(page.locator("h1")).to_have_text("失败通知")
    await page.get_by_role("link", name="统计").click()
    # this test's fair has not begun (it is next Saturday's), so it is not among the fairs held;
    # other tests' fairs may be, so nothing is said of the table as a whole
    await expect(page.locator("tr.total")).to_contain_text("合计")
    await expect(page.locator("tbody")).not_to_contain_text("周六毕业生专场")
    await shot(page, "staff-statistics")
