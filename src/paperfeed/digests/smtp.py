"""Handing messages to SMTP in steps, so the sender knows how far a message got.

Django's mail backend sends a message in one call; for exactly-once delivery we need to record
"about to hand over" between the envelope (MAIL FROM / RCPT TO, which the server may refuse
without accepting anything) and DATA (after which the server may have accepted the message
whether or not we live to hear its reply). See sending.py.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


class PermanentFailure(Exception):
    """The server refused the recipient for good (5xx on RCPT): the address is bad. Do not retry."""


class TemporaryFailure(Exception):
    """Worth retrying later: 4xx replies, timeouts, refused connections."""


def _is_smtp_backend() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"


class Sender:
    """One SMTP connection reused for a whole run (or Django's backend for console/file)."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None
        self._backend = None if _is_smtp_backend() else get_connection()

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        timeout = settings.EMAIL_TIMEOUT
        try:
            if settings.EMAIL_USE_SSL:
                smtp = smtplib.SMTP_SSL(
                    settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout)
                if settings.EMAIL_USE_TLS:
                    smtp.starttls(context=ssl.create_default_context())
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except smtplib.SMTPAuthenticationError as exc:
            raise TemporaryFailure(f"SMTP log-in refused: {exc.smtp_code} {exc.smtp_error!r}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(
                f"cannot connect to SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {exc}"
            ) from None
        self._smtp = smtp
        return smtp

    def send(self, message: EmailMessage, before_data: Callable[[], None]) -> None:
        """Send one message; `before_data` runs once the envelope is accepted, just before
        the server can possibly accept the message."""
        if self._backend is not None:
            before_data()
            self._backend.send_messages([message])
            return
        smtp = self._connect()
        sender = parseaddr(message.from_email)[1]
        recipients = message.recipients()
        try:
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(sender)
            self._check(code, reply, "MAIL FROM")
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                # Only a refused recipient says the address is bad; a 5xx elsewhere is about
                # us or the message, and retrying later (and reporting) is the right answer.
                self._check(code, reply, f"RCPT TO {recipient}", bounce=True)
            before_data()
            code, reply = smtp.data(message.message().as_bytes(linesep="\r\n"))
            self._check(code, reply, "DATA")
        except (PermanentFailure, TemporaryFailure):
            self._reset()
            raise
        except smtplib.SMTPDataError as exc:
            self._reset()
            self._check(exc.smtp_code, exc.smtp_error, "DATA")
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TemporaryFailure(f"SMTP connection lost: {exc}") from None

    @staticmethod
    def _check(code: int, reply: bytes | str, stage: str, bounce: bool = False) -> None:
        if 200 <= code < 400:
            return
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        if bounce and 500 <= code < 600:
            raise PermanentFailure(f"{stage}: {code} {text}")
        raise TemporaryFailure(f"{stage}: {code} {text}")

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None
