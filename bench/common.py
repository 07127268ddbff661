"""Shared benchmark helpers: run a command in its own process and measure it, describe the machine.

Kept small and stable: `bench/ingest.py` and `bench/analyze.py` both import it. Linux only (peak
memory comes from `wait4`'s `ru_maxrss` and `/proc/<pid>/status`).

- :func:`run_measured` runs one contender as a child process (its own session) and returns wall
  seconds and peak resident memory (the child's high-water mark, so every contender is measured
  alone); an optional cap kills the child when its resident set passes it (reported, not hidden).
- :func:`machine_info` / :func:`machine_markdown` describe the machine for `docs/performance.md`.
- :func:`warm_cache` reads a file once so every contender starts with it in the page cache.
- :func:`markdown_table`, :func:`fmt_bytes`, :func:`fmt_rate` render results.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Measurement",
    "fmt_bytes",
    "fmt_rate",
    "machine_info",
    "machine_markdown",
    "markdown_table",
    "run_measured",
    "warm_cache",
]


@dataclass(frozen=True)
class Measurement:
    """One child process run: wall and CPU seconds, peak RSS (bytes), exit status, output.

    `cpu_s` (user + system, all threads) is the work done; unlike `wall_s` it barely moves when
    other processes compete for the cores, so it is the steadier number on a shared machine.
    `load_before` is the 1-minute load average when the child started.
    """

    wall_s: float
    cpu_s: float
    peak_rss: int
    returncode: int
    stdout: str
    stderr: str
    killed_at_cap: bool = False
    load_before: float = 0.0
    kill_reason: str = ""  # why the watcher killed it (`killed_at_cap`), for the report

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.killed_at_cap


def _status_kib(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def run_measured(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    rss_cap: int | None = None,
    min_available: int | None = None,
    poll_s: float = 0.1,
) -> Measurement:
    """Run `cmd`, wait for it, and return its wall time and peak RSS.

    Peak RSS is `ru_maxrss` from `wait4` on this very child (KiB on Linux), which covers the child
    and any descendants it waited for. With `rss_cap` (bytes), a watcher thread polls VmRSS and
    kills the child's process group when it passes the cap (`killed_at_cap`), so a contender that
    would exhaust the machine is stopped and reported instead of taking the benchmark down. With
    `min_available` (bytes), the same happens when the machine's MemAvailable drops below it
    (other processes share the RAM; better to lose one measurement than wake the OOM killer).
    Output is captured to temporary files (a pipe could fill up and stall the child).
    """
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errf:
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), stdout=out, stderr=errf, env=env, cwd=cwd, start_new_session=True
        )
        killed = threading.Event()
        done = threading.Event()
        reason: list[str] = []

        def watch() -> None:
            while not done.wait(poll_s):
                rss = _status_kib(proc.pid, "VmRSS")
                avail = _meminfo_kib("MemAvailable") if min_available is not None else None
                if rss_cap is not None and rss is not None and rss * 1024 > rss_cap:
                    reason.append(f"RSS above the cap of {fmt_bytes(rss_cap)}")
                elif (
                    min_available is not None
                    and avail is not None
                    and (avail * 1024 < min_available)
                ):
                    reason.append(f"machine below {fmt_bytes(min_available)} available")
                if reason:
                    killed.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        if rss_cap is not None or min_available is not None:
            watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if watcher.is_alive():
            watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        errf.seek(0)
        return Measurement(
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss=int(usage.ru_maxrss) * 1024,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=errf.read().decode("utf-8", "replace"),
            killed_at_cap=killed.is_set(),
            load_before=load,
            kill_reason=reason[0] if reason else "",
        )


def _meminfo_kib(field: str) -> int | None:
    value = _first("/proc/meminfo", field)
    return int(value.split()[0]) if value else None


def warm_cache(path: Path, chunk: int = 1 << 24) -> int:
    """Read `path` once (into the OS page cache); returns the bytes read."""
    total = 0
    with path.open("rb", buffering=0) as fh:
        while block := fh.read(chunk):
            total += len(block)
    return total


# --- the machine ---------------------------------------------------------------------------
def _first(path: str, prefix: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip() if ":" in line else line.strip()
    except OSError:
        return None
    return None


def _os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info(
    packages: Sequence[str] = ("duckdb", "pyarrow", "pandas", "gcfinops"),
) -> dict[str, str]:
    """CPU model, cores, RAM, OS, kernel, Python and package versions, as display strings."""
    mem_kib = _meminfo_kib("MemTotal")
    ram = fmt_bytes(mem_kib * 1024) if mem_kib else "unknown"
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    model = _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown"
    mhz = _first("/proc/cpuinfo", "cpu MHz")  # the model name alone is generic on many VMs
    info = {
        "CPU": f"{model}, {float(mhz):,.0f} MHz" if mhz else model,
        "Cores": f"{cores} logical ({usable} usable by this process)",
        "RAM": ram,
        "OS": f"{_os_name()} (kernel {platform.release()}, {platform.machine()})",
        "Python": sys.version.split()[0],
    }
    for name in packages:
        info[name] = _version(name)
    return info


def machine_markdown(info: dict[str, str]) -> str:
    """The machine as a two-column Markdown table."""
    return markdown_table(["", ""], [[k, v] for k, v in info.items()])


# --- rendering -----------------------------------------------------------------------------
def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub Markdown table (cells as given)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt_bytes(n: float) -> str:
    """1536 → '1.5 KiB'; binary units."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} TiB"  # pragma: no cover - unreachable


def fmt_rate(rows: int, seconds: float) -> str:
    """Rows per second with thousands separators ('812,345')."""
    return f"{rows / seconds:,.0f}" if seconds > 0 else "n/a"
