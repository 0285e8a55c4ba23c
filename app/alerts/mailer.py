"""Sending mail through any SMTP relay, configured by environment variables
(docs/operations.md):

    FICHEKAART_SMTP_HOST      relay host (no host: alerts are off, forms say so)
    FICHEKAART_SMTP_PORT      default 25, or 587 with STARTTLS
    FICHEKAART_SMTP_USER / FICHEKAART_SMTP_PASSWORD   optional login
    FICHEKAART_SMTP_FROM      the sender, e.g. "Fichekaart Herentals <meldingen@herentals.be>"
    FICHEKAART_SMTP_STARTTLS  1/true/ja: upgrade the connection with STARTTLS
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

TRUE = {"1", "true", "yes", "ja", "on"}


class MailNotSent(RuntimeError):
    """The relay refused the message or could not be reached."""


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def one_line(text: str, limit: int = 150) -> str:
    """A header-safe line: no CR/LF or other control characters (no header
    injection through a title), shortened."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def build_message(to: str, subject: str, text: str, html: str, headers: dict[str, str] | None = None) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML second."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("SMTP_FROM") or "Fichekaart <meldingen@localhost>"
    message["To"] = to
    message["Subject"] = one_line(subject)
    message["Message-ID"] = make_msgid(domain="fichekaart")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    """Send one message; MailNotSent when the relay refuses or cannot be reached."""
    config = current_app.config
    host = config.get("SMTP_HOST")
    if not host:
        raise MailNotSent("FICHEKAART_SMTP_HOST is niet ingesteld")
    starttls = str(config.get("SMTP_STARTTLS", "")).strip().lower() in TRUE
    port = int(config.get("SMTP_PORT") or (587 if starttls else 25))
    try:
        with smtplib.SMTP(host, port, timeout=float(config.get("SMTP_TIMEOUT", 30))) as smtp:
            if starttls:
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailNotSent(str(exc)) from exc
