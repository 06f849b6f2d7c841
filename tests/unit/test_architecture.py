"""The import graph keeps the layering of DESIGN.md: pure domain, layered contexts, no circles."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_in_pyproject_are_all_kept() -> None:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    done = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_every_use_case_context_is_a_package_of_its_own() -> None:
    services = ROOT / "shared" / "services"
    for context in ("attendance", "leave", "org", "devices", "notify"):
        assert (services / context / "__init__.py").is_file(), context
    flat = sorted(p.stem for p in services.glob("*.py") if p.stem != "__init__")
    assert len(flat) <= 10, f"use cases belong in a context folder, not in shared/services/: {flat}"
