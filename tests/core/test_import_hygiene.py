"""console.core must stay usable without the TUI: no module there may load Textual or Rich."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "console" / "core"
MODULES = sorted(
    "console.core."
    + ".".join(path.relative_to(CORE).with_suffix("").parts).removesuffix(".__init__")
    for path in CORE.rglob("*.py")
)


def test_every_core_module_is_listed() -> None:
    assert "console.core.privacy.masking" in MODULES
    assert len(MODULES) >= 10


@pytest.mark.parametrize("module", MODULES)
def test_core_module_imports_without_ui(module: str) -> None:
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('textual', 'rich') or m.startswith('console.ui'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout) == [], f"{module} pulls in UI modules"
