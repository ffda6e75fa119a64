"""The ``[templates]``, ``[store]`` and ``[mail]`` tables of ``ats-reject.toml``.

Relative paths are resolved against the folder of the configuration file by
:func:`ats_reject.config.load_config` before these models see them, so every path held here
is absolute.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ats_reject._config_base import SettingsModel, choice, nonempty_text
from ats_reject._config_company import EmailAddress
from ats_reject._config_secrets import EnvValue

__all__ = [
    "DEFAULT_STORE_URL",
    "MailSettings",
    "MailTransport",
    "MaildirSettings",
    "ReplyToPolicy",
    "SmtpSecurity",
    "SmtpSettings",
    "StoreSettings",
    "TemplateSettings",
]

DEFAULT_STORE_URL = "sqlite:///ats-reject.db"
"""An SQLite file beside the configuration file."""

# As SQLAlchemy reads a URL: the password runs to the first '@' and may hold '/' or '?'.
_URL_PASSWORD = re.compile(r"^(?P<head>[a-z][a-z0-9+.-]*://[^/@:]*:)[^@]*@", re.IGNORECASE)
_URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{0,29}$")
_STORE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


class TemplateSettings(SettingsModel):
    """``[templates]``: the user's templates and lint terms, overriding the shipped ones."""

    folder: Path | None = None
    """A folder laid out like the shipped templates (``<locale>/<id>.<part>.j2``)."""
    lint_terms: Path | None = None
    """A folder of term files extending the shipped lint terms."""


def _store_url(value: object) -> object:
    if isinstance(value, SecretStr):
        return value
    if isinstance(value, EnvValue):
        return SecretStr(str(value).strip())
    if not isinstance(value, str):
        return value
    if _URL_PASSWORD.match(value.strip()):
        raise PydanticCustomError(
            "literal_secret",
            "the URL holds a password, which must not be written in the configuration file; "
            'write url = { env = "DATABASE_URL" } and set that variable',
        )
    return SecretStr(value.strip())


def _store_scheme(value: SecretStr) -> SecretStr:
    scheme, separator, _ = value.get_secret_value().partition("://")
    scheme = scheme.lower()
    if scheme not in _STORE_SCHEMES:
        # Without '://' the text is no URL at all and may be a password in the wrong variable.
        got = f"scheme {scheme!r}" if separator and _URL_SCHEME.match(scheme) else "no URL"
        raise PydanticCustomError(
            "store_url",
            "expected an sqlite:/// or postgresql+psycopg:// URL; got {got}",
            {"got": got},
        )
    return value


class StoreSettings(SettingsModel):
    """``[store]``: where planned messages, the inbox and the audit log are kept."""

    url: Annotated[SecretStr, BeforeValidator(_store_url), AfterValidator(_store_scheme)] = (
        SecretStr(DEFAULT_STORE_URL)
    )
    """SQLAlchemy URL; held as a secret because a PostgreSQL URL may carry a password."""

    @property
    def display_url(self) -> str:
        """The URL with any password replaced by ``***``, safe to print."""
        url = self.url.get_secret_value()
        match = _URL_PASSWORD.match(url)
        if match is None:
            return url
        return f"{match['head']}***@{url[match.end() :]}"


class MailTransport(StrEnum):
    """How e-mails leave: into a local Maildir folder, or through an SMTP server."""

    MAILDIR = "maildir"
    SMTP = "smtp"


class SmtpSecurity(StrEnum):
    """How the SMTP connection is protected."""

    SSL = "ssl"
    """TLS from the first byte (usually port 465)."""
    STARTTLS = "starttls"
    """Plain connection upgraded with STARTTLS (usually port 587)."""
    NONE = "none"
    """No encryption: only for a relay on the same machine or a test server."""


class ReplyToPolicy(StrEnum):
    """Where a candidate's reply goes."""

    RECRUITER = "recruiter"
    """To the recruiter who signs the message (else the sign-off person, else the sender)."""
    SENDER = "sender"
    """To the sending address."""
    SIGN_OFF = "sign_off"
    """To the company's sign-off person (``company.sign_off.reply_to``)."""


_DEFAULT_PORTS = {SmtpSecurity.SSL: 465, SmtpSecurity.STARTTLS: 587, SmtpSecurity.NONE: 25}


class MaildirSettings(SettingsModel):
    """``[mail.maildir]``: a local Maildir folder (demo, dry runs, hand review)."""

    folder: Path = Path("maildir")
    """The Maildir folder; created when the first message is written."""


class SmtpSettings(SettingsModel):
    """``[mail.smtp]``: an SMTP server."""

    host: Annotated[StrictStr, AfterValidator(nonempty_text)]
    """Host name of the server."""
    port: StrictInt | None = Field(default=None, ge=1, le=65535)
    """Port; 465 for ``ssl``, 587 for ``starttls``, 25 for ``none`` when not given."""
    security: Annotated[SmtpSecurity, choice(SmtpSecurity)] = SmtpSecurity.STARTTLS
    """``ssl``, ``starttls`` or ``none``."""
    username: StrictStr | None = None
    """Login name, when the server wants one."""
    password: SecretStr | None = None
    """Login password, from the environment: ``password = { env = "SMTP_PASSWORD" }``."""

    @field_validator("password")
    @classmethod
    def _credentials_protected(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is None:
            return value
        if info.data.get("username") is None:
            raise PydanticCustomError("smtp", "a password needs a username")
        if info.data.get("security") is SmtpSecurity.NONE:
            raise PydanticCustomError(
                "smtp",
                "refusing to send a password over an unencrypted connection; "
                "use security = 'ssl' or 'starttls'",
            )
        return value

    from_address: EmailAddress | None = None
    """Envelope and header sender; ``company.sender_address`` when not given."""
    reply_to: Annotated[ReplyToPolicy, choice(ReplyToPolicy)] = ReplyToPolicy.RECRUITER
    """Where replies go: ``recruiter``, ``sender`` or ``sign_off``."""
    timeout: float = Field(default=30.0, gt=0, le=300)
    """Seconds to wait for the server."""

    @property
    def effective_port(self) -> int:
        """The port to connect to."""
        return self.port if self.port is not None else _DEFAULT_PORTS[self.security]


def _https_url(value: str) -> str:
    cleaned = value.strip()
    if not cleaned.startswith(("https://", "http://")) or " " in cleaned:
        raise PydanticCustomError("url", "expected an https:// URL")
    return cleaned


class MailSettings(SettingsModel):
    """``[mail]``: how e-mails leave, and the unsubscribe link they carry."""

    transport: Annotated[MailTransport, choice(MailTransport)] = MailTransport.MAILDIR
    """``maildir`` (default) or ``smtp``."""
    maildir: MaildirSettings = Field(default_factory=MaildirSettings)
    """Settings of the Maildir transport."""
    smtp: SmtpSettings | None = Field(default=None, validate_default=True)
    """Settings of the SMTP transport; required when ``transport = "smtp"``."""
    unsubscribe_base_url: Annotated[StrictStr, AfterValidator(_https_url)] | None = None
    """Base of the unsubscribe and consent links (``https://jobs.example.com/u``)."""

    @field_validator("smtp")
    @classmethod
    def _smtp_given(cls, value: SmtpSettings | None, info: ValidationInfo) -> SmtpSettings | None:
        if value is None and info.data.get("transport") is MailTransport.SMTP:
            raise PydanticCustomError(
                "smtp", "transport 'smtp' needs a [mail.smtp] table with at least host"
            )
        return value
