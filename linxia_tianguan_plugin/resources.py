"""Where bundled resources (styles, templates, division codes) live, installed or in a checkout."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """``<plugin>/resources/...`` when installed, ``<repo>/resources/...`` in a source checkout."""
    for base in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    return (_PACKAGE / "resources").joinpath(*parts)


def icon_path(name: str) -> str:
    return str(_PACKAGE / "icons" / name)


def divisions_csv() -> Path:
    return resource_path("linxia_admin_divisions.csv")
