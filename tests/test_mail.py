"""The mail layer against a real SMTP server on loopback, and its TLS rules."""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from app.mail import (
    WIRE_POLICY,
    DeliveryResult,
    Mail,
    OutboxBackend,
    SMTPBackend,
    build_message,
    get_backend,
    message_bytes,
    render_mail,
    send,
)
from tests.smtp_server import RecordingHandler, SMTPServer, running_smtp_server

SENDER = "GiveFirst <no-reply@givefirst.test>"


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def server(handler: RecordingHandler) -> Iterator[SMTPServer]:
    with running_smtp_server(handler) as running:
        yield running


def backend_for(server: SMTPServer, **kw: Any) -> SMTPBackend:
    kw.setdefault("backoff", 0.01)
    return SMTPBackend(
        server.host, server.port, SENDER, security="none", local_hostname="tests.localhost", **kw
    )


def mails(*names: str) -> list[Mail]:
    return [
        Mail(
            to=f"{name}@school.test",
            subject=f"Hello {name}: café",
            text=f"Hello {name}, à bientôt.\n" + "long line " * 40,
            html=f"<p>Hello {name}</p>",
            headers={
                "List-Unsubscribe": "<https://givefirst.test/email/unsubscribe/" + "x" * 90 + ">"
            },
            message_id=f"<test-{name}@givefirst.test>",
        )
        for name in names
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- delivery ------------------------------------------------------------------------------


def test_a_batch_goes_over_one_connection(server: SMTPServer, handler: RecordingHandler) -> None:
    results = backend_for(server).send_many(mails("ann", "bob", "cat"))

    assert [r.ok for r in results] == [True, True, True]
    assert handler.connections == 1
    assert [m.rcpt_tos for m in handler.messages] == [
        ["ann@school.test"],
        ["bob@school.test"],
        ["cat@school.test"],
    ]
    assert {m.mail_from for m in handler.messages} == {"no-reply@givefirst.test"}


def test_messages_are_multipart_7bit_and_keep_their_id(
    server: SMTPServer, handler: RecordingHandler
) -> None:
    backend_for(server).send_many(mails("ann"))

    raw = handler.messages[0].data
    raw.decode("ascii")  # quoted-printable and encoded headers: 7-bit clean
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\r\nList-Unsubscribe: <https://givefirst.test/email/unsubscribe/" in raw
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Message-ID"] == "<test-ann@givefirst.test>"
    assert msg["Subject"] == "Hello ann: café"
    assert msg["From"] == SENDER
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(preferencelist=("plain",))
    assert text is not None and "à bientôt" in text.get_content()


def test_a_temporary_refusal_is_retried_with_backoff(
    server: SMTPServer, handler: RecordingHandler
) -> None:
    handler.temp_fail["bob@school.test"] = 2
    backend = backend_for(server, backoff=0.05)

    started = time.monotonic()
    results = backend.send_many(mails("ann", "bob", "cat"))

    assert [r.ok for r in results] == [True, True, True]
    assert handler.rcpt_attempts["bob@school.test"] == 3
    assert time.monotonic() - started >= 0.05 + 0.1  # 0.05 then 0.1: exponential
    assert handler.connections == 1


def test_a_temporary_refusal_that_outlasts_the_retries_is_reported_as_temporary(
    server: SMTPServer, handler: RecordingHandler
) -> None:
    handler.temp_fail["bob@school.test"] = 10

    results = backend_for(server, retries=2).send_many(mails("ann", "bob", "cat"))

    bob = results[1]
    assert not bob.ok and not bob.permanent_failure and bob.temporary_failure
    assert bob.error.startswith("451 4.3.0")
    assert not bob.server_unavailable
    assert handler.rcpt_attempts["bob@school.test"] == 3
    assert results[2].ok  # the rest of the batch still goes


def test_a_permanent_refusal_is_reported_and_not_retried(
    server: SMTPServer, handler: RecordingHandler
) -> None:
    handler.perm_fail.add("bob@school.test")

    results = backend_for(server).send_many(mails("ann", "bob", "cat"))

    assert results[1] == DeliveryResult(
        to="bob@school.test",
        ok=False,
        permanent_failure=True,
        error="550 5.1.1 No such mailbox here",
    )
    assert handler.rcpt_attempts["bob@school.test"] == 1
    assert results[0].ok and results[2].ok
    assert handler.connections == 1


def test_a_dropped_connection_is_reopened_and_nothing_is_sent_twice(
    server: SMTPServer, handler: RecordingHandler
) -> None:
    handler.drop_after = 2

    results = backend_for(server).send_many(mails("ann", "bob", "cat", "dan", "eve"))

    assert all(r.ok for r in results)
    assert handler.drops == 1 and handler.connections == 2
    assert handler.per_recipient() == {
        f"{n}@school.test": 1 for n in ("ann", "bob", "cat", "dan", "eve")
    }


def test_a_server_that_goes_away_fails_the_rest_of_the_batch_quickly(
    server: SMTPServer, handler: RecordingHandler
) -> None:
    handler.drop_after, handler.stay_down = 1, True
    seen: list[str] = []

    results = backend_for(server).send_many(
        mails("ann", "bob", "cat", "dan"), on_result=lambda mail, result: seen.append(mail.to)
    )

    assert [r.ok for r in results] == [True, False, False, False]
    assert all(r.server_unavailable and not r.permanent_failure for r in results[1:])
    assert "421" in results[1].error
    assert seen == [f"{n}@school.test" for n in ("ann", "bob", "cat", "dan")]
    # Bob's message was retried (refused with 421 each time); the rest were not attempted.
    assert handler.rcpt_attempts == {"ann@school.test": 1, "bob@school.test": 1}
    assert handler.per_recipient() == {"ann@school.test": 1}


def test_an_unreachable_server_is_nobodys_bounce() -> None:
    backend = SMTPBackend("127.0.0.1", free_port(), SENDER, security="none", backoff=0.01)

    results = backend.send_many(mails("ann", "bob"))

    assert all(r.server_unavailable and not r.permanent_failure and not r.ok for r in results)
    assert "could not connect" in results[0].error


def test_starttls_missing_on_the_server_is_never_a_silent_downgrade(
    server: SMTPServer, handler: RecordingHandler
) -> None:
    backend = SMTPBackend(
        server.host, server.port, SENDER, security="starttls", backoff=0.01, retries=1
    )

    results = backend.send_many(mails("ann"))

    assert not results[0].ok and results[0].server_unavailable
    assert "STARTTLS" in results[0].error
    assert handler.messages == []


# --- TLS rules (unit level) ----------------------------------------------------------------


def test_plain_smtp_is_refused_towards_anything_but_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SMTPBackend("smtp.example.org", 25, SENDER, security="none")
    with pytest.raises(ValueError, match="loopback"):
        SMTPBackend("10.0.0.5", 25, SENDER, security="none")
    with pytest.raises(ValueError, match="starttls, ssl or none"):
        SMTPBackend("smtp.example.org", 25, SENDER, security="tls-please")
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        SMTPBackend(host, 25, SENDER, security="none")


def test_get_backend_refuses_plain_smtp_to_a_remote_host(app: Flask) -> None:
    app.config.update(SMTP_HOST="smtp.example.org", SMTP_SECURITY="none")
    with pytest.raises(ValueError, match="loopback"):
        get_backend()


class FakeSMTP:
    """Stands in for smtplib.SMTP / SMTP_SSL and records how TLS was set up."""

    instances: list[FakeSMTP] = []

    def __init__(self, host: str, port: int, **kw: Any) -> None:
        self.host, self.port, self.kw = host, port, kw
        self.tls_context: ssl.SSLContext | None = kw.get("context")
        self.logged_in: tuple[str, str] | None = None
        self.sent: list[tuple[str, list[str]]] = []
        FakeSMTP.instances.append(self)

    def starttls(self, context: ssl.SSLContext) -> None:
        self.tls_context = context

    def login(self, user: str, password: str) -> None:
        assert self.tls_context is not None, "password sent before TLS"
        self.logged_in = (user, password)

    def sendmail(self, sender: str, to: list[str], data: bytes) -> dict[str, Any]:
        self.sent.append((sender, to))
        return {}

    def quit(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.instances = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    return FakeSMTP


def assert_verifying(context: ssl.SSLContext | None) -> None:
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_verifies_the_certificate_and_host_name(
    fake_smtp: type[FakeSMTP], security: str
) -> None:
    backend = SMTPBackend(
        "smtp.example.org", 587, SENDER, username="u", password="p", security=security
    )

    results = backend.send_many(mails("ann", "bob"))

    assert all(r.ok for r in results)
    assert len(fake_smtp.instances) == 1  # one connection for the batch
    conn = fake_smtp.instances[0]
    assert_verifying(conn.tls_context)
    assert conn.logged_in == ("u", "p")
    assert conn.kw["timeout"] == 30.0
    assert conn.sent == [
        ("no-reply@givefirst.test", ["ann@school.test"]),
        ("no-reply@givefirst.test", ["bob@school.test"]),
    ]


def test_a_failed_login_is_not_a_bounce(fake_smtp: type[FakeSMTP], monkeypatch: Any) -> None:
    def refuse(self: FakeSMTP, user: str, password: str) -> None:
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed")

    monkeypatch.setattr(FakeSMTP, "login", refuse)
    backend = SMTPBackend("smtp.example.org", 587, SENDER, username="u", password="bad")

    results = backend.send_many(mails("ann", "bob"))

    assert all(not r.ok and not r.permanent_failure and r.server_unavailable for r in results)
    assert "535" in results[0].error


def test_get_backend_uses_the_settings(app: Flask) -> None:
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=2525,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT=7,
        SMTP_RETRY_BACKOFF=0.25,
    )
    backend = get_backend()
    assert isinstance(backend, SMTPBackend)
    assert (backend.port, backend.timeout, backend.backoff, backend.retries) == (2525, 7.0, 0.25, 3)


# --- the outbox and the helpers ------------------------------------------------------------


def test_without_smtp_mail_goes_to_the_outbox(app: Flask, outbox: Path) -> None:
    assert isinstance(get_backend(), OutboxBackend)
    seen: list[DeliveryResult] = []

    results = get_backend().send_many(mails("ann"), on_result=lambda m, r: seen.append(r))

    assert results == seen == [DeliveryResult(to="ann@school.test", ok=True)]
    [eml] = list(outbox.glob("*.eml"))
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["Message-ID"] == "<test-ann@givefirst.test>"
    assert b"\nList-Unsubscribe: <https://givefirst.test/" in eml.read_bytes()


def test_send_over_smtp_from_the_app(app: Flask, server: SMTPServer) -> None:
    app.config.update(server.config())
    mail = render_mail(
        "new@school.test",
        "You are invited",
        "invite",
        partnership="GiveFirst",
        user=type("U", (), {"name": "Ann", "email": "new@school.test"})(),
        inviter="Cat",
        joining_as="",
        link="https://givefirst.test/x",
        sign_in_link="https://givefirst.test/s",
        lasts="14 days",
        expires_at=None,
    )

    assert send([mail])[0].ok
    assert server.handler.to("new@school.test")


# --- the wire format -----------------------------------------------------------------------

header_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n"),
    max_size=120,
)
body_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000)


@settings(max_examples=150, deadline=None)
@given(subject=header_text, text=body_text, html=st.none() | body_text)
def test_the_quick_wire_format_reads_back_like_the_email_package(
    subject: str, text: str, html: str | None
) -> None:
    mail = Mail(
        to="ann@school.test",
        subject=subject,
        text=text,
        html=html,
        headers={"List-Unsubscribe": "<https://givefirst.test/u/" + "t" * 120 + ">"},
        message_id="<m-1@givefirst.test>",
    )
    quick = message_bytes(mail, SENDER)
    reference = build_message(mail, SENDER).as_bytes(policy=WIRE_POLICY)
    ours, theirs = (message_from_bytes(b, policy=policy.default) for b in (quick, reference))

    def normal(value: str) -> str:
        return value.replace("\r\n", "\n").replace("\r", "\n")

    for name in ("From", "To", "Message-ID", "List-Unsubscribe"):
        assert ours[name] == theirs[name], name
    # Folding whitespace at the ends of a header isn't significant.
    assert ours["Subject"].split() == theirs["Subject"].split()
    assert ours["Subject"].split() == subject.split()
    assert ours.get_content_type() == theirs.get_content_type()
    for kind in ("plain", "html"):
        mine, reference_part = (m.get_body(preferencelist=(kind,)) for m in (ours, theirs))
        if reference_part is None:
            assert mine is None or kind == "plain"
            continue
        assert mine is not None
        assert normal(mine.get_content()) == normal(reference_part.get_content())
    assert not ours.defects
    for line in quick.split(b"\r\n"):
        assert len(line) <= 998
        assert b"\n" not in line and b"\r" not in line
    quick.decode("ascii")


def test_header_injection_is_refused() -> None:
    with pytest.raises(ValueError):
        message_bytes(Mail(to="a@school.test", subject="Hi\r\nBcc: x@evil.test", text="x"), SENDER)
    # Odd headers go through the email package, which refuses line breaks too.
    with pytest.raises(ValueError):
        message_bytes(
            Mail(to="a@school.test", subject="Hi", text="x", headers={"X-A": "1\nBcc: x"}),
            SENDER,
        )


def test_unusual_addresses_go_through_the_email_package() -> None:
    mail = Mail(to="ann@school.test", subject="Hi", text="x", html="<p>x</p>")
    raw = message_bytes(mail, "Écoles Partnership <no-reply@givefirst.test>")
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["From"] == "Écoles Partnership <no-reply@givefirst.test>"
    raw.decode("ascii")
