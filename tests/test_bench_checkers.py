"""Answer checkers: normalisation, extraction and judging for number, text, choice, regex and Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from infscale.bench.checkers import (
    Checker,
    check_choice,
    check_number,
    check_regex,
    check_text,
    extract_choice,
    extract_number,
    load_python_checker,
    normalize_text,
)
from infscale.errors import DataError


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("Mexico City.", "mexico city"),
        ("  the  MEXICO   city ", "mexico city"),
        ("Brasília", "brasilia"),
        ("N'Djamena!", "n djamena"),
        ("An apple", "apple"),
    ],
)
def test_normalize_text(raw: str, norm: str) -> None:
    assert normalize_text(raw) == norm


@pytest.mark.parametrize(
    ("text", "question", "value"),
    [
        ("12", None, 12.0),
        ("1,234", None, 1234.0),
        ("The total is 1,234,567.5 dollars", None, 1234567.5),
        ("-7", None, -7.0),
        ("\u22127", None, -7.0),
        ("3/4", None, 0.75),
        ("twelve", None, 12.0),
        ("7 plus 5 is 12", "What is 7 plus 5?", 12.0),
        ("134 is larger than 76", "Which number is larger, 76 or 134?", 134.0),
        ("Let me think: 3 and 4. The answer is 7.", None, 7.0),
        ("\\boxed{42} because 6*7", None, 42.0),
        ("no digits here", None, None),
        (None, None, None),
        (64, None, 64.0),
        (True, None, None),
    ],
)
def test_extract_number(text: object, question: str | None, value: float | None) -> None:
    assert extract_number(text, question) == value


def test_check_number_tolerates_formats_and_lists() -> None:
    assert check_number("1,000", "1000")
    assert check_number(64.0, "64")
    assert check_number("64.0000001", 64)
    assert not check_number("65", "64")
    assert check_number("33", ["32", "33"])
    assert not check_number(None, "1")


def test_check_text() -> None:
    assert check_text("mexico city.", "Mexico City")
    assert check_text("The capital of Mexico is Mexico City.", "Mexico City")
    assert check_text("Brasília", "Brasilia")
    assert not check_text("Guadalajara", "Mexico City")
    assert not check_text("", "Rome")
    # Containment is for short answers only: a long ramble naming it in passing does not count.
    ramble = "It is not Rome; many people think of Rome but the real answer is somewhere else entirely, maybe Milan"
    assert not check_text(ramble, "Rome")


def test_extract_and_check_choice() -> None:
    assert extract_choice("Yes, 40 is even.", ["yes", "no"]) == "yes"
    assert extract_choice("no", ["yes", "no"]) == "no"
    assert check_choice("Yes.", "yes")
    assert not check_choice("No, it is odd.", "yes")
    assert check_choice("The answer is (B).", "B")
    assert check_choice("B) Paris", "b")
    assert not check_choice("I am not sure", "yes")
    assert check_choice("True", "true")


def test_check_regex() -> None:
    assert check_regex("42", r"4\d")
    assert check_regex(None, r"paris", text="I think it is Paris, France")
    assert not check_regex("43", r"42")


def test_checker_reextracts_only_when_answer_is_missing() -> None:
    c = Checker("number", "134", question="Which number is larger, 76 or 134?")
    assert c.judge(None, "134 is larger than 76")
    # The engine's extracted answer is judged as is: selection used it, so scoring must too.
    assert not c.judge("76", "134 is larger than 76")
    t = Checker("text", "Mexico City")
    assert t.judge(None, "Mexico City.\nQuestion: next one")


def test_python_checker_from_file(tmp_path: Path) -> None:
    (tmp_path / "chk.py").write_text("def even(pred, gold, item):\n    return int(pred) % 2 == 0\n")
    fn = load_python_checker("chk.py:even", tmp_path)
    c = Checker("python", None, python=fn, item={})
    assert c.judge("4") and not c.judge("5")
    assert not c.judge("not a number")  # a raising checker judges wrong, never raises
    with pytest.raises(DataError, match="not found"):
        load_python_checker("missing.py:f", tmp_path)
    with pytest.raises(DataError, match="cannot load"):
        load_python_checker("chk.py:nope", tmp_path)
    with pytest.raises(DataError, match="module:function"):
        load_python_checker("nocolon", tmp_path)


def test_python_checker_from_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_checkers.py").write_text("def same(pred, gold, item):\n    return pred == gold\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    fn = load_python_checker("my_checkers:same")
    c = Checker("python", "a", python=fn, item={})
    assert c.judge("a") and not c.judge("b")
    with pytest.raises(DataError, match="cannot load python checker"):
        load_python_checker("no_such_checker_module:f")
