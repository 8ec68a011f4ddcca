"""The architecture, held by a test: which part of Veil may import which.

Every import counts, `TYPE_CHECKING` ones too: a reader follows those as well, and a
circle closed only for the type checker is still a circle to understand.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"

LAYERS = (
    "timebase",
    "privacy",
    "site",
    "storage",
    "audit",
    "access",
    "video",
    "render",
    "map",
    "wall",
    "evidence",
    "search",
    "services",
)
"""`console.core`'s parts, lowest first: each may import only the ones before it."""

FORBIDDEN = {
    "render": ("console.core.video",),
    "evidence": ("console.core.video.sources", "console.core.video.feed"),
    "search": ("console.core.video.sources", "console.core.video.feed"),
}
"""Edges the layer order would allow but the trust boundary does not: renderers draw only
what the masking stage made, and exporters and searches read recordings, never a live
source."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in CONSOLE.rglob("*.py")}


def imports_of(path: Path) -> Iterator[str]:
    """Every console module `path` imports, resolved to a module (not a name in one)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            if name.startswith("console") and name in MODULES:
                yield name
                break


GRAPH = {name: sorted(set(imports_of(path)) - {name}) for name, path in MODULES.items()}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "core" else None


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer_of(m)))
def test_core_module_imports_only_lower_layers(module: str) -> None:
    layer = layer_of(module)
    assert layer in LAYERS, f"{module}: {layer} is not a known part of console.core"
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    for target in GRAPH[module]:
        if target == "console":
            continue  # the package itself holds only the version
        assert target.startswith("console.core."), f"{module} imports {target}: core imports no UI"
        assert layer_of(target) in allowed, f"{module} ({layer}) imports {target}"
        for banned in FORBIDDEN.get(layer, ()):
            assert not target.startswith(banned), f"{module} imports {target}"


def test_only_the_masking_stage_constructs_a_masked_frame() -> None:
    makers = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if called == "MaskedFrame":
                    makers.append(name)
    assert makers and set(makers) == {"console.core.privacy.masking"}


def test_only_the_masking_recording_readers_decode_segments() -> None:
    """The segment decoder hands out unmasked pixels; its only users mask every frame."""
    decoder = "console.core.video.segment_decoder"
    readers = {name for name, targets in GRAPH.items() if decoder in targets}
    assert readers == {"console.core.video.recorded_frames", "console.core.video.playback_cursor"}


def test_no_import_circles() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in GRAPH.get(module, []):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert cycles == [], "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_graph_sees_imports() -> None:
    assert "console.core.privacy.masks" in GRAPH["console.core.privacy.masking"]
