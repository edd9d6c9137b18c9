"""Small-cell suppression: small counts withheld, and no withheld value recoverable by subtracting
published cells from row or column totals (property-based)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.suppression import TOTAL, derivable, full_table, suppress

K = 5

tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda cols: st.lists(
        st.lists(st.one_of(st.integers(0, 6), st.integers(0, 200)), min_size=cols, max_size=cols),
        min_size=1, max_size=6,
    )
)


def _published(result, n_rows, n_cols):
    out = {}
    for i in range(n_rows):
        for j in range(n_cols):
            out[(i, j)] = result.cells[i][j]
        out[(i, TOTAL)] = result.row_totals[i]
    for j in range(n_cols):
        out[(TOTAL, j)] = result.col_totals[j]
    out[(TOTAL, TOTAL)] = result.grand_total
    return out


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(min_value=1, max_value=10))
def test_no_withheld_value_follows_by_subtraction(cells, k):
    result = suppress(cells, k)
    n_rows, n_cols = len(cells), len(cells[0])
    values = full_table(cells)
    published = _published(result, n_rows, n_cols)
    # Every small count is withheld, every published value is the true one.
    for cell, value in values.items():
        if 0 < value < k:
            assert published[cell] is None, cell
        if published[cell] is not None:
            assert published[cell] == value
    # The attacker recovers nothing that was withheld.
    assert derivable(published, n_rows, n_cols) == {}


@settings(max_examples=100, deadline=None)
@given(tables)
def test_a_lone_small_cell_takes_a_second_cell_of_its_row_and_column(cells):
    result = suppress(cells, K)
    n_rows, n_cols = len(cells), len(cells[0])
    published = _published(result, n_rows, n_cols)
    for i in range(n_rows):
        line = [published[(i, j)] for j in range(n_cols)] + [published[(i, TOTAL)]]
        assert line.count(None) != 1
    for j in range(n_cols):
        line = [published[(i, j)] for i in range(n_rows)] + [published[(TOTAL, j)]]
        assert line.count(None) != 1


def test_the_attacker_finds_a_cell_left_alone():
    # Without secondary suppression the 3 follows from 20 - 10 - 7.
    published = {(0, 0): None, (0, 1): 10, (0, 2): 7, (0, TOTAL): 20,
                 (TOTAL, 0): 3, (TOTAL, 1): 10, (TOTAL, 2): 7, (TOTAL, TOTAL): 20}
    assert derivable(published, 1, 3)[(0, 0)] == 3


def test_a_worked_example():
    result = suppress([[3, 10, 7], [12, 9, 30]], 5)
    assert result.cells[0][0] is None  # primary
    assert result.primary == {(0, 0)}
    # The row of the 3 loses its smallest other cell (7), and column 0 loses a second cell (12).
    assert result.cells[0][2] is None and result.cells[1][0] is None
    assert result.row_totals == [20, 51] and result.grand_total == 71
    assert not result.all_suppressed


def test_all_small_is_said():
    result = suppress([[1, 2], [3, 0]], 5)
    assert result.all_suppressed
    assert result.grand_total == 6  # large enough, and it reveals no single cell


def test_zeros_and_large_counts_are_published():
    result = suppress([[0, 50], [40, 60]], 5)
    assert result.suppressed == set() and result.cells == [[0, 50], [40, 60]]


def test_bad_tables_are_refused():
    with pytest.raises(ValueError):
        suppress([[1, 2], [3]], 5)
    with pytest.raises(ValueError):
        suppress([[-1]], 5)
