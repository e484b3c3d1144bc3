from infscale.models.prompting import FEWSHOT_STOP, fewshot_prompt, raw_prompt
from infscale.monitor.budget import input_bound
from infscale.types import Request


def test_fewshot_prompt_ends_with_answer_cue():
    p = fewshot_prompt(Request(prompt="What is the capital of Peru?"))
    assert p.endswith("Question: What is the capital of Peru?\nAnswer:")
    assert p.count("Question:") == 5
    assert "\n\n" in FEWSHOT_STOP


def test_fewshot_multi_turn_and_system():
    r = Request(
        messages=[
            {"role": "user", "content": "2+2?"},
            {"role": "assistant", "content": "4"},
            {"role": "user", "content": "3+3?"},
        ],
        system="Be brief.",
    )
    p = fewshot_prompt(r, examples=[])
    assert p.startswith("Be brief.")
    assert "Question: 2+2?\nAnswer: 4" in p and p.endswith("Question: 3+3?\nAnswer:")


def test_raw_prompt_and_input_bound():
    r = Request(prompt="héllo", system="s")
    assert raw_prompt(r) == "s\n\nhéllo"
    assert input_bound(r) >= len("héllo".encode()) + 1
