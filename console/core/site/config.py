"""Loading `site.toml`, the one file that describes cameras, masks, roles and lift policy.

Validation collects every problem instead of stopping at the first, because an
administrator fixing a site file wants the whole list in one go. The format is declared
in `schema`, checked key by key through `reader`, across keys in `validate`, and each
problem placed on its line by `locate`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from console.core.site.locate import key_lines
from console.core.site.model import Site
from console.core.site.problems import Problem, SiteError
from console.core.site.reader import Reader
from console.core.site.validate import validate


def load_site(path: Path) -> Site:
    """Read and validate a site file; raises SiteError with every problem found."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise SiteError([Problem(path, "", None, f"cannot read the site file: {reason}")]) from None
    try:
        text = raw.decode("utf-8")
        document = tomllib.loads(text)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SiteError([Problem(path, "", line, "expected UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"at line (\d+)", str(error))
        message = str(error).split(" (at line")[0]
        problem = Problem(
            path, "", int(found.group(1)) if found else None, f"expected valid TOML: {message}"
        )
        raise SiteError([problem]) from None
    except RecursionError:
        raise SiteError(
            [Problem(path, "", None, "expected valid TOML nested less deeply")]
        ) from None
    except ValueError:  # tomllib lets int() refuse numbers past Python's 4300-digit limit
        raise SiteError(
            [Problem(path, "", None, "expected valid TOML with numbers of at most 4300 digits")]
        ) from None
    reader = Reader(path, key_lines(text))
    site = validate(reader, document, hashlib.sha256(raw).hexdigest())
    if reader.problems:
        raise SiteError(reader.problems)
    assert site is not None
    return site
