"""Signing up on the pages: a seeker (a refused password first), an employer and its
organisation, which then waits for approval."""

from __future__ import annotations

from uuid import uuid4

from playwright.async_api import Page, expect

from tests import factories
from tests.e2e.browser.conftest import PASSWORD, Platform, shot


async def test_a_seeker_signs_up_after_a_refused_password_and_fills_in_the_profile(
    page: Page, platform: Platform
) -> None:
    email = f"seeker-{uuid4().hex[:8]}@example.cn"
    await page.goto(f"{platform.web}/")
    await page.get_by_role("link", name="我要求职").click()
    await page.get_by_label("姓名").fill("陈静")
    await page.get_by_label("电子邮箱").fill(email)
    await page.get_by_label("密码").fill("short")
    await page.get_by_role("button", name="注册").click()
    refusal = page.get_by_role("alert")
    await expect(refusal).to_contain_text("密码")  # the field the API named, by its label here
    await expect(refusal).to_contain_text("at least 10 characters")
    await expect(page.get_by_label("电子邮箱")).to_have_value(email)

    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="注册").click()
    await expect(page.locator("h1")).to_have_text("为您推荐的岗位")  # signed in at once
    await page.get_by_role("navigation").get_by_role("link", name="个人资料").click()
    await page.locator("input[name=skills]").fill("电工操作，PLC编程、 焊接")
    await page.get_by_label("人才类别").select_option(label="高技能人才")
    await page.locator("form[action='/seeker/profile'] button").click()
    await expect(page.get_by_role("status")).to_have_text("资料已保存。")
    await expect(page.locator("input[name=skills]")).to_have_value("电工操作，PLC编程，焊接")
    await expect(page.get_by_label("人才类别")).to_have_value("high_skill")


async def test_an_employer_signs_up_and_registers_its_organisation_for_approval(
    page: Page, platform: Platform
) -> None:
    await page.goto(f"{platform.web}/signup/employer")
    await page.get_by_label("姓名").fill("周洁")
    await page.get_by_label("电子邮箱").fill(f"hr-{uuid4().hex[:8]}@example.cn")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="注册").click()
    await expect(page.locator("h1")).to_have_text("登记用人单位")

    await page.get_by_label("单位名称").fill("新乡电子科技有限公司")
    await page.get_by_label("统一社会信用代码").fill("91410500AAAAAAAAA0")  # a wrong check character
    await page.get_by_label("行业").fill("电子信息")
    await page.get_by_label("城市").fill("新乡")
    contact = page.get_by_role("group", name="联系人")
    await contact.get_by_label("姓名").fill("周洁")
    await contact.get_by_label("手机号").fill("+86 373 5555 0199")
    await contact.get_by_label("电子邮箱").fill("hr@xinxiang-electronics.cn")
    await page.get_by_role("button", name="提交审核").click()
    await expect(page.get_by_role("alert")).to_contain_text("统一社会信用代码")
    await expect(page.get_by_label("单位名称")).to_have_value("新乡电子科技有限公司")

    await page.get_by_label("统一社会信用代码").fill(factories.credit_code())
    await page.get_by_role("button", name="提交审核").click()
    await expect(page.locator("h1")).to_have_text("新乡电子科技有限公司")
    await expect(page.locator(".status")).to_have_text("待审核")
    await expect(page.get_by_role("link", name="发布岗位")).to_have_count(0)  # not before approval
    await shot(page, "employer-pending")
