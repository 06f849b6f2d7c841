"""Sampling a benchmarked process with py-spy (``pip install py-spy``) and summing up where its time went.

``sampled(pid, path)`` runs ``py-spy record --nonblocking`` on the process for the duration of a block and
writes collapsed stacks (one line per distinct stack: ``frame;frame;… count``); ``summary(path)`` lists the
frames with the most samples, on top of the stack (self) and anywhere in it (inclusive). Sampling costs the
profiled process a little CPU (``--nonblocking`` does not stop it), so profiled runs are for finding where
the time goes, not for the figures.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

RATE = 200


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


@contextlib.contextmanager
def sampled(pid: int, path: Path) -> Iterator[None]:
    """py-spy samples ``pid`` while the block runs; its collapsed stacks end up in ``path``."""
    args = [py_spy(), "record", "--pid", str(pid), "--rate", str(RATE), "--nonblocking", "--format", "raw",
            "--output", str(path)]  # fmt: skip
    spy = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)  # attached before the load starts
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.kill()


def _frame(raw: str) -> str:
    """``function (path/to/module.py:line)`` → ``function (module.py)``: one entry per function."""
    name, _, where = raw.partition(" (")
    module = where.rsplit(":", 1)[0].rsplit("/", 1)[-1] if where else ""
    return f"{name} ({module})" if module else name


def summary(path: Path, *, top: int = 25) -> str:
    """The frames with the most samples: self (top of the stack) and inclusive, in % of all samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame(f) for f in stack.split(";")]
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return f"{path.name}: no samples"
    lines = [f"{path.name}: {total} samples", "  self:"]
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    lines.append("  inclusive:")
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(summary(Path(arg), top=40))
