"""skorch callbacks used by the methods."""

from ._annealing import LinearAnnealing
from ._finite import FiniteLossCheck

__all__ = ["FiniteLossCheck", "LinearAnnealing"]
