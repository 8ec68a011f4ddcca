"""Driving the console in a tmux pane as an operator does: forms, the palette, the header.

Every step waits until the screen shows that it took effect before the next key goes
out: the name is in the name field before Tab, the password's bullets are in the
password field before Enter. Keys sent in one burst could otherwise overtake a focus
change on a loaded machine, and a password typed into the name field would show on
screen; here such a slip fails the test at the step where it happened.
"""

from __future__ import annotations

import re

from .tmux import TmuxSession

LOGIN_SCREEN = "Log in to view cameras"
"""The login form's title, on no other screen."""
AUTHORIZATION = "Authorization required"
"""The authorization modal's title when the operator's role may not lift."""
LIFTED = re.compile(r"MASKS LIFTED (\d\d):(\d\d)")
"""The header's countdown while liftable masks are off."""
PALETTE_INPUT = "🔎"
"""The command palette's search field."""
LIFT_KEY = "^l Lift masks"
APPLY_KEY = "F12 Apply masks"
"""The footer offers whichever of the two is valid now, as the palette does."""
STEP = 20.0
"""Seconds one step may take to show on screen: a live wall on two busy cores can take
seconds to open the palette, and a wait ends as soon as the screen is right anyway."""


def remaining(screen: str) -> int | None:
    """Seconds the header's countdown shows, or None when masks are applied."""
    found = LIFTED.search(screen)
    return int(found[1]) * 60 + int(found[2]) if found else None


def footer(screen: str) -> str:
    """The bottom line, where Textual's footer lists the keys valid now."""
    return screen.rstrip("\n").splitlines()[-1]


def _field(text: str) -> re.Pattern[str]:
    """A focused or unfocused text field showing exactly `text`."""
    return re.compile(rf"▊\s+{re.escape(text)}\s*▎")


def fill_in(tmux: TmuxSession, user: tuple[str, str]) -> None:
    """Type a user name, Tab, the password and Enter into the focused form.

    Works for the login screen and the authorization modal alike: both open with
    the name field focused and submit on Enter in the password field.
    """
    name, password = user
    tmux.type(name)
    tmux.wait_for(_field(name), STEP)
    tmux.send_keys("Tab")
    tmux.type(password)
    tmux.wait_for(_field("•" * len(password)), STEP)
    tmux.send_keys("Enter")


def palette_hits(screen: str) -> list[str]:
    """The lines the open command palette lists under its search field (titles and help)."""
    lines = screen.splitlines()
    start = next((row for row, line in enumerate(lines) if PALETTE_INPUT in line), None)
    if start is None:
        raise AssertionError(f"the command palette is not open:\n{screen}")
    hits = []
    for line in lines[start + 1 :]:
        if line.startswith("▁"):
            break
        if line.strip():
            hits.append(line.strip())
    return hits


def run_command(tmux: TmuxSession, title: str, query: str | None = None) -> list[str]:
    """Run a palette command: type `query` (the whole title by default), press Enter once
    `title` is the first hit, and return every hit the palette listed at that moment."""
    tmux.send_keys("C-p")
    tmux.wait_for(PALETTE_INPUT, STEP)
    tmux.type(query or title)
    screen = tmux.wait_until(
        lambda s: palette_hits(s)[:1] == [title], f"{title!r} as the palette's first hit", STEP
    )
    tmux.send_keys("Enter")
    tmux.wait_gone(PALETTE_INPUT, STEP)
    return palette_hits(screen)
