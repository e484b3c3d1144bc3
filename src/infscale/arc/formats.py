"""Grids as text for language models, and a robust parser from model output back to a grid.

Encodings (``ENCODINGS``): ``digits`` (one row per line, ``0123``), ``spaced`` (``0 1 2 3``), ``json``
(``[[0,1],[2,3]]``), ``csv`` (``0,1,2,3``) and ``letters`` (``.`` for 0, one capital per colour, see
``LETTERS``; rows of one letter are not parsed back, so prose capitals are never read as grids).
:func:`parse_grid` reads any of them back; the last well-formed grid in the text wins, and text without one
gives ``None``, never an exception.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import InvalidRequestError
from .grid import GridList, Task

#: One character per colour for the ``letters`` encoding (0 = ``.``).
LETTERS = ".BRGYXMOAC"
ENCODINGS = ("digits", "spaced", "json", "csv", "letters")


def encode_grid(grid: GridList, encoding: str = "digits") -> str:
    """Render a grid in one of :data:`ENCODINGS`."""
    rows = [[int(v) for v in r] for r in grid]
    if encoding == "digits":
        return "\n".join("".join(str(v) for v in r) for r in rows)
    if encoding == "spaced":
        return "\n".join(" ".join(str(v) for v in r) for r in rows)
    if encoding == "csv":
        return "\n".join(",".join(str(v) for v in r) for r in rows)
    if encoding == "json":
        return "[" + ",".join("[" + ",".join(str(v) for v in r) + "]" for r in rows) + "]"
    if encoding == "letters":
        return "\n".join("".join(LETTERS[v] for v in r) for r in rows)
    raise InvalidRequestError(f"unknown grid encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")


def encode_task(task: Task, encoding: str = "digits", include_test_outputs: bool = False) -> str:
    """A task as a prompt body: every train pair, then the test inputs (outputs left to the model)."""
    parts = []
    for i, pair in enumerate(task["train"], 1):
        parts.append(f"Example {i} input:\n{encode_grid(pair['input'], encoding)}")
        parts.append(f"Example {i} output:\n{encode_grid(pair['output'], encoding)}")
    for i, pair in enumerate(task["test"], 1):
        parts.append(f"Test {i} input:\n{encode_grid(pair['input'], encoding)}")
        if include_test_outputs and "output" in pair:
            parts.append(f"Test {i} output:\n{encode_grid(pair['output'], encoding)}")
    return "\n\n".join(parts)


_JSON_GRID = re.compile(r"\[\s*\[[\d\s,\[\]]*\]\s*\]")


def _valid(rows: Any) -> GridList | None:
    if not isinstance(rows, list) or not rows or len(rows) > 30:
        return None
    width = None
    out: GridList = []
    for r in rows:
        if not isinstance(r, list) or not r or len(r) > 30:
            return None
        if width is None:
            width = len(r)
        if len(r) != width:
            return None
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 9 for v in r):
            return None
        out.append([int(v) for v in r])
    return out


def _row_values(line: str) -> list[int] | None:
    s = line.strip().strip("|").strip()
    if not s:
        return None
    if re.fullmatch(r"[0-9]+", s):
        return [int(c) for c in s]
    if re.fullmatch(r"[0-9]([ \t,|]+[0-9])*", s):
        return [int(c) for c in re.findall(r"[0-9]", s)]
    compact = s.replace(" ", "")
    # letter rows: at least two cells, so a lone capital in prose is not read as a 1x1 grid
    if len(compact) > 1 and all(c in LETTERS for c in compact):
        return [LETTERS.index(c) for c in compact]
    return None


def _line_grids(text: str) -> list[tuple[int, GridList]]:
    """Blocks of consecutive row lines (a ragged block is malformed: no grid), with where each block ends."""
    found: list[tuple[int, GridList]] = []
    block: list[list[int]] = []
    end = 0
    pos = 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        vals = _row_values(line)
        if vals is not None:
            block.append(vals)
            end = pos
            continue
        if block:
            g = _valid(block)
            if g is not None:
                found.append((end, g))
        block = [vals] if vals is not None else []
        end = pos
    if block:
        g = _valid(block)
        if g is not None:
            found.append((end, g))
    return found


def _json_grids(text: str) -> list[tuple[int, GridList]]:
    found = []
    for m in _JSON_GRID.finditer(text):
        try:
            g = _valid(json.loads(m.group(0)))
        except (json.JSONDecodeError, RecursionError):
            g = None
        if g is not None:
            found.append((m.end(), g))
    return found


def parse_grids(text: Any) -> list[GridList]:
    """Every well-formed grid in ``text`` (JSON arrays, rows of digits, letter rows), in order of appearance."""
    if not isinstance(text, str) or not text:
        return []
    text = text.replace("\r\n", "\n")
    found = _json_grids(text)
    spans = [(m.start(), m.end()) for m in _JSON_GRID.finditer(text)]
    # Rows of digits inside a JSON array are not separate grids: blank out JSON spans before line parsing.
    masked = list(text)
    for a, b in spans:
        for i in range(a, b):
            if masked[i] != "\n":
                masked[i] = " "
    found += _line_grids("".join(masked))
    found.sort(key=lambda t: t[0])
    return [g for _, g in found]


def parse_grid(text: Any) -> GridList | None:
    """The last well-formed grid in a model's output, or ``None`` when there is none (never raises)."""
    try:
        grids = parse_grids(text)
    except Exception:  # robustness is the contract: any parsing failure is a failed attempt
        return None
    return grids[-1] if grids else None
