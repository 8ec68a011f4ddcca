"""The demo's users: fixed names and passwords, for the throw-away demo data dir only.

`veil --demo` must be usable by someone who has read nothing but the README, so the
demo creates two well-known accounts (one that needs a supervisor, one that is one)
and the login screen prints them. A real site has no default users: nothing else
calls `add_demo_users`.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.core.access.users import UserStore


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo account as the README and the login screen list it."""

    name: str
    password: str
    role: str
    """One of the demo site's roles."""


DEMO_USERS = (
    DemoUser("operator", "operator-demo", "operator"),
    DemoUser("supervisor", "supervisor-demo", "supervisor"),
)
"""The same names and passwords as the README's "Demo users" table."""


def add_demo_users(users: UserStore) -> None:
    """Create every demo user; the audit records "demo" as who did it."""
    for user in DEMO_USERS:
        users.add("demo", user.name, user.role, user.password)
