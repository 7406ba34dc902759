"""The one root of the errors whose message is meant for the user (not a bug, not a traceback).

It lives in ``core`` (no QGIS, no Qt) so that any layer can raise it; it carries an English source text and
its values, and the plugin translates it exactly once where it meets the user: a Processing algorithm turns it
into a ``QgsProcessingException`` (``processing.base``), a dialog into its message. A raiser inside the plugin
may pass an already translated text; translating it again leaves it as it is.
"""
from __future__ import annotations

from collections.abc import Callable


class UserError(Exception):
    """A refusal the user can act on: ``message`` is an English source text (``tr()`` source or already
    translated), formatted with ``values`` after translation — placeholders as in ``str.format``."""

    def __init__(self, message: str, **values: object) -> None:
        self.message = message
        self.values = values
        super().__init__(self.text())

    def text(self, translate: Callable[[str], str] = str) -> str:
        """The message through ``translate`` (default: as given), then formatted with the values."""
        try:
            template = translate(self.message)
        except Exception:  # a broken translator must not hide the message
            template = self.message
        try:
            return template.format(**self.values) if self.values else template
        except (KeyError, IndexError, ValueError):
            return self.message.format(**self.values)
