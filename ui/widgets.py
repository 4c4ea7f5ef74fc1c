"""Small widget helpers shared by the views."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, visible: bool | None = None, enabled: bool | None = None) -> W:
    """Give ``widget`` an accessible name (screen readers, tests) and object name; return it."""
    widget.setAccessibleName(name)
    widget.setObjectName(name.replace(" ", "_").lower())
    if visible is not None:
        widget.setVisible(visible)
    if enabled is not None:
        widget.setEnabled(enabled)
    return widget
