"""The lock files (requirements/*.txt) are what every install uses: each must pin, with hashes, every dependency that
pyproject.toml declares for its set, at a version the declared range admits."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SETS = {"runtime.txt": [], "test.txt": ["test"], "bench.txt": ["test", "bench"]}
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s\\;]+)", re.M)


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


@pytest.mark.parametrize("lock", SETS)
def test_lock_pins_every_declared_dependency_within_its_range(lock):
    pins = _pins(lock)
    declared = PROJECT["dependencies"] + [r for extra in SETS[lock] for r in PROJECT["optional-dependencies"][extra]]
    for line in declared:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is declared in pyproject.toml but not locked in {lock}: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), f"{lock} pins {name}=={pins[name]}, not {req}"


@pytest.mark.parametrize("lock", SETS)
def test_every_pin_carries_a_hash(lock):
    text = (ROOT / "requirements" / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    for block in blocks:
        if PIN.match(block):
            assert "--hash=sha256:" in block, f"{block.splitlines()[0]} has no hash in {lock}"
