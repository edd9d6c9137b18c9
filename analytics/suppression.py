"""Small-cell suppression of published count tables (pure: no Django).

A table is a grid of counts with row totals, column totals and the grand total. A count from 1 to
k - 1 (primary) is withheld, and so are the cells that would let a reader recover it by subtracting
the published cells of its row or column from that row's or column's total (secondary): every
line (a row with its total, a column with its total, the row of column totals with the grand total,
the column of row totals with the grand total) holds either no withheld entry or at least two. A
line with one withheld cell gets a second: the smallest published cell of the line (least
information lost), or its total when no cell is left. Repeated until no line has exactly one, so no
withheld value follows from the published ones by row or column subtraction, however often the
subtraction is repeated (tested with Hypothesis in analytics/tests/test_suppression.py).

A zero is published (it describes no one). Totals below k are withheld too (they are small counts
themselves). This protects against subtraction along rows and columns, the attack the statistics
offices' guidance names; it does not claim to defeat a linear-programming search for bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = tuple[int, int]  # (row, column); column -1 is the row total, row -1 the column total, (-1, -1) the grand total
TOTAL = -1


@dataclass
class SuppressedTable:
    cells: list[list[int | None]]
    row_totals: list[int | None]
    col_totals: list[int | None]
    grand_total: int | None
    primary: set[Cell] = field(default_factory=set)
    secondary: set[Cell] = field(default_factory=set)
    all_suppressed: bool = False  # every non-zero cell withheld: nothing of substance can be published

    @property
    def suppressed(self) -> set[Cell]:
        return self.primary | self.secondary

    def is_suppressed(self, i: int, j: int) -> bool:
        return (i, j) in self.suppressed


def _lines(n_rows: int, n_cols: int) -> list[list[Cell]]:
    """Every line of the table with its total: rows, columns, the totals row and the totals column."""
    lines = [[(i, j) for j in range(n_cols)] + [(i, TOTAL)] for i in range(n_rows)]
    lines += [[(i, j) for i in range(n_rows)] + [(TOTAL, j)] for j in range(n_cols)]
    lines.append([(TOTAL, j) for j in range(n_cols)] + [(TOTAL, TOTAL)])
    lines.append([(i, TOTAL) for i in range(n_rows)] + [(TOTAL, TOTAL)])
    return lines


def full_table(cells: list[list[int]]) -> dict[Cell, int]:
    """The grid with its totals as {cell: value}."""
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    values: dict[Cell, int] = {}
    for i in range(n_rows):
        for j in range(n_cols):
            values[(i, j)] = int(cells[i][j])
        values[(i, TOTAL)] = sum(int(v) for v in cells[i])
    for j in range(n_cols):
        values[(TOTAL, j)] = sum(int(cells[i][j]) for i in range(n_rows))
    values[(TOTAL, TOTAL)] = sum(values[(i, TOTAL)] for i in range(n_rows))
    return values


def suppress(cells: list[list[int]], k: int) -> SuppressedTable:
    """Withhold the small counts of ``cells`` (a rectangular grid of non-negative integers) and
    the cells or totals that would reveal them by subtraction."""
    if k < 1:
        raise ValueError("k must be at least 1")
    n_rows = len(cells)
    n_cols = len(cells[0]) if cells else 0
    if any(len(row) != n_cols for row in cells):
        raise ValueError("the table must be rectangular")
    if any(int(v) < 0 for row in cells for v in row):
        raise ValueError("counts are never negative")
    values = full_table(cells)
    primary = {c for c, v in values.items() if 0 < v < k}
    withheld = set(primary)
    lines = _lines(n_rows, n_cols) if n_rows and n_cols else []
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [c for c in line if c in withheld]
            if len(hidden) != 1:
                continue
            candidates = [c for c in line if c not in withheld and TOTAL not in c]
            if candidates:
                # The smallest published cell: least information lost (ties: the first).
                pick = min(candidates, key=lambda c: (values[c], c))
            else:
                pick = next(c for c in line if c not in withheld)
            withheld.add(pick)
            changed = True
    nonzero = {(i, j) for i in range(n_rows) for j in range(n_cols) if values[(i, j)]}
    published = {c: (None if c in withheld else v) for c, v in values.items()}
    return SuppressedTable(
        cells=[[published[(i, j)] for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[published[(i, TOTAL)] for i in range(n_rows)],
        col_totals=[published[(TOTAL, j)] for j in range(n_cols)],
        grand_total=published[(TOTAL, TOTAL)] if n_rows and n_cols else 0,
        primary=primary,
        secondary=withheld - primary,
        all_suppressed=bool(nonzero) and nonzero <= withheld,
    )


def derivable(published: dict[Cell, int | None], n_rows: int, n_cols: int) -> dict[Cell, int]:
    """What a reader recovers from ``published`` (None: withheld) by repeated subtraction along
    rows and columns: the withheld entries whose value follows, with that value. Used by the tests
    as the attacker; also a check a statistics office can run on a table before publishing it."""
    known = {c: v for c, v in published.items() if v is not None}
    found: dict[Cell, int] = {}
    changed = True
    while changed:
        changed = False
        for line in _lines(n_rows, n_cols):
            unknown = [c for c in line if c not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            total_cell = line[-1]
            if cell == total_cell:
                value = sum(known[c] for c in line[:-1])
            else:
                value = known[total_cell] - sum(known[c] for c in line[:-1] if c != cell)
            known[cell] = value
            found[cell] = value
            changed = True
    return found
