"""The 5 × 5 heat map: one aggregate query, cells with CSS classes (no inline styles)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Acceptance, band


@dataclass
class Cell:
    likelihood: int
    impact: int
    count: int
    css: str
    accepted: int = 0

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


def heat_map(queryset, *, inherent: bool = False) -> list[list[Cell]]:
    """Rows from impact 5 (top) to 1, columns likelihood 1 to 5, counting the risks in each
    cell by residual (or inherent) rating, and how many of them are accepted, in one query."""
    lk, im = ("inherent_likelihood", "inherent_impact") if inherent else ("residual_likelihood", "residual_impact")
    rows = (
        queryset.order_by()
        .values(lk, im)
        .annotate(n=Count("pk"), accepted=Count("pk", filter=Q(acceptance=Acceptance.ACCEPTED)))
    )
    counts = {(row[lk], row[im]): (row["n"], row["accepted"]) for row in rows}
    grid = []
    for impact in range(5, 0, -1):
        line = []
        for likelihood in range(1, 6):
            n, accepted = counts.get((likelihood, impact), (0, 0))
            line.append(Cell(likelihood, impact, n, f"heat-{band(likelihood * impact)}", accepted))
        grid.append(line)
    return grid


def open_high(heat: list[list[Cell]], threshold: int = 10) -> int:
    """Risks rated high or critical that are not accepted, from the map's own counts."""
    return sum(c.count - c.accepted for row in heat for c in row if c.score >= threshold)
