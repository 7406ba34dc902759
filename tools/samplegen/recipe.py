"""The recipe: every tunable number of the sample lives in resources/sample/recipe.json.

Keeping them in data (not code) lets a test or a benchmark ask for, say, more duplicate DKBM or no
crossings with `--set contract.crossing_fraction=0` without touching the generator.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .admin import REPO, SampleError

RECIPE_PATH = REPO / "resources" / "sample" / "recipe.json"


def _set_path(d: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    cur = d
    for k in keys[:-1]:
        if k not in cur or not isinstance(cur[k], dict):
            raise SampleError(f"recipe has no section {dotted!r}")
        cur = cur[k]
    if keys[-1] not in cur:
        raise SampleError(f"recipe has no key {dotted!r}")
    cur[keys[-1]] = value


def parse_override(text: str) -> tuple[str, Any]:
    """'a.b=3' -> ('a.b', 3); values are JSON when they parse as JSON, else strings."""
    if "=" not in text:
        raise SampleError(f"override {text!r} is not of the form path.to.key=value")
    key, raw = text.split("=", 1)
    try:
        val = json.loads(raw)
    except json.JSONDecodeError:
        val = raw
    return key.strip(), val


def load_recipe(overrides: dict[str, Any] | None = None, path: Path = RECIPE_PATH) -> dict[str, Any]:
    """The recipe with dotted-path overrides applied (unknown keys are an error, not a silent no-op)."""
    with open(path, encoding="utf-8") as fh:
        recipe = json.load(fh)
    recipe = copy.deepcopy(recipe)
    for key, val in (overrides or {}).items():
        _set_path(recipe, key, val)
    return recipe
