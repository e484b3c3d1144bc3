import json
import subprocess
import sys

import pytest

from infscale.errors import ConfigError, UnknownModelError
from infscale.models.registry import Registry, parse_config


def test_builtin_models_present():
    reg = Registry.load(None)
    assert {"smollm2-135m", "gemma3-270m"} <= set(reg.names())
    assert reg.get("gemma3-270m").prompt_format == "fewshot"
    assert reg.get("smollm2-135m").prompt_format == "chat"


def test_config_entries_and_options(tmp_path):
    cfg = tmp_path / "infscale.toml"
    cfg.write_text(
        """
[models.remote]
backend = "openai_compat"
base_url = "http://127.0.0.1:9/v1"
model = "gpt-x"
api_key_env = "INFSCALE_TEST_KEY_UNSET"
price_in = 0.5
price_out = 1.5
tier = 2
tags = ["strong"]

[pipelines]
best = "remote"
"""
    )
    reg = Registry.load(cfg)
    spec = reg.get("remote")
    assert spec.options == {
        "base_url": "http://127.0.0.1:9/v1",
        "model": "gpt-x",
        "api_key_env": "INFSCALE_TEST_KEY_UNSET",
    }
    assert spec.price_out == 1.5 and spec.tier == 2 and spec.tags == ["strong"]
    assert reg.pipelines == {"best": "remote"}
    ok, why = reg.availability("remote")
    assert not ok and "INFSCALE_TEST_KEY_UNSET" in why


@pytest.mark.parametrize(
    "text, match",
    [
        ("[models.x\nbackend='llamacpp'", "malformed TOML"),
        ("[models.x]\nprice_in = 1", "needs a 'backend'"),
        ("[models.x]\nbackend = 'nope'", "unknown backend"),
        ("[models.x]\nbackend = 'llamacpp'\nprice_in = -1", "non-negative"),
        ("[models.x]\nbackend = 'llamacpp'\nprompt_format = 'weird'", "prompt_format"),
        ("[other]\na = 1", "unknown section"),
    ],
)
def test_bad_config_is_a_config_error(tmp_path, text, match):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=match):
        Registry.load(cfg)


def test_unknown_model_suggests_close_name():
    with pytest.raises(UnknownModelError, match="did you mean 'smollm2-135m'"):
        Registry.load(None).get("smollm2-13m")


def test_missing_gguf_path_is_reported_not_raised(tmp_path):
    models, _ = parse_config("[models.g]\nbackend='llamacpp'\npath='/nonexistent/x.gguf'\n")
    reg = Registry(models)
    ok, why = reg.availability("g")
    assert not ok and ("not found" in why or "not installed" in why)


def _cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "infscale.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def test_cli_models_json_lists_usability():
    r = _cli("models", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    names = {row["name"]: row for row in rows}
    assert "smollm2-135m" in names and "usable" in names["smollm2-135m"]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["ask", "hi", "--model", "nope"], "unknown model"),
        (["models", "--config", "/nonexistent.toml"], "config file not found"),
        (["ask", "hi", "--model", "smollm2-135m", "--n", "0"], "n must be"),
        (["ask", "hi", "--model", "smollm2-135m", "--temperature", "9"], "temperature"),
        (["ask", "hi"], "exactly one of --model or --pipeline"),
    ],
)
def test_cli_bad_input_one_line_nonzero(args, needle):
    r = _cli(*args)
    assert r.returncode != 0
    assert needle in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_cli_malformed_config_file(tmp_path):
    (tmp_path / "infscale.toml").write_text("[models.x\n")
    r = _cli("models", cwd=tmp_path)
    assert r.returncode != 0 and "malformed TOML" in r.stderr and "Traceback" not in r.stderr


def test_third_party_backend_through_entry_point(tmp_path, monkeypatch):
    dist = tmp_path / "infscale_reverse-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: infscale-reverse\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[infscale.backends]\nreverse = tests.helpers.backends:ReverseBackend\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = tmp_path / "c.toml"
    cfg.write_text("[models.rev]\nbackend = 'reverse'\n")
    from infscale.engine import Engine
    from infscale.types import Request

    eng = Engine(Registry.load(cfg))
    comp = eng.run("rev", Request(prompt="abc", metadata={"answer_kind": "raw"}))
    assert comp.answer == "cba"


def test_cli_missing_model_file_and_unreachable_endpoint(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        "[models.ghost]\nbackend='llamacpp'\npath='/nonexistent/ghost.gguf'\n\n"
        "[models.dead]\nbackend='openai_compat'\nbase_url='http://127.0.0.1:9/v1'\nmax_retries=0\n"
    )
    r = _cli("ask", "hi", "--model", "ghost", "--config", str(cfg))
    assert r.returncode != 0 and "GGUF file not found" in r.stderr and "Traceback" not in r.stderr
    r = _cli("ask", "hi", "--model", "dead", "--config", str(cfg))
    assert r.returncode != 0 and "cannot reach" in r.stderr and "Traceback" not in r.stderr
