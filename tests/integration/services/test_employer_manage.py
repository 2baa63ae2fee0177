"""Staff accounts come from the management command, run as operators run it: a separate process."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import ROOT, Namespace
from tests.integration.services.conftest import Employer

pytestmark = pytest.mark.integration

PASSWORD = "人才中心 staff password 2026"


async def manage(
    namespace: Namespace, employer: Employer, *arguments: str, stdin: str
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.employer.manage", *arguments,
        cwd=ROOT,
        env=namespace.env(MONGO_DATABASE=employer.settings.mongo_database),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_create_staff_then_sign_in_as_staff(
    namespace: Namespace, employer: Employer, employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    code, out, err = await manage(
        namespace, employer, "create-staff", "--email", "Zhang.Min@Talent.example.cn", "--name", "张敏",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("staff account ")
    assert out.rstrip().endswith("created for zhang.min@talent.example.cn")

    login = await employer.client.post(
        "/auth/login", json={"email": "zhang.min@talent.example.cn", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    token = login.json()
    assert (token["role"], token["organisation_id"]) == ("staff", None)
    assert token["account_id"] in out
    listed = await employer.client.get(
        "/staff/organisations", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert listed.status_code == 200
    account = await employer_db["accounts"].find_one({"email": "zhang.min@talent.example.cn"})
    assert account is not None
    assert (account["role"], account["display_name"]) == ("staff", "张敏")
    assert PASSWORD not in str(account)  # only the hash is kept
    assert account["password_hash"].startswith("$argon2id$")

    again, _, err = await manage(
        namespace, employer, "create-staff", "--email", "zhang.min@talent.example.cn", "--name", "张敏",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert again == 1
    assert "not created: an account with the e-mail zhang.min@talent.example.cn already exists" in err
    assert await employer_db["accounts"].count_documents({}) == 1


async def test_a_short_password_creates_nothing(
    namespace: Namespace, employer: Employer, employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    code, out, err = await manage(
        namespace, employer, "create-staff", "--email", "ops@talent.example.cn", "--name", "Ops",
        stdin="短密码123\n",
    )  # fmt: skip
    assert code == 2
    assert out == ""
    assert "the password needs at least 10 characters; nothing created" in err
    assert await employer_db["accounts"].count_documents({}) == 0
    login = await employer.client.post(
        "/auth/login", json={"email": "ops@talent.example.cn", "password": "短密码123"}
    )
    assert login.status_code == 401


async def test_the_command_needs_its_arguments(namespace: Namespace, employer: Employer) -> None:
    code, _, err = await manage(namespace, employer, "create-staff", "--name", "张敏", stdin=PASSWORD + "\n")
    assert code == 2
    assert "--email" in err
    code, _, err = await manage(namespace, employer, stdin="")
    assert code == 2
    assert "create-staff" in err
