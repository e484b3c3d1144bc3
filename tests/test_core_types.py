import pytest

from infscale.errors import InvalidRequestError, PipelineSyntaxError, UnknownModelError
from infscale.types import Cost, Request, Sample, Trace, Usage


def test_request_validation_messages():
    Request(prompt="hi").validate()
    with pytest.raises(InvalidRequestError, match="exactly one"):
        Request().validate()
    with pytest.raises(InvalidRequestError, match="n must be"):
        Request(prompt="x", n=0).validate()
    with pytest.raises(InvalidRequestError, match="temperature"):
        Request(prompt="x", temperature=-1).validate()
    with pytest.raises(InvalidRequestError, match="max_tokens"):
        Request(prompt="x", max_tokens=0).validate()
    with pytest.raises(InvalidRequestError, match=r"messages\[0\]"):
        Request(messages=[{"content": "x"}]).validate()


def test_chat_and_user_text():
    r = Request(
        messages=[
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "b"},
            {"role": "user", "content": "c"},
        ],
        system="s",
    )
    assert r.chat()[0] == {"role": "system", "content": "s"}
    assert r.user_text() == "c"
    assert r.with_(n=3).n == 3 and r.n == 1


def test_usage_cost_add_and_trace_rollup():
    t = Trace("root")
    a = t.add(Trace("m1", kind="call", usage=Usage(10, 5, 1), cost=Cost(0.1, 1.0)))
    sub = t.add(Trace("vote"))
    sub.add(Trace("m2", kind="call", usage=Usage(1, 2, 2), cost=Cost(0.2, 0.5)))
    t.rollup()
    assert t.usage == Usage(11, 7, 3)
    assert t.cost.usd == pytest.approx(0.3) and t.cost.compute_s == pytest.approx(1.5)
    assert [c.name for c in t.calls()] == ["m1", "m2"]
    assert a in t.calls()
    d = t.to_dict()
    assert d["usage"]["total_tokens"] == 18 and len(d["children"]) == 2


def test_sample_mean_logprob_and_dict():
    s = Sample(text="x", model="m", usage=Usage(3, 4, 1), logprob=-2.0)
    assert s.mean_logprob == -0.5
    assert s.to_dict()["usage"]["output_tokens"] == 4


def test_error_bodies_are_openai_style():
    e = UnknownModelError("unknown model 'x'")
    body = e.to_openai()
    assert body["error"]["code"] == "model_not_found" and e.http_status == 404
    p = PipelineSyntaxError("expected ')'", spec="vote(n=3", position=8)
    assert "position 8" in p.message
