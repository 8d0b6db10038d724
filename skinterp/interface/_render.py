"""HTML renderers, registered by :mod:`skinterp.plotting` (which sits on top of everything).

``Explanation._repr_html_`` and ``EvaluationReport.to_html`` look their renderer up here, so
the value types below plotting never import it statically: the first lookup imports
:mod:`skinterp.plotting` by name (``import skinterp`` is lazy), which registers
``"explanation"`` and ``"report"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["html_of", "register_html_renderer"]

_RENDERERS: dict[str, Callable[..., str]] = {}


def register_html_renderer(kind: str, renderer: Callable[..., str]) -> None:
    """Make ``renderer(obj, **options)`` the HTML view of values of ``kind``."""
    _RENDERERS[kind] = renderer


def html_of(kind: str, obj: Any, **options: Any) -> str:
    """The HTML of ``obj`` by the renderer registered for ``kind``."""
    if kind not in _RENDERERS:  # the renderers live on top; load them on first use
        import importlib

        importlib.import_module("skinterp.plotting")
    if kind not in _RENDERERS:
        raise RuntimeError(
            f"no HTML renderer for {kind!r} is registered; import skinterp.plotting first."
        )
    return _RENDERERS[kind](obj, **options)
