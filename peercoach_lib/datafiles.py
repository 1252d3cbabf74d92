"""The configuration files under ``data/`` (question deck, LSI areas): read whole or explained."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from peercoach_lib.errors import ConfigurationError, ValidationError
from peercoach_lib.model.base import Record

R = TypeVar("R", bound=Record)


def load(path: Path, record: type[R], what: str) -> R:
    """Read ``path`` as JSON and validate it as ``record``; say plainly what is wrong if not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{what} {path} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{what} {path} cannot be read: {exc}") from None
    try:
        return record.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(f"{what} {path} is not valid: {exc}") from None
