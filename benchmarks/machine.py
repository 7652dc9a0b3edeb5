"""Section 0: the machine the figures come from, so that a reader can compare like with like."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: str
    memory: str
    os: str
    python: str
    jdk: str
    hatchling: str
    load: str


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _os() -> str:
    pretty = ""
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip('"') + ", "
    except OSError:
        pass
    return f"{pretty}{platform.system()} {platform.release()} ({platform.machine()})"


def _jdk() -> str:
    try:
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    except OSError:
        return "not found"
    return (done.stderr or done.stdout).splitlines()[0].strip() if (done.stderr or done.stdout) else "unknown"


def load_average() -> str:
    if hasattr(os, "getloadavg"):
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    return "n/a"


def describe() -> Machine:
    from importlib.metadata import version

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return Machine(
        cpu=_cpu_model(),
        cores=f"{os.cpu_count()} logical ({usable} usable by this process)",
        memory=_memory(),
        os=_os(),
        python=f"{platform.python_implementation()} {sys.version.split()[0]} ({sys.executable})",
        jdk=_jdk(),
        hatchling=version("hatchling"),
        load=load_average(),
    )
