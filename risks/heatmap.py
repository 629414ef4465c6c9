"""The 5 × 5 heat map: one aggregate query, cells with CSS classes (no inline styles)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from .models import band


@dataclass
class Cell:
    likelihood: int
    impact: int
    count: int
    css: str


def heat_map(queryset, *, inherent: bool = False) -> list[list[Cell]]:
    """Rows from impact 5 (top) to 1, columns likelihood 1 to 5, counting the risks in each
    cell by residual (or inherent) rating, in one query."""
    lk, im = ("inherent_likelihood", "inherent_impact") if inherent else ("residual_likelihood", "residual_impact")
    counts = {(row[lk], row[im]): row["n"] for row in queryset.order_by().values(lk, im).annotate(n=Count("pk"))}
    return [
        [
            Cell(likelihood, impact, counts.get((likelihood, impact), 0), f"heat-{band(likelihood * impact)}")
            for likelihood in range(1, 6)
        ]
        for impact in range(5, 0, -1)
    ]
