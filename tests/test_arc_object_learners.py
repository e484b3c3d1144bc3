"""Object/region learners of the arc_dsl expert: each solves a small synthetic task, refuses a task it does
not explain, and solves (official scoring) the ARC-AGI-1 training tasks it claims."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import G, assert_solves, blank, contract_tests, corrupt, run

from infscale.arc.dsl import object_learners as ol


# ---------------------------------------------------------------- synthetic tasks per learner
def region_fill_task():
    """Enclosed background regions are filled: the smallest with 8, the others with 1."""

    def make(boxes):
        g = blank(12, 12)
        for r, c, h, w in boxes:
            g[r : r + h, c : c + w] = 5
            g[r + 1 : r + h - 1, c + 1 : c + w - 1] = 0
        return g

    def solve(g):
        out = g.copy()
        regs = [r for r in ol._regions(g, 0) if r.r0 > 0 and r.c0 > 0 and r.r1 < 12 and r.c1 < 12]
        small = min(r.size for r in regs)
        for r in regs:
            out[r.r0 : r.r1, r.c0 : r.c1][r.mask] = 8 if r.size == small else 1
        return out

    ins = [
        make([(1, 1, 3, 3), (1, 5, 4, 4), (6, 1, 5, 5)]),
        make([(1, 1, 4, 3), (7, 7, 4, 4), (6, 1, 3, 4)]),
        make([(1, 1, 5, 6), (7, 1, 3, 3), (7, 6, 4, 4)]),
    ]
    test = make([(1, 1, 6, 6), (1, 8, 3, 3), (8, 1, 3, 5)])
    return [(g, solve(g)) for g in ins], [(test, solve(test))]


def stamp_task():
    """Every red cell gets yellow diagonal neighbours; every blue cell orange orthogonal ones."""

    def solve(g):
        out = g.copy()
        for (y, x), c in np.ndenumerate(g):
            offs = ((-1, -1), (-1, 1), (1, -1), (1, 1)) if c == 2 else ((-1, 0), (1, 0), (0, -1), (0, 1))
            if c in (1, 2):
                for dy, dx in offs:
                    if 0 <= y + dy < g.shape[0] and 0 <= x + dx < g.shape[1] and g[y + dy, x + dx] == 0:
                        out[y + dy, x + dx] = 4 if c == 2 else 7
        return out

    ins = []
    for cells in ([(2, 2, 2), (6, 6, 1)], [(1, 6, 2), (5, 2, 2), (7, 7, 1)], [(3, 3, 1), (7, 2, 2)]):
        g = blank(9, 9)
        for y, x, c in cells:
            g[y, x] = c
        ins.append(g)
    t = blank(9, 9)
    t[2, 6], t[6, 2], t[4, 4] = 1, 2, 2
    return [(g, solve(g)) for g in ins], [(t, solve(t))]


def rays_task():
    """Red cells shoot rays down, green cells to the right (until the edge)."""

    def solve(g):
        out = g.copy()
        for (y, x), c in np.ndenumerate(g):
            if c == 2:
                col = out[y + 1 :, x]
                col[col == 0] = 2
            if c == 3:
                row = out[y, x + 1 :]
                row[row == 0] = 3
        return out

    ins = []
    for cells in ([(1, 1, 2), (4, 3, 3)], [(0, 5, 2), (2, 0, 3), (6, 2, 3)], [(3, 3, 2), (1, 4, 3)]):
        g = blank(8, 8)
        for y, x, c in cells:
            g[y, x] = c
        ins.append(g)
    t = blank(8, 8)
    t[0, 2], t[5, 1] = 2, 3
    return [(g, solve(g)) for g in ins], [(t, solve(t))]


def move_task():
    """The red object slides towards the cyan block until it touches it."""
    a1, b1 = blank(4, 9), blank(4, 9)
    a1[1, 0:2] = 2
    a1[0:3, 6:9] = 8
    b1[0:3, 6:9] = 8
    b1[1, 4:6] = 2
    a2, b2 = blank(9, 4), blank(9, 4)
    a2[0, 1:3] = 2
    a2[6:9, 0:4] = 8
    b2[6:9, 0:4] = 8
    b2[5, 1:3] = 2
    pairs = [(a1, b1), (a2, b2)]
    t, w = blank(6, 10), blank(6, 10)
    t[0:6, 0:2] = 8
    w[0:6, 0:2] = 8
    t[3, 7:9] = 2
    w[3, 2:4] = 2
    return pairs, [(t, w)]


def count_task():
    """Output = a row of as many blue cells as the input has objects."""
    pairs = [
        (G("1.1.. ..... 1...1"), np.full((1, 4), 1, np.uint8)),
        (G("11... ...2. ....."), np.full((1, 2), 1, np.uint8)),
        (G("1.1.1 ..... ..3.."), np.full((1, 4), 1, np.uint8)),
    ]
    return pairs, [(G("1.1.1 ..... 1.1.1"), np.full((1, 6), 1, np.uint8))]


def window_task():
    """Output = the 2x2 window at the top-right corner."""
    pairs = [
        (G("12345 67891 23456"), G("45 91")),
        (G("1234 5678 9123 4567"), G("34 78")),
    ]
    return pairs, [(G("987654 321987"), G("54 87"))]


def pick_task():
    """Output = the crop of the object with the most red cells."""
    pairs = [
        (G("11..... 12..333 ....323 .....22"), G("333 323 .22")),
        (G("1222... 1.2..33 ......3 44....."), G("1222 1.2.")),
    ]
    return pairs, [(G("33..... 32..222 ....2.2 11....."), G("222 2.2"))]


def overlay_task():
    """Output = the right half stacked over the left half."""

    def solve(g):
        w = g.shape[1] // 2
        return np.where(g[:, w:] != 0, g[:, w:], g[:, :w]).astype(np.uint8)

    ins = [G("12.3 .4.. 5..6"), G("1.22 .3.. 4.5."), G("11.. 2.3. .4.5")]
    test = G("1... .2.3 .4..")
    return [(g, solve(g)) for g in ins], [(test, solve(test))]


def nearest_task():
    """Grey cells take the colour of the marker at the left end of their row."""
    pairs = [
        (G("1..55. 2.5... 3....5"), G("1..11. 2.2... 3....3")),
        (G("4.5.5 1.... 2.55."), G("4.4.4 1.... 2.22.")),
    ]
    return pairs, [(G("6..5 7.5. 8..."), G("6..6 7.7. 8..."))]


def recolour_bg_task():
    """On a yellow background, single cells turn blue and two-cell objects green."""
    pairs = [
        (G("44444 42444 44422 44444"), G("44444 41444 44433 44444")),
        (G("33444 44442 44444 24444"), G("33444 44441 44444 14444")),
        (G("44444 44244 44444 22444"), G("44444 44144 44444 33444")),
    ]
    return pairs, [(G("42444 44444 44422 24444"), G("41444 44444 44433 14444"))]


def mask_task():
    """Empty rows and columns are painted red."""

    def solve(g):
        out = g.copy()
        out[(g == 0).all(axis=1)] = 2
        out[:, (g == 0).all(axis=0)] = 2
        return out

    ins = [G("1.3. .... 5.1. 1..."), G("..7 ... 3.. ..1"), G("1.1.1 ..... 1...1")]
    test = G("3... .... ..4. 1...")
    return [(g, solve(g)) for g in ins], [(test, solve(test))]


def cells_task():
    """A 5-separated grid of cells -> one output cell per input cell holding its majority colour."""
    pairs = [
        (G("11.5.3. 1..5... 5555555 ...5.2. ...5.22"), G("13 .2")),
        (G("..5.4 .45.. 55555 ..5.. 3.5.6"), G("44 36")),
    ]
    return pairs, [(G("7..5... .7.5... 5555555 ...5..1 ...5.11 5555555 9..5..."), G("7. .1 9."))]


def symmetrise_task():
    """The picture is completed to be mirror-symmetric both ways about the centre of the blue cells."""

    def make(y, x, cells):
        g = blank(11, 11)
        g[y : y + 2, x : x + 2] = 1
        for dy, dx, c in cells:
            g[y + dy, x + dx] = c
        return g

    def solve(g):
        ys, xs = np.nonzero(g == 1)
        cy, cx = ys.min() + ys.max(), xs.min() + xs.max()
        out = g.copy()
        for (y, x), c in np.ndenumerate(g):
            if c:
                for yy, xx in ((y, cx - x), (cy - y, x), (cy - y, cx - x)):
                    if 0 <= yy < 11 and 0 <= xx < 11 and out[yy, xx] == 0:
                        out[yy, xx] = c
        return out

    ins = [
        make(4, 4, [(-1, -1, 3), (-2, 0, 2)]),
        make(3, 5, [(-1, 2, 4), (3, -1, 3)]),
        make(5, 4, [(-2, -2, 2)]),
    ]
    test = make(4, 5, [(-1, 0, 6), (-2, -2, 3)])
    return [(g, solve(g)) for g in ins], [(test, solve(test))]


def object_rays_task():
    """Red 2x2 squares shoot a diagonal ray down-right from their far corner, blue ones up-left."""

    def make(squares):
        g = blank(10, 10)
        for y, x, c in squares:
            g[y : y + 2, x : x + 2] = c
        return g

    def solve(g):
        out = g.copy()
        for o in ol.objects(g, 0, True, False):
            d = (1, 1) if o.colour == 2 else (-1, -1)
            y, x = (o.r1, o.c1) if d == (1, 1) else (o.r0 - 1, o.c0 - 1)
            while 0 <= y < 10 and 0 <= x < 10 and g[y, x] == 0:
                out[y, x] = o.colour
                y, x = y + d[0], x + d[1]
        return out

    ins = [make([(2, 2, 1), (5, 5, 2)]), make([(1, 6, 2), (6, 2, 1)]), make([(5, 1, 1), (1, 5, 2)])]
    test = make([(3, 6, 1), (6, 1, 2)])
    return [(g, solve(g)) for g in ins], [(test, solve(test))]


def predicate_task():
    """Objects of exactly three cells turn red, the others keep their colour."""

    def solve(g):
        out = g.copy()
        for o in ol.objects(g, 0, True, False):
            if o.size == 3:
                out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = 2
        return out

    ins = [G("111.. ....1 1...1 1...1"), G("11..1 ....1 .1..1 ....."), G("1.... 1.111 ..... 11...")]
    test = G("1.1.. 1.1.. 1.... ...11")
    return [(g, solve(g)) for g in ins], [(test, solve(test))]


def cell_copy_task():
    """The only non-empty cell of a 5-separated grid is copied into every cell."""

    def make(cell, at):
        g = np.zeros((8, 8), dtype=np.uint8)
        g[:, [2, 5]] = 5
        g[[2, 5], :] = 5
        r, c = at
        g[r * 3 : r * 3 + 2, c * 3 : c * 3 + 2] = cell
        return g

    def solve(g):
        out = g.copy()
        cell = next(
            g[r * 3 : r * 3 + 2, c * 3 : c * 3 + 2]
            for r in range(3)
            for c in range(3)
            if g[r * 3 : r * 3 + 2, c * 3 : c * 3 + 2].any()
        )
        for r in range(3):
            for c in range(3):
                out[r * 3 : r * 3 + 2, c * 3 : c * 3 + 2] = cell
        return out

    ins = [make(G("12 .3"), (0, 1)), make(G("4. 44"), (2, 2)), make(G(".6 7."), (1, 0))]
    test = make(G("88 .9"), (1, 1))
    return [(g, solve(g)) for g in ins], [(test, solve(test))]


def continue_task():
    """A pattern at the left edge repeats with its period to the right edge."""

    def make(tile, w):
        g = np.zeros((tile.shape[0], 10), dtype=np.uint8)
        reps = w // tile.shape[1]
        g[:, : reps * tile.shape[1]] = np.tile(tile, (1, reps))
        return g

    def solve(g, tile):
        return np.tile(tile, (1, 10))[:, :10]

    specs = [(G("12. .33"), 6), (G("4.5 446"), 6), (G("7.8. .787"), 8)]
    pairs = [(make(t, w), solve(None, t)) for t, w in specs]
    tile = G("91 .2")
    return pairs, [(make(tile, 4), solve(None, tile))]


CASES = {
    "region_fill": (ol.fit_region_fill, region_fill_task),
    "stamp": (ol.fit_stamp, stamp_task),
    "colour_rays": (ol.fit_colour_rays, rays_task),
    "move_to_contact": (ol.fit_move_to_contact, move_task),
    "object_count": (ol.fit_object_count, count_task),
    "window_crop": (ol.fit_window_crop, window_task),
    "object_pick": (ol.fit_object_pick, pick_task),
    "part_overlay": (ol.fit_part_overlay, overlay_task),
    "nearest_recolour": (ol.fit_nearest_recolour, nearest_task),
    "object_recolour_bg": (ol.fit_object_recolour_bg, recolour_bg_task),
    "mask_paint": (ol.fit_mask_paint, mask_task),
    "cell_summary": (ol.fit_cell_summary, cells_task),
    "symmetrise": (ol.fit_symmetrise, symmetrise_task),
    "object_rays": (ol.fit_object_rays, object_rays_task),
    "object_predicate": (ol.fit_object_predicate, predicate_task),
    "cell_rewrite": (ol.fit_cell_rewrite, cell_copy_task),
    "pattern_continue": (ol.fit_pattern_continue, continue_task),
}


def test_connect_pairs_solves_and_refuses():
    pairs = [
        (G("1...1 ..... .1..1"), G("18881 ..... .1881")),
        (G("..... 1..1. ....."), G("..... 1881. .....")),
    ]
    tests = [(G("1.1.. ..... .1..."), G("181.. ..... .1..."))]
    assert_solves(ol.fit_connect_pairs, pairs, tests)
    assert run(ol.fit_connect_pairs, corrupt(pairs), tests) is None


def test_semantic_refusals():
    # stamp: an offset seen once is not trusted, so a one-example pattern is refused
    a, b = blank(5, 5), blank(5, 5)
    a[2, 2] = 3
    b[2, 2], b[0, 0] = 3, 4
    assert ol.fit_stamp([a], [b], [a]) is None
    # replacing stamp: the marker becomes a pattern; seen in two pairs it is learned, in one it is not
    a2, b2 = blank(5, 5), blank(5, 5)
    a2[1, 3] = 3
    b2[1, 3], b2[0, 2], b2[2, 4] = 7, 4, 6
    b[2, 2], b[0, 0] = 0, 0
    b[1, 1], b[3, 3] = 4, 6
    b[2, 2] = 7
    assert ol.fit_stamp([a], [b], [a]) is None
    pred = ol.fit_stamp([a, a2], [b, b2], [a])
    assert pred is not None and np.array_equal(pred(a), b)
    test = blank(5, 5)
    test[3, 1] = 3
    want = blank(5, 5)
    want[3, 1], want[2, 0], want[4, 2] = 7, 4, 6
    assert np.array_equal(pred(test), want)
    assert ol.fit_stamp([a, a2], [b, b2], [G("2. ..")]) is None  # an anchor colour no pair shows
    # region fill: a change on a non-background cell is out of scope
    assert ol.fit_region_fill([G("1. ..")], [G("2. ..")], [G("1. ..")]) is None
    # window crop: windows at different offsets in each pair
    assert ol.fit_window_crop([G("12 34"), G("56 78")], [G("1"), G("8")], [G("12 34")]) is None
    # counts: the output colour set is not a single colour
    assert ol.fit_object_count([G("1.1")], [G("12")], [G("1.1")]) is None


def test_background_swap_round_trips():
    g = G("4441 4024")
    assert np.array_equal(ol._swap(ol._swap(g, 4), 4), g)


# ---------------------------------------------------------------- the training tasks each learner claims
CLAIMS = {
    "region_fill": ["44d8ac46", "6455b5f5", "83302e8f", "868de0fa", "9edfc990", "e8593010"],
    "stamp": ["0962bcdd", "0ca9ddb6", "913fb3ed", "93b581b8", "95990924", "a9f96cdd", "d364b489"],
    "colour_rays": ["178fcbfb"],
    "connect_pairs": ["1f876c06", "22eb0ac0", "40853293"],
    "move_to_contact": ["05f2a901"],
    "object_count": ["d0f5fe59", "1fad071e"],
    "window_crop": ["5bd6f4ac", "d10ecb37"],
    "object_pick": ["8efcae92", "b9b7f026", "de1cd16c", "e50d258f"],
    "part_overlay": ["75b8110e"],
    "nearest_recolour": ["2204b7a8", "c9f8e694", "ddf7fa4f"],
    "object_recolour_bg": ["b2862040"],
    "mask_paint": ["3aa6fb7a", "56ff96f3", "60b61512", "c1d99e64"],
    "cell_summary": ["6773b310", "780d0b14"],
    "symmetrise": ["11852cab", "4938f0c2", "4c5c2cf0"],
    "object_rays": ["5c0a986e"],
    "object_predicate": ["d2abd087"],
    "cell_rewrite": ["29623171", "c444b776"],
    "pattern_continue": ["d8c310e9"],
}


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(ol.OBJECT_LEARNERS, CASES, CLAIMS)
