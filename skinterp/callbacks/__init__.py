"""skorch callbacks used by the methods."""

from ._annealing import LinearAnnealing
from ._decisiveness import DECISIVE_SPREAD, Decisiveness
from ._finite import FiniteLossCheck
from ._resume import Resume

__all__ = ["DECISIVE_SPREAD", "Decisiveness", "FiniteLossCheck", "LinearAnnealing", "Resume"]
