"""``make run``: the dev infrastructure's services as processes, the demo week played on them,
its summary, then the running system until Ctrl-C.

    python -m deploy.local.week [--scale 0.05] [--seed 7]

A repeat run starts afresh: it first removes the previous demo's data, that is the dev
profile's ``talent_*`` databases and ``talent.*`` topics (nothing else), and its mailbox.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from deploy.local.infra import Profile
from deploy.local.processes import DEFAULT_PORTS, ServiceFailed, ServiceProcesses
from deploy.local.run_services import LOG_DIR, STATE_DIR, auth_secret, serve
from deploy.local.week.deployment import Deployment
from deploy.local.week.mailbox import LocalMailbox, smtp_server
from deploy.local.week.play import play_week
from deploy.local.week.progress import StepFailed
from deploy.local.week.reset import remove_demo_data
from deploy.local.week.sizes import FULL, Sizes, scaled
from deploy.local.week.summary import format_summary

PREFIX = "talent"
MAILDIR = STATE_DIR / "mailbox"


def say(message: str) -> None:
    print(f"[week] {message}", flush=True)


async def week_on(
    services: ServiceProcesses, deployment: Deployment, sizes: Sizes, seed: int, mail: LocalMailbox
) -> None:
    say(f"the market (seed {seed}): {sizes.employers:,} employers, {sizes.vacancies:,} vacancies, "
        f"{sizes.seekers:,} seekers, {sizes.interactive:,} of whom sign up themselves")  # fmt: skip
    played = await play_week(deployment, sizes, seed, mail, services.check_alive)
    print(format_summary(played.summary), flush=True)


def where(services: ServiceProcesses) -> None:
    for name in services.ports:
        page = "/" if name == "web" else "/docs"
        say(f"{name:13} {services.url(name)}{page}")
    say(f"mailbox       {MAILDIR} (a Maildir: mutt -f {MAILDIR})")
    say(f"service logs  {LOG_DIR}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.week", description=__doc__.splitlines()[0])
    full = f"{FULL.employers} employers, {FULL.vacancies} vacancies, {FULL.seekers} seekers"
    parser.add_argument("--scale", type=float, default=1.0, help=f"a fraction of the full week ({full})")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args(argv)
    sizes = scaled(arguments.scale)
    profile = Profile.load("dev")
    smtp_port = int(os.environ.get("SMTP_PORT", "1025"))
    deployment = Deployment(
        urls={name: f"http://127.0.0.1:{port}" for name, port in DEFAULT_PORTS.items()},
        kafka_bootstrap_servers=profile.kafka_bootstrap,
        mongo_url=profile.mongo_url,
        topic_prefix=f"{PREFIX}.",
        database_prefix=PREFIX,
        auth_secret=auth_secret(),
    )
    removed = asyncio.run(remove_demo_data(deployment))
    say(f"removed the previous demo's data: {removed}")
    env = {"AUTH_SECRET": deployment.auth_secret, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port)}
    services = ServiceProcesses(DEFAULT_PORTS, env, LOG_DIR)
    with smtp_server(MAILDIR, smtp_port) as mail:
        mail.clear()

        def the_week() -> None:
            asyncio.run(week_on(services, deployment, sizes, arguments.seed, mail))
            where(services)

        try:
            return serve(services, the_week)
        except StepFailed as failure:
            say(f"FAILED: {failure}\n[week] the services' logs are in {LOG_DIR}")
            return 1
        except ServiceFailed as failure:
            say(f"FAILED: {failure}")
            return 1


if __name__ == "__main__":
    sys.exit(main())
