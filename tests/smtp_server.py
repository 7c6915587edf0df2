"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

It can also misbehave on purpose: refuse some recipients for good (a hard bounce) or run a
callback while a message is in flight — used to kill the sending process at exact points.
"""

from __future__ import annotations

import email
import email.policy
import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.helpers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550
    on_rcpt: Callable[[str, int], None] | None = None  # (address, rcpt number) before replying
    on_data: Callable[[Received, int], object] | None = None  # after keeping it, before "250" (may be async)
    lock: threading.Lock = field(default_factory=threading.Lock)
    rcpt_count: int = 0
    rcpts: list[str] = field(default_factory=list)  # every RCPT TO, accepted or not

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_count += 1
            self.rcpts.append(address)
            number = self.rcpt_count
        if self.on_rcpt:
            self.on_rcpt(address, number)
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        item = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        with self.lock:
            self.received.append(item)
            number = len(self.received)
        if self.on_data:
            waiting = self.on_data(item, number)
            if inspect.isawaitable(waiting):  # a hook that holds this reply without stopping the server
                await waiting
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


class SmtpServer:
    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
