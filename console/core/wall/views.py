"""What an operator's wall shows: a layout, what sits in each slot, and named views.

Each operator keeps their own views in one JSON file in the user config dir
(`views/<user>.json`): the view on screen when they last changed it, which the wall
restores at login, and any number of named views saved from the palette. The file is
the operator's convenience, not configuration: a missing, unreadable or corrupt file
must never keep anyone from the wall, so loading never raises; it falls back to the
site's default view and says what was wrong (file, key, what was expected). Entries
the site no longer knows (a camera removed since) become empty slots, with a note.

A view always holds `MAX_SLOTS` slots and the layout shows the first side x side of
them, so switching from 4x4 to 1x1 and back loses no assignment.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from console.core.site.model import Site

LAYOUTS = (1, 2, 3, 4)
"""Grid sides an operator can choose: 1x1, 2x2, 3x3 and 4x4."""
MAX_SLOTS = LAYOUTS[-1] ** 2
SCHEMA = "veil-views/1"
SlotKind = Literal["camera", "carousel"]


class ViewsError(Exception):
    """The views file could not be written; the message names the file and why."""


@dataclass(frozen=True, slots=True)
class SlotRef:
    """What a slot shows: a camera, or a carousel touring several."""

    kind: SlotKind
    id: str


@dataclass(frozen=True, slots=True)
class View:
    """A layout and the contents of every slot (including those the layout hides)."""

    layout: int
    """Grid side, one of LAYOUTS."""
    slots: tuple[SlotRef | None, ...]
    """MAX_SLOTS entries in reading order; None is an empty slot."""

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {self.layout}")
        if len(self.slots) != MAX_SLOTS:
            raise ValueError(f"a view holds {MAX_SLOTS} slots, got {len(self.slots)}")

    @property
    def visible(self) -> tuple[SlotRef | None, ...]:
        """The slots the layout shows, in reading order."""
        return self.slots[: self.layout**2]

    def with_layout(self, layout: int) -> View:
        return replace(self, layout=layout)

    def assign(self, slot: int, ref: SlotRef | None) -> View:
        slots = list(self.slots)
        slots[slot] = ref
        return replace(self, slots=tuple(slots))


def make_view(layout: int, refs: list[SlotRef | None]) -> View:
    """A view from the first slots' contents; the rest are empty."""
    padded = (refs + [None] * MAX_SLOTS)[:MAX_SLOTS]
    return View(layout, tuple(padded))


def default_view(site: Site) -> View:
    """Every camera in site order, in the smallest layout that shows them (up to 4x4)."""
    side = min(LAYOUTS[-1], max(1, math.ceil(math.sqrt(len(site.cameras)))))
    return make_view(side, [SlotRef("camera", camera.id) for camera in site.cameras])


def fit_to_site(view: View, site: Site) -> tuple[View, list[str]]:
    """`view` with slots the site no longer has emptied, and a note for each."""
    known: dict[SlotKind, set[str]] = {
        "camera": {camera.id for camera in site.cameras},
        "carousel": {carousel.id for carousel in site.carousels},
    }
    notes: list[str] = []
    slots: list[SlotRef | None] = []
    for number, ref in enumerate(view.slots, start=1):
        if ref is not None and ref.id not in known[ref.kind]:
            notes.append(f"slot {number}: {ref.kind} {ref.id!r} is not in the site any more")
            ref = None
        slots.append(ref)
    return replace(view, slots=tuple(slots)), notes


@dataclass(frozen=True)
class ViewBook:
    """One operator's views: the one in use and the named ones."""

    current: View
    named: Mapping[str, View] = field(default_factory=dict)
    """Name -> view, in the order they were saved."""

    def with_current(self, view: View) -> ViewBook:
        return replace(self, current=view)

    def with_named(self, name: str, view: View) -> ViewBook:
        return replace(self, named={**self.named, name: view})

    def without_named(self, name: str) -> ViewBook:
        return replace(self, named={k: v for k, v in self.named.items() if k != name})


@dataclass(frozen=True)
class Loaded:
    """A view book and what had to be dropped or ignored to read it."""

    book: ViewBook
    problems: list[str]
    """Human sentences naming the file and key; empty when everything was fine."""


class ViewStore:
    """Views files under `config_dir / "views"`, one per operator."""

    def __init__(self, config_dir: Path) -> None:
        self.folder = config_dir / "views"

    def path_for(self, operator: str) -> Path:
        """User names are `[a-z][a-z0-9._-]*` (`console.core.access.users`): safe file names."""
        return self.folder / f"{operator}.json"

    def load(self, operator: str, site: Site) -> Loaded:
        """The operator's views fitted to `site`; the site's default view when there are none."""
        path = self.path_for(operator)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Loaded(ViewBook(default_view(site)), [])
        except OSError as error:
            reason = error.strerror or str(error)
            return Loaded(ViewBook(default_view(site)), [f"{path}: cannot be read ({reason})"])
        except UnicodeDecodeError as error:
            problem = f"{path}: not UTF-8 text (byte {error.start}); using the default view"
            return Loaded(ViewBook(default_view(site)), [problem])
        reader = _Reader(path)
        book = reader.book(text, default_view(site))
        current, notes = fit_to_site(book.current, site)
        named: dict[str, View] = {}
        for name, view in book.named.items():
            named[name], named_notes = fit_to_site(view, site)
            notes += [f"view {name!r}, {note}" for note in named_notes]
        problems = reader.problems + [f"{path}: {note}" for note in notes]
        return Loaded(ViewBook(current, named), problems)

    def save(self, operator: str, book: ViewBook) -> None:
        """Write atomically (temp file, then rename), so a crash never leaves half a file."""
        path = self.path_for(operator)
        data = json.dumps(_book_json(book), indent=2, ensure_ascii=False) + "\n"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.folder, prefix=f".{path.name}.")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(data)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise ViewsError(f"cannot save views to {path}: {error.strerror or error}") from None


def _book_json(book: ViewBook) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "current": _view_json(book.current),
        "named": {name: _view_json(view) for name, view in book.named.items()},
    }


def _view_json(view: View) -> dict[str, object]:
    slots: list[dict[str, str] | None] = [
        None if ref is None else {ref.kind: ref.id} for ref in view.slots
    ]
    while slots and slots[-1] is None:
        slots.pop()
    return {"layout": view.layout, "slots": slots}


class _Reader:
    """Reads a views file leniently: a bad entry is dropped with a problem, not the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def problem(self, key: str, expected: str) -> None:
        self.problems.append(f"{self.path}: {key}: {expected}")

    def book(self, text: str, fallback: View) -> ViewBook:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            self.problems.append(
                f"{self.path}: not valid JSON (line {error.lineno}, column {error.colno}: "
                f"{error.msg}); using the default view until a view is saved"
            )
            return ViewBook(fallback)
        if not isinstance(document, dict):
            self.problem("(top level)", f"expected an object, got {_kind(document)}")
            return ViewBook(fallback)
        if document.get("schema") != SCHEMA:
            self.problem("schema", f"expected {SCHEMA!r}, got {document.get('schema')!r}")
            return ViewBook(fallback)
        current = self.view(document.get("current"), "current") or fallback
        named: dict[str, View] = {}
        entries = document.get("named", {})
        if not isinstance(entries, dict):
            self.problem("named", f"expected an object of views by name, got {_kind(entries)}")
            entries = {}
        for name, body in entries.items():
            view = self.view(body, f"named.{name}")
            if view is not None:
                named[name] = view
        return ViewBook(current, named)

    def view(self, body: object, key: str) -> View | None:
        if not isinstance(body, dict):
            self.problem(key, f"expected an object with layout and slots, got {_kind(body)}")
            return None
        layout = body.get("layout")
        if isinstance(layout, bool) or layout not in LAYOUTS:
            sides = ", ".join(str(side) for side in LAYOUTS)
            self.problem(f"{key}.layout", f"expected a grid side ({sides}), got {layout!r}")
            return None
        slots = body.get("slots")
        if not isinstance(slots, list) or len(slots) > MAX_SLOTS:
            self.problem(
                f"{key}.slots", f"expected a list of at most {MAX_SLOTS} slots, got {_kind(slots)}"
            )
            return None
        refs: list[SlotRef | None] = []
        for index, slot in enumerate(slots):
            refs.append(self.slot(slot, f"{key}.slots[{index}]"))
        return make_view(layout, refs)

    def slot(self, body: object, key: str) -> SlotRef | None:
        if body is None:
            return None
        if isinstance(body, dict) and len(body) == 1:
            ((kind, ident),) = body.items()
            if kind in ("camera", "carousel") and isinstance(ident, str) and ident:
                return SlotRef("camera" if kind == "camera" else "carousel", ident)
        self.problem(
            key, f'expected null, {{"camera": ID}} or {{"carousel": ID}}, got {json.dumps(body)}'
        )
        return None


def _kind(value: object) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return {dict: "an object", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )
