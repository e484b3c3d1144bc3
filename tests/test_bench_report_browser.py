"""report.html opened in a real headless Chromium: the plots load, decode and have a visible size.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (CI installs them); without them this test
fails rather than skips. Traffic stays on 127.0.0.1 (the local chromedriver).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import test_bench_fakes as fakes
from infscale.bench.harness import BenchSettings, execute, finish, prepare
from infscale.bench.suites import SuiteOptions

DATA = Path(os.environ.get("INFSCALE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
QA_DEV = DATA / "qa" / "dev.jsonl"
PLOTS = ("plot-coverage", "plot-cost", "plot-kind")
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _binary(*names: str) -> str:
    for n in names:
        path = shutil.which(n)
        if path:
            return path
    raise AssertionError(f"{names[0]} is not installed: apt-get install -y chromium chromium-driver")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    pipes = ["oracle:n=8,p=0.3", "oracle:n=8,p=0.6,usd=0.002", "oracle:n=1,p=0.7"]
    ids = out / "ids.txt"
    ids.write_text(
        "\n".join(
            ["dev-0000", "dev-0001", "dev-0002", "dev-0040", "dev-0041", "dev-0143", "dev-0144", "dev-0118"]
        )
    )
    settings = BenchSettings("qa", pipes, out, SuiteOptions(data=QA_DEV, tasks=ids), report=True)
    prep = prepare(settings, fakes.OracleRunner(fakes.qa_gold(QA_DEV)))
    try:
        asyncio.run(execute(prep, show_progress=False))
        finish(prep)
    finally:
        prep.store.close()
    return out / "report.html"


def test_report_is_self_contained(report: Path) -> None:
    page = report.read_text()
    for pid in PLOTS:
        assert f'id="{pid}"' in page
    assert page.count("data:image/svg+xml;base64,") == 3
    assert 'src="http' not in page and "<link" not in page  # nothing fetched from elsewhere
    assert "oracle:n=8,p=0.6,usd=0.002" in page and "Scaling laws" in page


@pytest.mark.slow
def test_dump_dom_after_load(report: Path, tmp_path: Path) -> None:
    chromium = _binary("chromium", "chromium-browser", "google-chrome")
    cmd = [chromium, *CHROME_ARGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", report.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    for pid in PLOTS:
        assert f'id="{pid}"' in dom
    assert "<table" in dom and "selected acc." in dom


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


MEASURE = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.querySelectorAll('figure.plot img'));
Promise.all(imgs.map(i => i.decode().then(() => true, () => false))).then(decoded => {
  done(imgs.map((img, k) => {
    const r = img.getBoundingClientRect();
    return {id: img.id, decoded: decoded[k], complete: img.complete, naturalWidth: img.naturalWidth,
            naturalHeight: img.naturalHeight, width: r.width, height: r.height};
  }).concat([{title: document.title, rows: document.querySelectorAll('table.summary tbody tr').length}]));
});
"""


@pytest.mark.slow
def test_plots_render_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    chromium = _binary("chromium", "chromium-browser", "google-chrome")
    driver = _binary("chromedriver")
    port = _free_port()
    proc = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60, trust_env=False) as http:
            for _ in range(100):
                try:
                    if http.get("/status").json()["value"]["ready"]:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            caps = {
                "capabilities": {
                    "alwaysMatch": {
                        "browserName": "chrome",
                        "goog:chromeOptions": {
                            "binary": chromium,
                            "args": [
                                *CHROME_ARGS,
                                f"--user-data-dir={tmp_path / 'profile'}",
                                "--window-size=1280,2000",
                            ],
                        },
                    }
                }
            }
            resp = http.post("/session", json=caps).json()
            assert "sessionId" in resp.get("value", {}), resp
            sid = resp["value"]["sessionId"]
            try:
                assert http.post(f"/session/{sid}/url", json={"url": report.as_uri()}).status_code == 200
                result: list[dict[str, Any]] = http.post(
                    f"/session/{sid}/execute/async", json={"script": MEASURE, "args": []}
                ).json()["value"]
            finally:
                http.delete(f"/session/{sid}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    *plots, page = result
    assert page["title"] == "infscale bench: qa" and page["rows"] == 3
    assert [p["id"] for p in plots] == list(PLOTS)
    for p in plots:
        assert p["decoded"] and p["complete"], p
        assert p["naturalWidth"] > 200 and p["naturalHeight"] > 150, p
        assert p["width"] > 200 and p["height"] > 100, p
