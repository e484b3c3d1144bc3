"""Answer checkers for benchmark suites: number, text, choice, regex and Python functions.

Each checker judges one prediction against the reference. The prediction is the answer the engine
extracted (``Sample.answer`` / ``Completion.answer``) when there is one, else it is re-extracted from the
raw text with the helpers below. A reference may be a list of acceptable answers; any of them counts.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import DataError

BUILTIN_CHECKERS = ("number", "text", "choice", "regex")
#: What the engine should extract for each checker (``request.metadata["answer_kind"]``).
ANSWER_KIND = {"number": "number", "text": "text", "choice": "choice", "regex": "text", "python": "text"}

_ARTICLES = frozenset({"a", "an", "the"})
_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
# Thousands separators (1,234 / 1 234 / 1_234), an optional decimal part or fraction, an optional exponent.
_NUMBER = re.compile(
    r"(?<![\w.])([-+\u2212]?)(\d{1,3}(?:[,_\u202f\u00a0]\d{3})+|\d+)(?:\.(\d+))?(?:/(\d+))?(?:[eE]([-+]?\d+))?(?![\w])"
)
_MARKERS = (
    re.compile(r"\\boxed\{([^{}]*)\}"),
    re.compile(r"####\s*([^\n]*)"),
    re.compile(r"\b(?:final answer|the answer|answer)\s*(?:is|:|=)\s*([^\n]*)", re.IGNORECASE),
)


def normalize_text(value: Any) -> str:
    """Case-, accent-, punctuation- and article-insensitive form: ``"The Mexico City."`` -> ``"mexico city"``."""
    s = unicodedata.normalize("NFKD", str(value))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"[^\w\s]|_", " ", s)
    return " ".join(w for w in s.split() if w not in _ARTICLES)


def _to_number(sign: str, whole: str, frac: str | None, den: str | None, exp: str | None) -> float:
    digits = re.sub(r"[,_\u202f\u00a0]", "", whole)
    value: float
    if den is not None and frac is None:
        value = float(Fraction(int(digits), int(den))) if int(den) else math.nan
    else:
        value = float(digits + ("." + frac if frac else ""))
    if exp:
        value *= 10.0 ** int(exp)
    return -value if sign in ("-", "\u2212") else value


def _numbers(text: str) -> list[float]:
    out = [_to_number(*m.groups()) for m in _NUMBER.finditer(text)]
    if not out:
        out = [float(_WORD_NUMBERS[w]) for w in re.findall(r"[a-z]+", text.casefold()) if w in _WORD_NUMBERS]
    return [v for v in out if not math.isnan(v)]


def extract_number(value: Any, question: str | None = None) -> float | None:
    """The answer number in ``value``: a marked answer (``\\boxed{}``, ``####``, ``answer is``) first, else
    the first number that does not merely restate one from ``question``, else the first number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if value is None:
        return None
    text = str(value).replace("\u2212", "-")
    for marker in _MARKERS:
        m = marker.search(text)
        if m:
            found = _numbers(m.group(1))
            if found:
                return found[0]
    found = _numbers(text)
    if not found:
        return None
    if question:
        asked = set(_numbers(question))
        fresh = [v for v in found if v not in asked]
        if fresh:
            return fresh[0]
    return found[0]


def numbers_equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def extract_choice(value: Any, options: list[str] | None = None) -> str | None:
    """The first option named in ``value`` (whole words, normalised); a lone letter for A-E options."""
    if value is None:
        return None
    text = str(value)
    opts = [normalize_text(o) for o in options] if options else []
    if opts and all(len(o) == 1 for o in opts):
        # Letter options: prefer "(B)", "B)", "answer is B", then any standalone capital letter.
        letters = "".join(o.upper() for o in opts)
        for pat in (
            rf"\(([{letters}])\)",
            rf"\b(?:answer|option|choice)\s*(?:is|:)?\s*\(?([{letters}])\b",
            rf"^\s*([{letters}])\b",
            rf"\b([{letters}])\b",
        ):
            m = re.search(pat, text, re.IGNORECASE if pat.startswith(r"\b(?:") else 0)
            if m:
                return m.group(1).lower()
        return None
    norm = normalize_text(text)
    if not opts:
        return norm.split()[0] if norm.split() else None
    best: tuple[int, str] | None = None
    for o in opts:
        m = re.search(rf"(?:^| ){re.escape(o)}(?: |$)", norm)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), o)
    return best[1] if best else None


def _as_list(reference: Any) -> list[Any]:
    return list(reference) if isinstance(reference, list | tuple) else [reference]


def check_number(prediction: Any, reference: Any, question: str | None = None) -> bool:
    got = extract_number(prediction, question)
    if got is None:
        return False
    for ref in _as_list(reference):
        want = extract_number(ref)
        if want is not None and numbers_equal(got, want):
            return True
    return False


def check_text(prediction: Any, reference: Any) -> bool:
    """Normalised equality; or the reference as a whole phrase inside a short answer
    (``"The capital is Mexico City."``), at most 8 words longer than the reference."""
    if prediction is None:
        return False
    got = normalize_text(prediction)
    if not got:
        return False
    for ref in _as_list(reference):
        want = normalize_text(ref)
        if not want:
            continue
        if got == want:
            return True
        if len(got.split()) <= len(want.split()) + 8 and f" {want} " in f" {got} ":
            return True
    return False


def default_options(reference: Any) -> list[str] | None:
    """Options implied by the reference when an item lists none: yes/no, true/false, or letters A-E."""
    refs = {normalize_text(r) for r in _as_list(reference)}
    if refs <= {"yes", "no"}:
        return ["yes", "no"]
    if refs <= {"true", "false"}:
        return ["true", "false"]
    if all(len(r) == 1 and r in "abcde" for r in refs):
        return list("ABCDE")
    return None


def check_choice(prediction: Any, reference: Any, options: list[str] | None = None) -> bool:
    opts = options or default_options(reference)
    got = extract_choice(prediction, opts)
    return got is not None and got in {normalize_text(r) for r in _as_list(reference)}


def check_regex(prediction: Any, reference: Any, text: str | None = None) -> bool:
    """The pattern full-matches the extracted answer, or is found in the sample's text (case-insensitive)."""
    for ref in _as_list(reference):
        pattern = re.compile(str(ref), re.IGNORECASE)
        if prediction is not None and pattern.fullmatch(str(prediction).strip()):
            return True
        if text and pattern.search(text):
            return True
    return False


PythonChecker = Callable[[Any, Any, Mapping[str, Any]], Any]


def load_python_checker(target: str, base_dir: Path | None = None) -> PythonChecker:
    """``module:function`` or ``path/to/file.py:function`` (relative to ``base_dir``)."""
    location, _, attr = target.rpartition(":")
    if not location or not attr:
        raise DataError(f"python checker {target!r} must look like 'module:function' or 'file.py:function'")
    try:
        if location.endswith(".py"):
            path = Path(location)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            spec = importlib.util.spec_from_file_location(f"_infscale_checker_{abs(hash(path))}", path)
            if spec is None or spec.loader is None or not path.is_file():
                raise DataError(f"python checker file not found: {path}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(location)
        fn = getattr(module, attr)
    except DataError:
        raise
    except Exception as exc:  # any import-time failure of user code is a data problem
        raise DataError(f"cannot load python checker {target!r}: {type(exc).__name__}: {exc}") from None
    if not callable(fn):
        raise DataError(f"python checker {target!r} is not callable")
    return fn  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Checker:
    """A resolved checker for one item: ``judge(answer, text)`` says whether a prediction is right."""

    name: str
    reference: Any
    question: str | None = None
    options: tuple[str, ...] | None = None
    python: PythonChecker | None = None
    item: Mapping[str, Any] | None = None

    def judge(self, answer: Any, text: str | None = None) -> bool:
        """Judge the extracted ``answer``; when there is none, re-extract from the raw ``text``.

        An extracted answer is never second-guessed from the text: voting and selection used it, so the
        score must too.
        """
        return self._judge_one(answer, text)

    def _judge_one(self, answer: Any, text: str | None) -> bool:
        pred = answer if answer is not None else text
        if self.name == "number":
            return check_number(pred, self.reference, self.question)
        if self.name == "text":
            return check_text(pred, self.reference) or (
                answer is None and text is not None and check_text(_first_line(text), self.reference)
            )
        if self.name == "choice":
            return check_choice(pred, self.reference, list(self.options) if self.options else None)
        if self.name == "regex":
            return check_regex(answer, self.reference, text)
        if self.python is not None:
            try:
                return bool(self.python(pred, self.reference, dict(self.item or {})))
            except Exception:  # a raising user checker judges the prediction wrong, never stops the run
                return False
        raise DataError(f"unknown checker {self.name!r}")


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return ""
