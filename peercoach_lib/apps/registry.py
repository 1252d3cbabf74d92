"""The workbook's apps as the home page lists them; an app is listed once its notebook exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AppInfo:
    notebook: str
    title: str
    audience: str
    summary: str


#: Every app of the workbook, in the order a partnership meets them.
APPS: tuple[AppInfo, ...] = ()


def available(notebooks: Path) -> list[AppInfo]:
    """The apps whose notebooks are present in ``notebooks``."""
    return [app for app in APPS if (notebooks / app.notebook).is_file()]
