"""``hrclinic bench`` runs end to end and writes JSON runs can be compared by (timings never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Every operation whose feature exists today; a name joins this list when its feature lands.
IMPLEMENTED = {
    "cold_start",
    "unlock",
    "chart_open",
    "client_search_keystroke",
    "client_register",
    "note_save",
    "flags_view_open",
    "key_rotation",
}
ALL_NAMES = IMPLEMENTED | {"note_search", "letter_pdf", "chart_export_pdf", "backup"}


@pytest.mark.slow
def test_bench_tiny_writes_json_of_the_agreed_shape(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HRCLINIC_BENCH_CACHE": str(tmp_path / "cache"),
    }
    env.pop("HRCLINIC_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "ui.launcher", "bench", "--size", "tiny", "--json", str(out), "--repeat", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "client_search_keystroke" in done.stdout  # the printed table

    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == {"size", "machine", "results", "peak_rss_mb"}
    assert report["size"] == "tiny"
    assert report["machine"]["cpus"] >= 1 and report["machine"]["python"]
    assert IMPLEMENTED <= set(report["results"]) <= ALL_NAMES
    for name, result in report["results"].items():
        assert set(result) == {"median_ms", "p95_ms", "target_ms", "plain_sqlite_ratio"}, name
        assert 0 < result["median_ms"] <= result["p95_ms"], name
    assert report["results"]["chart_open"]["target_ms"] == 100
    assert report["results"]["unlock"]["target_ms"] is None  # Argon2id is reported, not targeted
    assert report["results"]["unlock"]["plain_sqlite_ratio"] is None
    assert report["results"]["key_rotation"]["target_ms"] is None  # background work: reported
    assert report["results"]["note_save"]["plain_sqlite_ratio"] > 0  # the plain copy was measured too
    assert report["peak_rss_mb"] > 0
    # the data set was cached for the next run, keyed by size and schema revision
    assert any(p.name.startswith("tiny-") for p in (tmp_path / "cache").iterdir())
