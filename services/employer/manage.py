"""Staff accounts are made here, never by sign-up.

    python -m services.employer.manage create-staff --email ops@talent.example.cn --name 张敏

The password is read from the terminal (or the first line of stdin when piped).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from shared.auth import Role
from shared.auth.accounts import Accounts
from shared.config import ServiceSettings
from shared.errors import Conflict
from shared.store.mongo import Store

MIN_PASSWORD = 10


async def create_staff(settings: ServiceSettings, email: str, name: str, password: str) -> int:
    store = Store(settings.mongo_url, settings.mongo_database)
    await store.open()
    try:
        accounts = Accounts(store)
        await accounts.ensure_indexes()
        account = await accounts.insert(Accounts.document(email, password, Role.STAFF, name))
    except Conflict as error:
        print(f"not created: {error.message}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    print(f"staff account {account.id} created for {account.email}")
    return 0


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if first != getpass.getpass("again: "):
            sys.exit("the passwords differ; nothing created")
        return first
    return sys.stdin.readline().rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.employer.manage")
    commands = parser.add_subparsers(dest="command", required=True)
    staff = commands.add_parser("create-staff", help="create a talent-centre staff account")
    staff.add_argument("--email", required=True)
    staff.add_argument("--name", required=True, help="display name")
    arguments = parser.parse_args(argv)
    from services.employer.core.config import settings  # read from the environment only when run

    password = read_password()
    if len(password) < MIN_PASSWORD:
        print(f"the password needs at least {MIN_PASSWORD} characters; nothing created", file=sys.stderr)
        return 2
    return asyncio.run(create_staff(settings, arguments.email, arguments.name, password))


if __name__ == "__main__":
    sys.exit(main())
