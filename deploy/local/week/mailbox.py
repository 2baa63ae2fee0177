"""A real local SMTP server (aiosmtpd) that keeps every message it receives in a Maildir.

The notification service sends its e-mail to ``SMTP_HOST``:``SMTP_PORT``; ``make run`` and
the end-to-end test point those here, so the mail the demo's seekers chose really arrives."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

HOST = "127.0.0.1"


class LocalMailbox:
    """The Maildir the server writes to; read it with any mail client or ``messages()``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def count(self) -> int:
        return len(mailbox.Maildir(self.path, create=False)) if (self.path / "new").exists() else 0

    def messages(self) -> list[Message]:
        return list(mailbox.Maildir(self.path, create=False))

    def clear(self) -> None:
        mailbox.Maildir(self.path).clear()


@contextmanager
def smtp_server(path: Path, port: int, host: str = HOST) -> Iterator[LocalMailbox]:
    """An SMTP server on ``host``:``port`` for the block, storing into the Maildir at ``path``."""
    for folder in ("cur", "new", "tmp"):
        (path / folder).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(path), hostname=host, port=port)
    controller.start()
    try:
        yield LocalMailbox(path)
    finally:
        controller.stop()
