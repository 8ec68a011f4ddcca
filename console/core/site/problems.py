"""What is wrong with a site file, said so that an administrator can fix it.

Each problem names the file, the key path (`cameras[2].masks[0].cells[1]`), the line when
it is known for certain, and what was expected. A site with problems is refused whole:
`SiteError` carries every problem at once, because someone fixing a file wants the full
list, not one error per attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a site file."""

    file: Path
    path: str
    line: int | None
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.path or '(top level)'}: {self.expected}"


class SiteError(Exception):
    """A site file that cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems
