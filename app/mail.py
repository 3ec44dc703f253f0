"""The one mail layer: builds messages and delivers them to the outbox folder or over SMTP.

Development writes each message to OUTBOX_DIR as an .eml file (coordinators can read them in
the app). With SMTP_HOST set, messages go over one SMTP connection per batch, with a timeout,
verified TLS, retries with backoff on temporary (4xx) failures, and permanent (5xx) failures
reported per recipient so callers can stop mailing a bouncing address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import ssl
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from flask import current_app, render_template


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
    permanent_failure: bool = False
    error: str = ""


class MailBackend(Protocol):
    def send_many(self, mails: Sequence[Mail]) -> list[DeliveryResult]: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = mail.message_id or make_msgid(domain=_sender_domain(sender))
    for name, value in mail.headers.items():
        msg[name] = value
    msg.set_content(mail.text)
    if mail.html is not None:
        msg.add_alternative(mail.html, subtype="html")
    return msg


def _sender_domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "givefirst.invalid"


class OutboxBackend:
    """Writes each message to a folder as an .eml file (the development default)."""

    def __init__(self, folder: str, sender: str) -> None:
        self.folder = Path(folder)
        self.sender = sender

    def send_many(self, mails: Sequence[Mail]) -> list[DeliveryResult]:
        self.folder.mkdir(parents=True, exist_ok=True)
        results = []
        for mail in mails:
            msg = build_message(mail, self.sender)
            # Sortable by time; the random part keeps names unique within a second.
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
            tmp = self.folder / (name + ".tmp")
            tmp.write_bytes(msg.as_bytes())
            tmp.replace(self.folder / name)
            results.append(DeliveryResult(to=mail.to, ok=True))
        return results


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    ) -> None:
        if security not in {"starttls", "ssl", "none"}:
            raise ValueError("SMTP_SECURITY must be starttls, ssl or none")
        if security == "none" and not is_loopback_host(host):
            raise ValueError("SMTP_SECURITY=none is allowed only towards a loopback host")
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.security, self.timeout = security, timeout
        self.retries, self.backoff = retries, backoff

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()  # verifies certificates and host names
        if self.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                conn.starttls(context=context)
        if self.username:
            conn.login(self.username, self.password)
        return conn

    def send_many(self, mails: Sequence[Mail]) -> list[DeliveryResult]:
        results: list[DeliveryResult] = []
        conn: smtplib.SMTP | None = None
        try:
            for mail in mails:
                msg = build_message(mail, self.sender)
                attempt = 0
                while True:
                    try:
                        if conn is None:
                            conn = self._connect()
                        refused = conn.send_message(msg)
                        if refused:
                            code, reason = next(iter(refused.values()))
                            raise smtplib.SMTPRecipientsRefused({mail.to: (code, reason)})
                        results.append(DeliveryResult(to=mail.to, ok=True))
                        break
                    except smtplib.SMTPRecipientsRefused as exc:
                        code, reason = next(iter(exc.recipients.values()))
                        outcome = self._failure(mail, code, reason, attempt)
                    except smtplib.SMTPResponseException as exc:
                        outcome = self._failure(mail, exc.smtp_code, exc.smtp_error, attempt)
                    except (smtplib.SMTPServerDisconnected, OSError) as exc:
                        conn = None  # reconnect on the next attempt
                        outcome = self._failure(mail, 421, str(exc).encode(), attempt)
                    if outcome is not None:
                        results.append(outcome)
                        break
                    attempt += 1
                    time.sleep(self.backoff * (2 ** (attempt - 1)))
        finally:
            if conn is not None:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    conn.quit()
        return results

    def _failure(
        self, mail: Mail, code: int, reason: bytes | str, attempt: int
    ) -> DeliveryResult | None:
        """A final result, or None when a temporary failure should be retried."""
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        if 400 <= code < 500 and attempt < self.retries:
            return None
        return DeliveryResult(
            to=mail.to, ok=False, permanent_failure=code >= 500, error=f"{code} {text}"
        )


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
            backoff=float(cfg.get("SMTP_RETRY_BACKOFF", 1.0)),
        )
    return OutboxBackend(cfg["OUTBOX_DIR"], cfg["MAIL_FROM"])


def render_mail(to: str, subject: str, template: str, **context: object) -> Mail:
    """Render templates/email/<template>.txt and .html (if present) into a Mail."""
    text = render_template(f"email/{template}.txt", subject=subject, **context)
    html_name = f"email/{template}.html"
    html = (
        render_template(html_name, subject=subject, **context)
        if html_name in current_app.jinja_env.list_templates()
        else None
    )
    return Mail(to=to, subject=subject, text=text, html=html)


def send(mails: Iterable[Mail]) -> list[DeliveryResult]:
    """Deliver messages through the configured backend."""
    return get_backend().send_many(list(mails))
