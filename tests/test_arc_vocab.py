"""icecuber-style vocabulary of the search: smear direction sets and the transforms onto the outputs' fixed
shape (embed / repeat / mirror / broadcast)."""

import numpy as np
import pytest

from infscale.arc.dsl import kernels
from infscale.arc.dsl import primitives as prims
from infscale.arc.search import search


def G(s: str) -> np.ndarray:
    """A grid from rows separated by spaces, ``.`` for 0, ``X`` for the new colour (``MARK``)."""
    return np.array(
        [[0 if ch == "." else prims.MARK if ch == "X" else int(ch) for ch in row] for row in s.split()],
        dtype=np.uint8,
    )


def _both(f, g: np.ndarray):
    """``f(g)`` with the kernels on and with the reference code (they must agree bit for bit)."""
    with kernels.use_kernels(True):
        a = f(g)
    with kernels.use_kernels(False):
        b = f(g)
    assert (a is None) == (b is None)
    if a is not None:
        assert a.dtype == b.dtype and np.array_equal(a, b)
    return a


def test_smear_stops_at_the_next_shape_and_later_directions_win() -> None:
    g = G("1..2. .....")
    # left-to-right: the ray of 1 stops at 2, which shoots its own; then right-to-left overwrites
    assert np.array_equal(_both(prims.smear(((0, 1),)), g), G("11122 ....."))
    assert np.array_equal(_both(prims.smear(((0, 1), (0, -1))), g), G("12222 ....."))
    # the old rays_r paints through the 2 with the first colour in raster order
    assert np.array_equal(prims.rays("r")(g), G("11121 ....."))
    assert _both(prims.smear(((1, 0),)), G("... ... 3..")) is None  # nothing changes: refused


def test_smear_diagonals() -> None:
    g = G("... .1. ...")
    assert np.array_equal(_both(prims.smear(prims.SMEAR_SETS["dr"]), g), G("... .1. ..1"))
    assert np.array_equal(_both(prims.smear(prims.SMEAR_SETS["diag"]), g), G("1.1 .1. 1.1"))
    assert np.array_equal(_both(prims.smear(prims.SMEAR_SETS["all8"]), g), G("111 111 111"))


def test_smear_kernel_matches_reference_on_random_grids() -> None:
    rng = np.random.default_rng(0)
    fs = [prims.smear(v) for v in prims.SMEAR_SETS.values()]
    for _ in range(40):
        h, w = rng.integers(1, 12, size=2)
        g = np.where(rng.random((h, w)) < 0.15, rng.integers(1, 10, size=(h, w)), 0).astype(np.uint8)
        for f in fs:
            _both(f, g)


def test_fixed_out_shape() -> None:
    a, b = G("12 34"), G("123 456 789")
    assert prims.fixed_out_shape([a, b], [G("1"), G("2")]) == (1, 1)
    assert prims.fixed_out_shape([a, b], [G("1"), G("23")]) is None  # two output shapes
    assert prims.fixed_out_shape([a, a], [a, a]) is None  # same shape as every input: nothing to add


def test_to_shape_transforms() -> None:
    g = G("12 3.")
    ts = dict(prims.to_shape_transforms((4, 5)))
    assert np.array_equal(ts["embed_tl"](g), G("12... 3.... ..... ....."))
    assert np.array_equal(ts["embed_c"](g), G("..... .12.. .3... ....."))
    assert np.array_equal(ts["repeat_to"](g), G("12121 3.3.3 12121 3.3.3"))
    assert np.array_equal(ts["repeat1_to"](g), G("12.12 3..3. ..... 12.12"))
    assert np.array_equal(ts["mirror_to"](g), G("12211 3..33 3..33 12211"))
    assert np.array_equal(ts["mirror1_to"](g), G("12.21 3...3 ..... 3...3"))
    assert ts["scale_to"](g) is None  # 4 x 5 is no integer multiple of 2 x 2
    assert np.array_equal(dict(prims.to_shape_transforms((4, 4)))["scale_to"](g), prims.upscale(2)(g))
    # down: each block's majority colour, the lowest colour on ties
    down = dict(prims.to_shape_transforms((1, 2)))["scale_to"]
    assert np.array_equal(down(G("1122 1.2.")), G("12"))
    assert np.array_equal(down(G("12.. 21..")), G("1."))
    assert ts["embed_tl"](G("12... 3.... ..... .....")) is None  # already the shape: refused


def test_transforms_for_adds_to_shape_transforms_only_for_a_fixed_shape() -> None:
    names = [n for n, _ in prims.transforms_for([0, 1])]
    with_shape = [n for n, _ in prims.transforms_for([0, 1], (3, 3))]
    assert "smear_diag" in names
    assert "embed_c" not in names and "mirror_to" in with_shape
    assert len(with_shape) == len(names) + len(prims.to_shape_transforms((3, 3)))


@pytest.mark.parametrize("kernels_on", [True, False])
def test_search_finds_a_diagonal_smear(kernels_on: bool) -> None:
    """Cells shoot diagonal rays in all four directions: one step of the new vocabulary."""
    rng = np.random.default_rng(3)
    pairs = []
    for _ in range(4):
        g = np.zeros((9, 9), np.uint8)
        for _ in range(2):
            g[rng.integers(1, 8), rng.integers(1, 8)] = rng.integers(1, 10)
        pairs.append((g, prims.smear(prims.SMEAR_SETS["diag"])(g)))
    with kernels.use_kernels(kernels_on):
        res = search(
            [p[0] for p in pairs[:3]],
            [p[1] for p in pairs[:3]],
            [pairs[3][0]],
            time_budget_s=20.0,
            stop_after=9,
        )
    found = [c for c in res.candidates if c.program == "smear_diag"]
    assert found and np.array_equal(found[0].predictions[0], pairs[3][1])


def test_box_marks_keep_the_box_in_place() -> None:
    g = G("....... ..5.... ....... ....5.. .......")
    assert np.array_equal(prims.box_mark("fill")(g), G("....... ..5XX.. ..XXX.. ..XX5.. ......."))
    assert np.array_equal(prims.box_mark("frame")(g), G("....... ..XXX.. ..X.X.. ..XXX.. ......."))
    assert np.array_equal(prims.box_mark("ring")(g), G(".XXXXX. .X5..X. .X...X. .X..5X. .XXXXX."))
    assert prims.box_mark("inset")(g) is None  # a 3 x 3 box has no inner edge
    big = G("5.... ..... ..... ....5")
    assert np.array_equal(prims.box_mark("inset")(big), G("5.... .XXX. .XXX. ....5"))
    assert prims.box_mark("fill")(G("... ...")) is None  # no picture: refused
    assert prims.box_mark("fill")(G("11 11")) is None  # nothing changes: refused
    assert prims.box_mark("ring")(G("1.. ... ..1")) is None  # the ring lies off the grid


def test_search_draws_the_box_inside_the_markers() -> None:
    """928ad970: a rectangle one cell inside the four markers' box, in the shape's colour (renamed per pair
    by the colour-normalised search): ``box_inset`` and a colour map."""
    from infscale.arc.grid import default_data_root, load_task
    from infscale.arc.scoring import score_task
    from infscale.arc.solver import DslSolver

    task = load_task(default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training" / "928ad970.json")
    sol = DslSolver(max_depth=3, time_budget_s=8.0).solve(task)
    assert score_task(sol.attempts, task) == 1.0
    assert any("box_inset" in p for p in sol.programs), sol.programs
