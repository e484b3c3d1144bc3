"""Shared fixtures: the data path, and the local models (loaded once per session, skipped nowhere)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = Path(os.environ.get("INFSCALE_DATA", ROOT.parent / "shared" / "data"))
    assert d.is_dir(), f"shared data not found at {d}: set INFSCALE_DATA"
    return d


@pytest.fixture(scope="session")
def engine():
    from infscale import Engine

    return Engine.from_config(None)
