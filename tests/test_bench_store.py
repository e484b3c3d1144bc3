"""results.jsonl: durable appends, truncated-tail repair, corrupt-middle detection, dedupe, one writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infscale.bench.store import RESULTS, ResultStore, pipeline_slug, read_results
from infscale.errors import DataError


def rec(tid: str, status: str = "ok", score: float = 1.0) -> dict[str, object]:
    return {"pipeline": "p", "task_id": tid, "seed": 1, "status": status, "score": score}


def test_append_and_reload(tmp_path: Path) -> None:
    with ResultStore(tmp_path) as store:
        assert store.open().records == {}
        store.append(rec("a"))
        store.append(rec("b"))
    loaded = read_results(tmp_path / RESULTS)
    assert set(loaded.records) == {("p", "a", 1), ("p", "b", 1)} and not loaded.truncated_tail


def test_truncated_last_line_is_cut_and_redone(tmp_path: Path) -> None:
    path = tmp_path / RESULTS
    good = json.dumps(rec("a")) + "\n"
    partial = good + json.dumps(rec("b"))[:25]  # killed mid-write
    path.write_text(partial)
    assert read_results(path).truncated_tail
    assert path.read_text() == partial  # reading alone never changes the file
    store = ResultStore(tmp_path)
    loaded = store.open()
    assert loaded.truncated_tail and set(loaded.records) == {("p", "a", 1)}
    store.append(rec("b"))
    store.close()
    lines = path.read_text().splitlines()
    assert [json.loads(x)["task_id"] for x in lines] == ["a", "b"]


def test_complete_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / RESULTS
    path.write_text(json.dumps(rec("a")))
    with ResultStore(tmp_path) as store:
        assert set(store.open().records) == {("p", "a", 1)}
        store.append(rec("b"))
    assert len(path.read_text().splitlines()) == 2


def test_invalid_record_at_the_end_is_redone_but_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / RESULTS
    path.write_text(json.dumps(rec("a")) + "\n" + json.dumps({"no": "keys"}) + "\n")
    with ResultStore(tmp_path) as store:
        assert store.open().truncated_tail
    path.write_text(json.dumps(rec("a")) + "\n{garbage\n" + json.dumps(rec("b")) + "\n")
    with pytest.raises(DataError, match=r"results.jsonl:2 is corrupt and is not the last line"):
        ResultStore(tmp_path).open()


def test_later_line_replaces_earlier_for_the_same_key(tmp_path: Path) -> None:
    with ResultStore(tmp_path) as store:
        store.open()
        store.append(rec("a", "failed", 0.0))
        store.append(rec("a", "ok", 1.0))
    records = read_results(tmp_path / RESULTS).records
    assert len(records) == 1 and records[("p", "a", 1)]["status"] == "ok"


def test_one_writer_per_directory(tmp_path: Path) -> None:
    first = ResultStore(tmp_path)
    first.open()
    with pytest.raises(DataError, match="another run is writing"):
        ResultStore(tmp_path).open()
    first.close()
    ResultStore(tmp_path).open()


def test_pipeline_slug_is_safe_stable_and_unique() -> None:
    a, b = pipeline_slug("vote(n=5, smollm2-135m)"), pipeline_slug("vote(n=5,smollm2-135m)")
    assert a != b and a == pipeline_slug("vote(n=5, smollm2-135m)")
    assert all(c.isalnum() or c in "._-" for c in a)
    assert pipeline_slug("../../etc").startswith("etc-")
