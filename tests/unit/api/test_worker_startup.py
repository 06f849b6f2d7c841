"""A served worker hides its startup heap from the garbage collector (api.__main__.freeze_startup_heap)."""

from __future__ import annotations

import gc

from api.__main__ import app_from_env


def test_a_worker_app_is_built_with_its_startup_heap_frozen(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("REDIS_URL", "")
    gc.unfreeze()
    try:
        app = app_from_env()
        # Full collections no longer walk the app's routes, schemas and validators (~250k objects):
        # under load they stopped the event loop for 0.1-0.6 s each (issue 13).
        assert gc.get_freeze_count() > 100_000
        assert app.routes
    finally:
        gc.unfreeze()
