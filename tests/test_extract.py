import pytest

from infscale.extract import extract, guess_kind


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        ("The answer is 64.", "number", 64),
        ("8 times 8 equals 64", "number", 64),
        ("1,234", "number", 1234),
        ("Answer: -3.5", "number", -3.5),
        ("\\boxed{12}", "number", 12),
        ("twelve", "number", 12),
        ("no number here", "number", None),
        ("Yes, it is even.", "yesno", "yes"),
        ("No.", "yesno", "no"),
        ("The answer is (B).", "choice", "B"),
        ("The capital of France is Paris.", "text", "paris"),
        ("Mexico City", "text", "mexico city"),
        ("Answer: the Netherlands", "text", "netherlands"),
        ("```python\nprint(1)\n```", "code", "print(1)"),
        ('junk {"a": 1} more [1, 2]', "json", [1, 2]),
    ],
)
def test_extractors(text, kind, expected):
    assert extract(text, kind) == expected


@pytest.mark.parametrize(
    "q, kind",
    [
        ("What is 8 times 8?", "number"),
        ("Which number is larger, 76 or 134?", "number"),
        ("Is 49 an even number? Answer yes or no.", "yesno"),
        ("What is the capital of Mexico?", "text"),
    ],
)
def test_guess_kind(q, kind):
    assert guess_kind(q) == kind
