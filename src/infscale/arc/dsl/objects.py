"""Connected components of a grid (objects), cached by the grid's bytes because the search asks often."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import kernels

_N4 = ((1, 0), (-1, 0), (0, 1), (0, -1))
_N8 = (*_N4, (1, 1), (1, -1), (-1, 1), (-1, -1))


@dataclass(frozen=True)
class Obj:
    """One object: its cells in the bounding box (``patch``, background = -1 cells outside the object)."""

    r0: int
    c0: int
    r1: int  # exclusive
    c1: int  # exclusive
    size: int
    mask: np.ndarray  # bool, bbox-shaped
    patch: np.ndarray  # uint8, bbox-shaped crop of the grid (cells outside the mask hold the background)
    colour: int  # majority colour of the object

    @property
    def shape(self) -> tuple[int, int]:
        return (self.r1 - self.r0, self.c1 - self.c0)


def _label(g: np.ndarray, bg: int, diag: bool, multicolour: bool) -> tuple[np.ndarray, int]:
    """Component labels (-1 = ``bg``), numbered in raster order of each component's first cell."""
    if kernels.ENABLED:
        # plain int / bool arguments: one compiled specialisation, whatever the caller passes
        lab, n = kernels.label(kernels.as_grid(g), int(bg), bool(diag), bool(multicolour))
        return lab, int(n)
    h, w = g.shape
    lab = np.full((h, w), -1, dtype=np.int32)
    cells = g.tolist()
    labl = lab.tolist()
    nb = _N8 if diag else _N4
    n = 0
    for r in range(h):
        row = cells[r]
        for c in range(w):
            v = row[c]
            if v == bg or labl[r][c] >= 0:
                continue
            labl[r][c] = n
            stack = [(r, c)]
            while stack:
                y, x = stack.pop()
                for dy, dx in nb:
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < h and 0 <= xx < w and labl[yy][xx] < 0:
                        u = cells[yy][xx]
                        if u != bg and (multicolour or u == v):
                            labl[yy][xx] = n
                            stack.append((yy, xx))
            n += 1
    return np.array(labl, dtype=np.int32).reshape(h, w), n


@lru_cache(maxsize=20000)
def _objects_cached(key: bytes, h: int, w: int, bg: int, diag: bool, multicolour: bool) -> tuple[Obj, ...]:
    g = np.frombuffer(key, dtype=np.uint8).reshape(h, w)
    if kernels.ENABLED:
        return _objects_fast(g, bg, diag, multicolour)
    lab, n = _label(g, bg, diag, multicolour)
    out = []
    for i in range(n):
        ys, xs = np.nonzero(lab == i)
        r0, r1, c0, c1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
        m = lab[r0:r1, c0:c1] == i
        patch = g[r0:r1, c0:c1].copy()
        patch[~m] = bg
        vals = patch[m]
        colour = int(np.bincount(vals).argmax())
        out.append(Obj(r0, c0, r1, c1, int(m.sum()), m, patch, colour))
    return tuple(out)


def _objects_fast(g: np.ndarray, bg: int, diag: bool, multicolour: bool) -> tuple[Obj, ...]:
    """The same objects from one compiled pass (masks and patches are views of two shared buffers)."""
    box, size, colour, offs, masks, patches = kernels.components(
        kernels.as_grid(g), int(bg), bool(diag), bool(multicolour)
    )
    out = []
    for (r0, c0, r1, c1), sz, col, a, b in zip(
        box.tolist(), size.tolist(), colour.tolist(), offs[:-1].tolist(), offs[1:].tolist(), strict=True
    ):
        shape = (r1 - r0, c1 - c0)
        out.append(Obj(r0, c0, r1, c1, sz, masks[a:b].reshape(shape), patches[a:b].reshape(shape), col))
    return tuple(out)


def objects(g: np.ndarray, bg: int = 0, diag: bool = True, multicolour: bool = True) -> tuple[Obj, ...]:
    """The connected components of non-``bg`` cells (8- or 4-connected; by any colour or by one colour)."""
    g = np.ascontiguousarray(g, dtype=np.uint8)
    return _objects_cached(g.tobytes(), g.shape[0], g.shape[1], bg, diag, multicolour)


def background(g: np.ndarray) -> int:
    """The most frequent colour."""
    return int(np.bincount(g.ravel(), minlength=11).argmax())
