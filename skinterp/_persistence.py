"""Old import path of :mod:`skinterp.core._persistence`."""

from .core._persistence import PersistenceMixin, load, save

__all__ = ["PersistenceMixin", "load", "save"]
