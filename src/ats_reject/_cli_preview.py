"""``ats-reject preview``: one message rendered for sample data, with its lint findings.

The sample starts from invented data suited to the purpose (:func:`sample_context`), signed
by the configured ``company.sign_off`` for the configured company; a ``--sample`` JSON file
replaces any of its fields (the names of :class:`~ats_reject.compose.MessageContext`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ats_reject._cli_common import composer_for
from ats_reject._config_base import validation_problems
from ats_reject.compose import (
    ComposedMessage,
    MessageContext,
    Purpose,
    Sender,
    sample_context,
)
from ats_reject.config import Config
from ats_reject.errors import AtsRejectError
from ats_reject.models import StageKind

__all__ = ["SampleFileError", "build_sample", "render_sample"]


class SampleFileError(AtsRejectError, ValueError):
    """A ``--sample`` file is not a usable message context."""


def _sample_overrides(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SampleFileError(
            f"{path.name}: cannot read it ({exc.strerror or type(exc).__name__})"
        ) from None
    except UnicodeDecodeError:
        raise SampleFileError(f"{path.name}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SampleFileError(
            f"{path.name}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(raw, dict):
        raise SampleFileError(f"{path.name}: expected a JSON object of message fields")
    return raw


def build_sample(
    config: Config,
    purpose: Purpose,
    *,
    stage: StageKind,
    locale: str | None,
    sample_file: Path | None,
) -> MessageContext:
    """The context to preview with: sample data, the configured company, the file's fields.

    Raises:
        SampleFileError: The sample file is unreadable or holds an invalid field.
    """
    base = sample_context(purpose, stage=stage, locale=locale or config.company.locale)
    fields: dict[str, Any] = base.model_dump(mode="json")
    fields["company"] = config.company.name
    sign_off = config.company.sign_off
    if sign_off is not None:
        fields["sender"] = Sender(
            name=sign_off.name,
            title=sign_off.title,
            reply_to=sign_off.reply_to or config.company.sender_address,
        ).model_dump(mode="json")
    if sample_file is not None:
        fields.update(_sample_overrides(sample_file))
    try:
        return MessageContext.model_validate_json(json.dumps(fields))
    except ValidationError as exc:
        key_path, message = validation_problems(exc, root=MessageContext)[0]
        where = sample_file.name if sample_file is not None else "sample"
        raise SampleFileError(f"{where}: {key_path}: {message}") from None


def render_sample(config: Config, purpose: Purpose, context: MessageContext) -> ComposedMessage:
    """Compose the message for *purpose* with the configured templates and lint terms.

    Raises:
        MessageTemplateError: No template fits, or it failed.
    """
    return composer_for(config).compose(purpose, context)
