"""Reading the colours of a tmux capture (`capture-pane -e`): what a tile's picture shows.

The text capture says where a tile is; the escapes say what colour each cell is. A
half-block cell holds two pixels (the glyph's colour on top, the background below), a
blank cell one colour in both. `picture` cuts a tile's picture out of the screen as
cells, and `solid_at` asks whether the picture is one colour at a point given as a
fraction of its width and height, which is how a mask's place in the site file is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RGB = tuple[int, int, int]
_SGR = re.compile(r"\x1b\[([0-9;]*)m")


@dataclass(frozen=True, slots=True)
class Cell:
    char: str
    fg: RGB | None
    bg: RGB | None


def parse(escaped: str) -> list[list[Cell]]:
    """Each line of the capture as cells, with the truecolour SGR state at each."""
    rows: list[list[Cell]] = []
    fg: RGB | None = None
    bg: RGB | None = None
    for line in escaped.split("\n"):
        cells: list[Cell] = []
        position = 0
        for match in [*_SGR.finditer(line), None]:
            end = match.start() if match else len(line)
            cells.extend(Cell(char, fg, bg) for char in line[position:end])
            if match is None:
                break
            position = match.end()
            fg, bg = _apply(match.group(1), fg, bg)
        rows.append(cells)
    return rows


def _apply(codes: str, fg: RGB | None, bg: RGB | None) -> tuple[RGB | None, RGB | None]:
    params = [int(code) if code else 0 for code in codes.split(";")]
    index = 0
    while index < len(params):
        code = params[index]
        if code == 0:
            fg = bg = None
        elif code in (38, 48) and params[index + 1 : index + 2] == [2]:
            colour = (params[index + 2], params[index + 3], params[index + 4])
            fg, bg = (colour, bg) if code == 38 else (fg, colour)
            index += 4
        elif code in (38, 48):
            index += 2  # 256-colour: not a picture colour here
        elif code == 39:
            fg = None
        elif code == 49:
            bg = None
        index += 1
    return fg, bg


def picture(screen: str, escaped: str, title: str) -> list[list[Cell]]:
    """The cells of the titled tile's picture: the rows and columns inside its border
    that have a background colour (the letterbox around the picture has none)."""
    lines = screen.splitlines()
    marker = f"╭─ {title} "
    tops = [row for row, line in enumerate(lines) if marker in line]
    assert tops, f"no tile titled {title!r} on the screen:\n{screen}"
    top = tops[0]
    left = lines[top].index(marker)
    right = lines[top].index("╮", left)
    bottom = next(row for row in range(top + 1, len(lines)) if lines[row][left] == "╰")
    cells = parse(escaped)
    body = [row[left + 1 : right] for row in cells[top + 1 : bottom]]
    coloured = [
        (y, x) for y, row in enumerate(body) for x, cell in enumerate(row) if cell.bg is not None
    ]
    assert coloured, f"tile {title!r} shows no picture:\n{screen}"
    y0, y1 = min(y for y, _ in coloured), max(y for y, _ in coloured)
    x0, x1 = min(x for _, x in coloured), max(x for _, x in coloured)
    return [row[x0 : x1 + 1] for row in body[y0 : y1 + 1]]


def near(colour: RGB | None, wanted: RGB, slack: int = 8) -> bool:
    """Within `slack` per channel: the theme may shade colours by a level or two."""
    return colour is not None and all(
        abs(a - b) <= slack for a, b in zip(colour, wanted, strict=True)
    )


def solid_at(cells: list[list[Cell]], x: float, y: float, wanted: RGB) -> bool:
    """Whether the picture is `wanted` all over the cell at fractions (x, y)."""
    cell = cells[min(int(y * len(cells)), len(cells) - 1)][
        min(int(x * len(cells[0])), len(cells[0]) - 1)
    ]
    return near(cell.bg, wanted) and (cell.char == " " or near(cell.fg, wanted))
