"""The one mail layer: builds messages and delivers them to the outbox folder or over SMTP.

Development writes each message to OUTBOX_DIR as an .eml file (coordinators can read them in
the app). With SMTP_HOST set, messages go over one SMTP connection per batch, with a timeout,
verified TLS, retries with backoff on temporary (4xx) failures, and permanent (5xx) failures
reported per recipient so callers can stop mailing a bouncing address.

Only a refusal that names the recipient (5xx to RCPT TO, or to the message itself) is a
permanent failure. A server we cannot reach, a failed TLS handshake, a wrong password or a
refused sender address is our problem, not the recipient's: those are reported as temporary
failures for every message of the batch, and nobody's address is marked as bouncing.
"""

from __future__ import annotations

import binascii
import contextlib
import email.policy
import ipaddress
import smtplib
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from flask import current_app, render_template
from jinja2 import TemplateNotFound

# CRLF line endings: the bytes go on the wire unchanged. Header lines may run to RFC 5322's
# hard limit of 998 characters: a long URL (List-Unsubscribe) has nowhere to fold, and folding
# it at 78 would turn it into an RFC 2047 encoded-word that mail providers don't read.
WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998)
# The same for .eml files in the outbox, with the platform's usual line endings.
FILE_POLICY = email.policy.default.clone(max_line_length=998)
# Longest wait between two attempts at one message, whatever the backoff setting.
MAX_BACKOFF_SECONDS = 60.0


@dataclass
class Mail:
    """One message to one recipient."""

    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # A stable Message-ID makes a resent message recognisable as the same one.
    message_id: str | None = None


@dataclass
class DeliveryResult:
    to: str
    ok: bool
    # True only when the server refused this recipient or this message for good (5xx).
    permanent_failure: bool = False
    error: str = ""
    # The server could not be reached or refused us (not this recipient): the rest of the
    # batch was not attempted.
    server_unavailable: bool = False

    @property
    def temporary_failure(self) -> bool:
        """Not delivered, but worth trying again later."""
        return not self.ok and not self.permanent_failure


# Called once per message, in order, as soon as its outcome is known (lets callers record
# progress while the rest of a batch is still being sent).
ResultCallback = Callable[[Mail, DeliveryResult], None]


class MailBackend(Protocol):
    def send_many(
        self, mails: Sequence[Mail], on_result: ResultCallback | None = None
    ) -> list[DeliveryResult]: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = mail.message_id or make_msgid(domain=sender_domain(sender))
    for name, value in mail.headers.items():
        msg[name] = value
    # Quoted-printable keeps every line short and 7-bit: safe for any server and any client.
    msg.set_content(mail.text, cte="quoted-printable")
    if mail.html is not None:
        msg.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    return msg


def message_bytes(mail: Mail, sender: str) -> bytes:
    """The message exactly as it goes on the wire (CRLF line endings).

    The email package takes over a millisecond per message, as long as the SMTP exchange
    itself; for the usual message (ASCII addresses and extra headers) this writes the same
    MIME structure directly. Anything unusual goes through the email package.
    """
    fast = _simple_message_bytes(mail, sender)
    if fast is not None:
        return fast
    return build_message(mail, sender).as_bytes(policy=WIRE_POLICY)


def _is_plain_header_value(value: str) -> bool:
    return value.isascii() and "\r" not in value and "\n" not in value and len(value) < 900


def _qp(text: str) -> bytes:
    # CRLF in, CRLF out: binascii keeps the input's line endings and wraps at 76 characters.
    body = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    if not body.endswith("\r\n"):
        body += "\r\n"
    return binascii.b2a_qp(body.encode("utf-8"), istext=True)


def _part_headers(subtype: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii")


def _simple_message_bytes(mail: Mail, sender: str) -> bytes | None:
    """The message in MIME form, or None when it needs the email package's full care."""
    values = [sender, mail.to, *mail.headers.keys(), *mail.headers.values()]
    if mail.message_id is not None:
        values.append(mail.message_id)
    if not all(_is_plain_header_value(v) for v in values):
        return None
    if any(not name.replace("-", "").isalnum() for name in mail.headers):
        return None
    if "\r" in mail.subject or "\n" in mail.subject:
        raise ValueError("Header values may not contain linefeed or carriage return characters")
    subject = Header(
        mail.subject, "us-ascii" if mail.subject.isascii() else "utf-8", header_name="Subject"
    ).encode(linesep="\r\n")
    lines = [
        f"From: {sender}",
        f"To: {mail.to}",
        f"Subject: {subject}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {mail.message_id or make_msgid(domain=sender_domain(sender))}",
        *(f"{name}: {value}" for name, value in mail.headers.items()),
        "MIME-Version: 1.0",
    ]
    if mail.html is None:
        head = "\r\n".join(lines).encode("ascii") + b"\r\n"
        return head + _part_headers("plain") + _qp(mail.text)
    # "=_" never occurs in quoted-printable text, so the boundary can't clash with the body.
    boundary = f"=_{uuid.uuid4().hex}"
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    delimiter = f"--{boundary}\r\n".encode("ascii")
    return b"".join(
        (
            "\r\n".join(lines).encode("ascii"),
            b"\r\n\r\n",
            delimiter,
            _part_headers("plain"),
            _qp(mail.text),
            # The line break before a boundary belongs to the boundary, not the body.
            b"\r\n",
            delimiter,
            _part_headers("html"),
            _qp(mail.html),
            b"\r\n",
            f"--{boundary}--\r\n".encode("ascii"),
        )
    )


def sender_domain(sender: str) -> str:
    """The From address's domain: 'givefirst.test' for 'GiveFirst <no-reply@givefirst.test>'."""
    address = parseaddr(sender)[1] or sender
    return address.rsplit("@", 1)[-1] if "@" in address else "givefirst.invalid"


# Kept for callers of the earlier private name.
_sender_domain = sender_domain


def _notify(on_result: ResultCallback | None, mail: Mail, result: DeliveryResult) -> None:
    if on_result is not None:
        on_result(mail, result)


class OutboxBackend:
    """Writes each message to a folder as an .eml file (the development default)."""

    def __init__(self, folder: str, sender: str) -> None:
        self.folder = Path(folder)
        self.sender = sender

    def send_many(
        self, mails: Sequence[Mail], on_result: ResultCallback | None = None
    ) -> list[DeliveryResult]:
        self.folder.mkdir(parents=True, exist_ok=True)
        results = []
        for mail in mails:
            # Sortable by time; the random part keeps names unique within a second.
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
            tmp = self.folder / (name + ".tmp")
            tmp.write_bytes(build_message(mail, self.sender).as_bytes(policy=FILE_POLICY))
            tmp.replace(self.folder / name)
            result = DeliveryResult(to=mail.to, ok=True)
            results.append(result)
            _notify(on_result, mail, result)
        return results


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _ConnectionFailed(Exception):
    """The server is unreachable or refused us (TLS, login, sender), not a recipient."""


class SMTPBackend:
    """Delivers over one SMTP connection per batch."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        security: str = "starttls",
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        local_hostname: str | None = None,
    ) -> None:
        if security not in {"starttls", "ssl", "none"}:
            raise ValueError("SMTP_SECURITY must be starttls, ssl or none")
        # Without TLS, passwords and messages cross the network in clear text.
        if security == "none" and not is_loopback_host(host):
            raise ValueError("SMTP_SECURITY=none is allowed only towards a loopback host")
        self.host, self.port, self.sender = host, port, sender
        self.envelope_from = parseaddr(sender)[1] or sender
        self.username, self.password = username, password
        self.security, self.timeout = security, timeout
        self.retries, self.backoff = retries, backoff
        self._local_hostname = local_hostname

    @property
    def local_hostname(self) -> str:
        # smtplib would look the name up on every connection (a DNS query); once is enough.
        if self._local_hostname is None:
            self._local_hostname = socket.getfqdn()
        return self._local_hostname

    def tls_context(self) -> ssl.SSLContext:
        """Verifies the server's certificate and host name (never turned off)."""
        return ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self.tls_context(),
            )
        else:
            conn = smtplib.SMTP(
                self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
            )
            try:
                if self.security == "starttls":
                    # Raises if the server does not offer STARTTLS: never a silent downgrade.
                    conn.starttls(context=self.tls_context())
            except BaseException:
                conn.close()
                raise
        try:
            if self.username:
                conn.login(self.username, self.password)
        except BaseException:
            conn.close()
            raise
        return conn

    def _sleep(self, attempt: int) -> None:
        time.sleep(min(self.backoff * (2 ** (attempt - 1)), MAX_BACKOFF_SECONDS))

    def send_many(
        self, mails: Sequence[Mail], on_result: ResultCallback | None = None
    ) -> list[DeliveryResult]:
        results: list[DeliveryResult] = []
        conn: smtplib.SMTP | None = None
        broken: str | None = None  # why the server can't take anything more this batch
        try:
            for mail in mails:
                if broken is not None:
                    # Retrying every message against a dead server would take hours.
                    result = DeliveryResult(
                        to=mail.to, ok=False, error=broken, server_unavailable=True
                    )
                else:
                    try:
                        result, conn = self._deliver(conn, mail)
                    except _ConnectionFailed as exc:
                        conn = None
                        broken = str(exc)
                        result = DeliveryResult(
                            to=mail.to, ok=False, error=broken, server_unavailable=True
                        )
                results.append(result)
                _notify(on_result, mail, result)
        finally:
            if conn is not None:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    conn.quit()
                with contextlib.suppress(OSError):
                    conn.close()
        return results

    def _deliver(
        self, conn: smtplib.SMTP | None, mail: Mail
    ) -> tuple[DeliveryResult, smtplib.SMTP | None]:
        """Send one message, reconnecting and retrying temporary failures with backoff."""
        try:
            return self._deliver_on(conn, mail)
        except _ConnectionFailed:
            raise
        except BaseException:
            # Whatever state the conversation was left in, it can't be trusted.
            _discard(conn)
            raise

    def _deliver_on(
        self, conn: smtplib.SMTP | None, mail: Mail
    ) -> tuple[DeliveryResult, smtplib.SMTP | None]:
        payload = message_bytes(mail, self.sender)
        attempt = 0
        while True:
            if conn is None:
                conn = self._connect_or_fail(attempt)
                if conn is None:
                    attempt += 1
                    self._sleep(attempt)
                    continue
            try:
                conn.sendmail(self.envelope_from, [mail.to], payload)
                return DeliveryResult(to=mail.to, ok=True), conn
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = next(iter(exc.recipients.values()))
            except (smtplib.SMTPSenderRefused, smtplib.SMTPHeloError) as exc:
                # Our own address or greeting refused: every message would fail the same way.
                if not 400 <= exc.smtp_code < 500 or attempt >= self.retries:
                    _discard(conn)
                    raise _ConnectionFailed(
                        f"the mail server refused us: {exc.smtp_code} {_text(exc.smtp_error)}"
                    ) from exc
                code, reason = exc.smtp_code, exc.smtp_error
            except smtplib.SMTPResponseException as exc:  # the message refused, 421, ...
                code, reason = exc.smtp_code, exc.smtp_error
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                code, reason = 421, f"connection lost: {exc}"
            except (smtplib.SMTPException, ValueError) as exc:
                # E.g. an address this server can't carry (no SMTPUTF8): not the server's
                # verdict on the mailbox, so not a bounce, and retrying won't help.
                _discard(conn)
                return DeliveryResult(to=mail.to, ok=False, error=str(exc)[:300]), None
            if code == 421:  # the connection is gone or closing: reconnect next attempt
                conn = _discard(conn)
            final = self._final(mail, code, reason, attempt)
            if final is not None:
                return final, conn
            attempt += 1
            self._sleep(attempt)

    def _connect_or_fail(self, attempt: int) -> smtplib.SMTP | None:
        """A fresh connection; None to retry after a temporary failure; raises when exhausted."""
        try:
            return self._connect()
        except smtplib.SMTPResponseException as exc:
            message = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            if 400 <= exc.smtp_code < 500 and attempt < self.retries:
                return None
            raise _ConnectionFailed(f"could not connect to the mail server: {message}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Certificate failures won't fix themselves; refused connections might.
            if not isinstance(exc, ssl.SSLCertVerificationError) and attempt < self.retries:
                return None
            raise _ConnectionFailed(f"could not connect to the mail server: {exc}") from exc

    def _final(
        self, mail: Mail, code: int, reason: bytes | str, attempt: int
    ) -> DeliveryResult | None:
        """A final result, or None when a temporary failure should be retried."""
        if 400 <= code < 500 and attempt < self.retries:
            return None
        return DeliveryResult(
            to=mail.to,
            ok=False,
            permanent_failure=code >= 500,
            error=f"{code} {_text(reason)}"[:300],
        )


def _text(reason: bytes | str) -> str:
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def _discard(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()
    return None


def get_backend() -> MailBackend:
    cfg = current_app.config
    if cfg.get("SMTP_HOST"):
        return SMTPBackend(
            host=cfg["SMTP_HOST"],
            port=int(cfg["SMTP_PORT"]),
            sender=cfg["MAIL_FROM"],
            username=cfg.get("SMTP_USERNAME", ""),
            password=cfg.get("SMTP_PASSWORD", ""),
            security=cfg.get("SMTP_SECURITY", "starttls"),
            timeout=float(cfg.get("SMTP_TIMEOUT", 30)),
            retries=int(cfg.get("SMTP_RETRIES", 3)),
            backoff=float(cfg.get("SMTP_RETRY_BACKOFF", 1.0)),
            local_hostname=cfg.get("SMTP_LOCAL_HOSTNAME") or None,
        )
    return OutboxBackend(cfg["OUTBOX_DIR"], cfg["MAIL_FROM"])


def render_mail(to: str, subject: str, template: str, **context: object) -> Mail:
    """Render templates/email/<template>.txt and .html (if present) into a Mail."""
    text = render_template(f"email/{template}.txt", subject=subject, **context)
    try:
        current_app.jinja_env.get_template(f"email/{template}.html")
    except TemplateNotFound:
        html = None
    else:
        html = render_template(f"email/{template}.html", subject=subject, **context)
    return Mail(to=to, subject=subject, text=text, html=html)


def send(mails: Iterable[Mail]) -> list[DeliveryResult]:
    """Deliver messages through the configured backend."""
    return get_backend().send_many(list(mails))
