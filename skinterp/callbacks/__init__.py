"""skorch callbacks used by the methods."""

from ._annealing import LinearAnnealing

__all__ = ["LinearAnnealing"]
