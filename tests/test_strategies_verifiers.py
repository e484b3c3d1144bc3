"""The restricted evaluator, program-aided answers, answer extraction and the simple verifiers."""

from __future__ import annotations

import pytest

from infscale.errors import ConfigError
from infscale.extract import extract
from infscale.strategies.base import RunInfo
from infscale.types import Request, Sample, Usage
from infscale.verifiers.base import VerifyContext
from infscale.verifiers.judge import JudgeVerifier
from infscale.verifiers.pal import pal_messages, pal_samples, program_candidates, run_program, value_as_answer
from infscale.verifiers.safe_eval import EvalFailed, UnsafeCode, safe_eval
from infscale.verifiers.simple import CallableVerifier, ExactVerifier, LogprobVerifier, matches


@pytest.mark.parametrize(
    "code, value",
    [
        ("76 - 9", 67),
        ("max(76, 134)", 134),
        ("40 % 2 == 0", True),
        ("(3 + 4) * 2 ** 3", 56),
        ("144 / 12", 12.0),
        ("abs(-3) + round(2.6)", 6),
        ("math.sqrt(16)", 4.0),
        ("x = 12\ny = x * 3\nx + y", 48),
        ("a = 5\nprint(a * a)", 25),
        ("import math\nanswer = math.gcd(12, 18)", 6),
        ("sum([1, 2, 3])", 6),
        ("'Paris'", "Paris"),
        ("1 if 3 > 2 else 0", 1),
        ("even(32)", True),
        ("odd(32)", False),
        ("larger(76, 134)", 134),
        ("smaller(76, 134)", 76),
    ],
)
def test_safe_eval_computes(code, value):
    assert safe_eval(code) == value


@pytest.mark.parametrize(
    "code",
    [
        "__import__('os').system('echo hi')",
        "open('/etc/passwd').read()",
        "import os",
        "(1).__class__",
        "[x for x in range(10)]",
        "lambda: 1",
        "while True: pass",
        "def f(): pass",
        "eval('1')",
        "globals()",
        "q[0]",
        "even(3.5)",
    ],
)
def test_safe_eval_refuses(code):
    with pytest.raises((UnsafeCode, EvalFailed)):
        safe_eval(code)


def test_model_text_does_not_print_syntax_warnings(recwarn):
    with pytest.raises(EvalFailed):
        safe_eval("3x + 1")
    assert not [w for w in recwarn if issubclass(w.category, SyntaxWarning)]


@pytest.mark.parametrize(
    "code", ["9 ** 9 ** 9", "2 ** 100000", "10 ** 5000", "'a' * 10**9", "1 / 0", "math.factorial(10**6)"]
)
def test_safe_eval_bounds_and_faults(code):
    with pytest.raises(EvalFailed):
        safe_eval(code)


def test_program_candidates_and_run():
    assert run_program("76 - 9")[0] == 67
    assert run_program("Python expression: 76 - 9")[0] == 67
    assert run_program("76 - 9 = 67")[0] == 67
    assert run_program("```python\nx = 3\nprint(x * 4)\n```")[0] == 12
    assert run_program("max(4, 9).")[0] == 9
    value, _code, why = run_program("The capital of France")
    assert value is None and why
    assert program_candidates("a == b")[0] == "a == b"


@pytest.mark.parametrize(
    "value, kind, answer",
    [
        (True, "yesno", "yes"),
        (False, "choice", "no"),
        (True, "number", None),
        (12.0, "number", 12),
        (0.1 + 0.2, "number", 0.3),
        (7, "yesno", None),
        (0, "choice", None),
        ("yes", "choice", "yes"),
        ("Paris", "text", "paris"),
        ("12", "number", 12),
    ],
)
def test_value_as_answer(value, kind, answer):
    assert value_as_answer(value, kind) == answer


def test_pal_samples_keep_failures_visible():
    out = pal_samples(
        [Sample("17 + 25", "m"), Sample("no idea", "m", index=1), Sample("", "m", index=2, error="boom")],
        "number",
    )
    assert out[0].answer == 42 and out[0].text == "17 + 25 = 42"
    assert out[1].answer is None and out[1].text == "no idea"
    assert out[2].error == "boom"


def test_pal_prompt_is_few_shot_chat():
    msgs = pal_messages("What is 2 plus 2?")
    assert msgs[-1] == {"role": "user", "content": "Python expression for: What is 2 plus 2?"}
    assert [m["role"] for m in msgs[:2]] == ["user", "assistant"]


def ctx(**meta) -> VerifyContext:
    req = Request(prompt="What is 17 plus 25?", metadata=meta)
    info = RunInfo(seed=1, answer_kind="number", question=req.user_text(), models=[])
    return VerifyContext(request=req, info=info, question=req.user_text(), kind="number")


def test_exact_and_matches():
    assert matches(42, "42") and matches("Mexico City", "mexico city.") and matches(3, [1, 3])
    assert not matches(None, 1) and not matches(41, 42)
    c = [Sample("a", "m", answer=42), Sample("b", "m", answer=41)]
    assert [s.score for s in ExactVerifier(expected=42).finish(c, [], ctx())] == [1.0, 0.0]
    assert [s.score for s in ExactVerifier().finish(c, [], ctx(reference="41"))] == [0.0, 1.0]
    with pytest.raises(ConfigError):
        ExactVerifier().finish(c, [], ctx())


def test_callable_verifier_clamps_and_survives_errors():
    def check(answer, text, question):
        if answer == 0:
            raise ValueError("boom")
        return answer / 10

    c = [Sample("a", "m", answer=5), Sample("b", "m", answer=50), Sample("c", "m", answer=0)]
    assert [s.score for s in CallableVerifier(fn=check).finish(c, [], ctx())] == [0.5, 1.0, 0.0]
    with pytest.raises(ConfigError):
        CallableVerifier(fn="no_such_module:f")


def test_logprob_verifier():
    c = [Sample("a", "m", answer=1, logprob=-0.5, usage=Usage(0, 5, 1)), Sample("b", "m", answer=2)]
    scores = [s.score for s in LogprobVerifier().finish(c, [], ctx())]
    assert scores[0] == pytest.approx(0.904837, rel=1e-5) and scores[1] == 1.0


def test_judge_rubric_must_have_placeholders():
    with pytest.raises(ConfigError):
        JudgeVerifier(model="m", rubric="Is it right?")
    with pytest.raises(ConfigError):
        JudgeVerifier(model="m", scale=1)


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        ("The answer is 148.", "number", 148),
        ("Answer: (C)", "choice", "C"),
        ("Yes, 40 is even.", "yesno", "yes"),
        ("Mexico City.", "text", "mexico city"),
        ("```python\ndef f():\n    return 1\n```", "code", "def f():\n    return 1"),
        ('{"a": [1, 2]}', "json", {"a": [1, 2]}),
        ("Output:\n[[1, 0], [0, 1]]", "grid", [[1, 0], [0, 1]]),
        ("123\n456", "grid", [[1, 2, 3], [4, 5, 6]]),
        ("no grid here", "grid", None),
    ],
)
def test_extraction_kinds(text, kind, expected):
    assert extract(text, kind) == expected


def test_a_comparison_selects_for_number_answers():
    out = pal_samples([Sample("76 > 134", "m"), Sample("12 < 30", "m"), Sample("3 == 3", "m")], "number")
    assert [s.answer for s in out] == [134, 12, None]
    assert pal_samples([Sample("76 > 134", "m")], "yesno")[0].answer == "no"


def test_only_runnable_programs_go_to_the_sandbox():
    from infscale.verifiers.pal import sandbox_code

    assert sandbox_code("76 - 9") is None  # the evaluator runs it
    assert sandbox_code("large2(76, 134)") is None  # an undefined function fails anywhere
    loop = "t = 0\nfor v in [1, 2]:\n    t += v\nprint(t)"
    assert sandbox_code(loop) == loop
    assert sandbox_code("import math\ndef f(x):\n    return math.floor(x)\nf(2.5)") is not None
