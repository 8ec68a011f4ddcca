"""Who is at the console and what their role lets them do, as the views screens ask it.

The app holds the logged-in user (its `user` reactive, set at login); screens read it
from there rather than keeping a copy, so a logout is seen everywhere at once.
"""

from __future__ import annotations

from typing import Protocol, cast

from textual.app import App

from console.core.access.users import User
from console.core.services import Services
from console.core.site.model import Role


class OperatorApp(Protocol):
    """What screens need of the app to know who is at the console; `VeilApp` is one.

    A Protocol here lets screens ask without importing the app that imports them.
    """

    user: User | None
    services: Services


def current_user(app: App[object]) -> User | None:
    return cast(OperatorApp, app).user


def current_role(app: App[object]) -> Role | None:
    user = current_user(app)
    if user is None:
        return None
    return cast(OperatorApp, app).services.site.roles.get(user.role)


def permitted(app: App[object], permission: str) -> bool:
    """Whether the logged-in user's role holds `permission` (False when nobody is)."""
    role = current_role(app)
    return role is not None and permission in role.permissions
