"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests, with switchable failures.

    with running_smtp_server() as server:
        ...  # send to server.host:server.port
        server.handler.messages  # what it accepted

The server listens on a port the OS picks, runs in a thread, and is stopped (thread joined,
socket closed) when the block ends, so nothing outlives the test.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    """Accepts and records messages, unless told to fail.

    temp_fail: address -> how many more RCPT attempts get "451" (then accepted).
    perm_fail: addresses refused with "550" at RCPT.
    drop_after: after this many accepted messages, the next DATA drops the connection without
        answering (the message is not accepted), once; with stay_down the server then answers
        every MAIL FROM with "421" until `down` is set back to False.
    """

    temp_fail: dict[str, int] = field(default_factory=dict)
    perm_fail: set[str] = field(default_factory=set)
    drop_after: int | None = None
    stay_down: bool = False
    down: bool = False
    record: bool = True
    # Seconds to take over each message (a slower server makes concurrent senders overlap).
    delay: float = 0.0
    messages: list[Received] = field(default_factory=list)
    rcpt_attempts: Counter[str] = field(default_factory=Counter)
    connections: int = 0
    accepted: int = 0
    drops: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.down:
            return "421 4.3.2 Service not available, closing transmission channel"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self._lock:
            self.rcpt_attempts[address] += 1
            if address in self.perm_fail:
                return "550 5.1.1 No such mailbox here"
            if self.temp_fail.get(address, 0) > 0:
                self.temp_fail[address] -= 1
                return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            if self.drop_after is not None and self.accepted >= self.drop_after:
                self.drop_after = None
                self.drops += 1
                if self.stay_down:
                    self.down = True
                # No answer: the client sees the connection vanish mid-message.
                server.transport.abort()
                return "421 4.3.2 Connection dropped"
            self.accepted += 1
            if self.record:
                self.messages.append(
                    Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
                )
        return "250 2.0.0 Message accepted"

    def to(self, address: str) -> list[Received]:
        """Messages accepted for this address."""
        return [m for m in self.messages if address in m.rcpt_tos]

    def per_recipient(self) -> Counter[str]:
        return Counter(rcpt for m in self.messages for rcpt in m.rcpt_tos)


class _BoundController(Controller):
    """aiosmtpd's threaded controller serving on a socket already bound to a free port."""

    def __init__(self, handler: Any, sock: socket.socket) -> None:
        host, port = sock.getsockname()
        super().__init__(handler, hostname=host, port=port, ready_timeout=10)
        self._sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


@dataclass
class SMTPServer:
    host: str
    port: int
    handler: RecordingHandler

    def config(self) -> dict[str, object]:
        """App settings that send mail here (plain SMTP is allowed only on loopback)."""
        return {
            "SMTP_HOST": self.host,
            "SMTP_PORT": self.port,
            "SMTP_SECURITY": "none",
            "SMTP_RETRY_BACKOFF": 0.01,
            "SMTP_TIMEOUT": 10,
            "SMTP_LOCAL_HOSTNAME": "tests.localhost",
        }


@contextmanager
def running_smtp_server(handler: RecordingHandler | None = None) -> Iterator[SMTPServer]:
    """Start an SMTP server on 127.0.0.1 and stop it when the block ends."""
    handler = handler or RecordingHandler()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        controller = _BoundController(handler, sock)
        controller.start()
    except BaseException:
        sock.close()
        raise
    try:
        yield SMTPServer(host="127.0.0.1", port=sock.getsockname()[1], handler=handler)
    finally:
        controller.stop()
        sock.close()
        controller.loop.close()
