"""Colour normalisation: give each pair's own colours the same names in every pair.

A colour map learned by the search must hold across pairs, so "recolour the shape to the colour of the
dot" fails when the dot is red in one pair and blue in the next. Colours that every input shares (such as
the background) and colours only outputs use (the task's fixed "answer" colours) keep their names; the
remaining colours of each input are renamed by how many cells they cover (most first) onto the free colour
names, and the pair's output is renamed the same way. The search then runs on the renamed task and its test
predictions are renamed back with the test input's own map.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .dsl.primitives import Grid


def _colour_sets(grids: Sequence[Grid]) -> list[set[int]]:
    return [{int(c) for c in np.unique(g)} for g in grids]


def colour_maps(
    train_in: Sequence[Grid], train_out: Sequence[Grid], test_in: Sequence[Grid]
) -> list[np.ndarray] | None:
    """One lookup table per grid of ``train_in + test_in`` (old colour -> new colour), or None when the
    task has no pair-specific colours or they cannot be renamed consistently."""
    ins = [*train_in, *test_in]
    in_sets = _colour_sets(ins)
    out_sets = _colour_sets(train_out)
    shared = set.intersection(*in_sets)
    output_only = set().union(*out_sets) - set().union(*in_sets[: len(train_in)])
    if all(s == in_sets[0] for s in in_sets):
        return None  # the same colours everywhere: nothing to normalise
    slots = [c for c in range(10) if c not in shared and c not in output_only]
    tables = []
    for k, (g, cols) in enumerate(zip(ins, in_sets, strict=True)):
        own = sorted(cols - shared, key=lambda c: (-int((g == c).sum()), c))
        if len(own) > len(slots):
            return None
        table = np.full(11, 255, dtype=np.uint8)
        for c in shared | output_only:
            table[c] = c
        for c, s in zip(own, slots, strict=False):
            table[c] = s
        if k < len(train_out) and (table[list(out_sets[k])] == 255).any():
            return None  # the output uses a colour of no role: it cannot be named the same way in every pair
        tables.append(table)
    if all(np.array_equal(t[t != 255], np.flatnonzero(t != 255)) for t in tables):
        return None  # renaming changes nothing
    return tables


def rename(g: Grid, table: np.ndarray) -> Grid | None:
    """Apply one grid's table; None when the grid has a colour the table does not name."""
    out = table[g]
    return None if (out == 255).any() else out.astype(np.uint8)


def rename_back(g: Grid, table: np.ndarray) -> Grid | None:
    """Rename a prediction back; None when it uses a colour name the test input's map does not give."""
    back = np.full(11, 255, dtype=np.uint8)
    for old, new in enumerate(table):
        if new != 255:
            back[new] = old
    out = back[g]
    return None if (out == 255).any() else out.astype(np.uint8)
