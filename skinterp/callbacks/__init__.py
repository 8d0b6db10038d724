"""skorch callbacks used by the methods."""

from ._annealing import LinearAnnealing
from ._finite import FiniteLossCheck
from ._resume import Resume

__all__ = ["FiniteLossCheck", "LinearAnnealing", "Resume"]
