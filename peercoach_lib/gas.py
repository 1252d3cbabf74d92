"""Goal Attainment Scaling: the summary T-score across goals (Kiresuk & Sherman).

    T = 50 + 10 * sum(w_i * x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum(w_i))^2)

with levels x_i from -2 to +2, weights w_i (default 1) and rho, the assumed correlation between
goals, 0.3 by default (Turner-Stokes 2009). T is 50 when every goal is at its expected level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

DEFAULT_RHO = 0.3
LEVELS = {
    -2: "much less than expected",
    -1: "somewhat less than expected",
    0: "expected outcome",
    1: "somewhat more than expected",
    2: "much more than expected",
}


def sign(level: int) -> str:
    """A level as people write it: −2, −1, 0, +1, +2 (with a real minus sign)."""
    return f"{level:+d}".replace("-", "−") if level else "0"


def t_score(
    levels: Sequence[int], weights: Sequence[float] | None = None, *, rho: float = DEFAULT_RHO
) -> float | None:
    """The GAS T-score, or None when there are no goals to score (undefined, not 50)."""
    if not levels:
        return None
    weights = [1.0] * len(levels) if weights is None else list(weights)
    if len(weights) != len(levels):
        raise ValueError("give one weight per goal")
    if any(level not in LEVELS for level in levels):
        raise ValueError("GAS levels run from -2 to +2")
    if any(w <= 0 for w in weights):
        raise ValueError("weights must be more than 0")
    if not 0 <= rho < 1:
        raise ValueError("rho must be at least 0 and less than 1")
    weighted = sum(w * x for w, x in zip(weights, levels, strict=True))
    spread = math.sqrt((1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2)
    return 50 + 10 * weighted / spread
