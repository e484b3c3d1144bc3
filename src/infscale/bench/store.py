"""The resumable results file: append-only ``results.jsonl``, one fsynced line per (pipeline, task, seed).

A run killed mid-write leaves at most one truncated last line; :meth:`ResultStore.open` detects it, cuts it
off, and the task is redone. A corrupt line elsewhere is not from an interrupted write and is an error.
Later lines for the same key replace earlier ones (a retried failure), so nothing is double counted.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import DataError

RESULTS = "results.jsonl"
SCHEMA_VERSION = 1
REQUIRED = ("pipeline", "task_id", "seed", "status")

Key = tuple[str, str, int | None]


def record_key(record: dict[str, Any]) -> Key:
    return (record["pipeline"], record["task_id"], record["seed"])


def pipeline_slug(spec: str) -> str:
    """A file-system-safe, stable, unique name for a pipeline spec."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", spec).strip("_.")[:48] or "pipeline"
    return f"{safe}-{hashlib.sha1(spec.encode()).hexdigest()[:6]}"


@dataclass
class LoadResult:
    records: dict[Key, dict[str, Any]]
    truncated_tail: bool  # a corrupt last line was found (and, when repairing, cut off)
    lines: int


def _valid(obj: Any) -> bool:
    return isinstance(obj, dict) and all(k in obj for k in REQUIRED)


def _scan(data: bytes, path: Path) -> tuple[dict[Key, dict[str, Any]], int | None, int]:
    """Parse every line; return the records, the byte offset of a bad last line (or None), the line count."""
    records: dict[Key, dict[str, Any]] = {}
    pos = 0
    lineno = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        last = end == -1 or data[end + 1 :].strip() == b""
        chunk = data[pos:] if end == -1 else data[pos:end]
        lineno += 1
        if chunk.strip():
            try:
                obj = json.loads(chunk)
                ok = _valid(obj)
            except (json.JSONDecodeError, UnicodeDecodeError):
                ok = False
            if not ok or end == -1:
                if not ok and not last:
                    raise DataError(
                        f"{path}:{lineno} is corrupt and is not the last line (not from an interrupted write); "
                        "fix or remove that line, then --resume"
                    )
                if not ok:
                    return records, pos, lineno
            records[record_key(obj)] = obj
        if end == -1:
            break
        pos = end + 1
    return records, None, lineno


def read_results(path: Path) -> LoadResult:
    """Read a results file without changing it (a corrupt last line is ignored)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"no {RESULTS} at {path.parent}") from None
    records, bad, lines = _scan(data, path)
    return LoadResult(records, bad is not None, lines)


class ResultStore:
    """Owns ``DIR/results.jsonl`` for one run: an exclusive lock, loading with repair, durable appends."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / RESULTS
        self._fh: IO[bytes] | None = None

    def open(self) -> LoadResult:
        """Lock the file (one writer per directory), repair a truncated tail, return what is recorded."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - held open for the whole run
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise DataError(f"another run is writing {self.path}") from None
        fh.seek(0)
        data = fh.read()
        try:
            records, bad, lines = _scan(data, self.path)
        except DataError:
            fh.close()
            raise
        if bad is not None:
            fh.truncate(bad)
            os.fsync(fh.fileno())
        elif data and not data.endswith(b"\n"):
            fh.write(b"\n")  # a complete last record whose newline was lost
        self._fh = fh
        return LoadResult(records, bad is not None, lines)

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as one line and force it to disk before returning."""
        if self._fh is None:
            raise RuntimeError("ResultStore.append before open")
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=repr) + "\n"
        self._fh.write(line.encode("utf-8"))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every valid record of a results file (last one per key)."""
    yield from read_results(path).records.values()
