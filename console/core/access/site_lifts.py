"""The site's active lifts, read from its one audit, and ending one from elsewhere.

Every console of a site writes to the same audit (the data dir's, shared by the
consoles on one host; the database, once the audit lives there), so the lifts it shows
as started and not ended (`open_lifts`) are the site's active lifts. There is no second
list to keep in step: a lift is listed from the moment its "lift started" record is
written (before it takes effect) until a record names it as ended.

Ending a lift from elsewhere is a record too: "lift ended" names the lift (``"lift":
SEQ``, the convention every ending follows), who ended it and why. The lifted console
learns of it by following the audit (`console.core.access.lift_watch`) and puts its
masks back. Who may end one: a role holding `lift_privacy_masks` (those who may grant
or authorise a lift may take it back) or `admin`. Ending only ever puts masks back, so
the permission is the authority to interrupt someone's work, not to see anything; it
does not need `audit`, which the listing does (it shows who looks at what, and why).
"""

from __future__ import annotations

from console.core.access.authorization import LIFT_PERMISSION
from console.core.access.users import User
from console.core.audit.open_lifts import OpenLift, open_lifts
from console.core.audit.trail import AuditLog, AuditRecord, Event
from console.core.site.model import Site

LIST_PERMISSION = "audit"
"""What a role needs to list the site's active lifts."""
END_PERMISSIONS = (LIFT_PERMISSION, "admin")
"""Any one of these lets a role end another console's lift."""


class LiftNotActive(Exception):
    """The lift to end is not open in the audit (never started, or already ended)."""


def may_end(site: Site, user: User) -> bool:
    role = site.roles.get(user.role)
    return role is not None and any(p in role.permissions for p in END_PERMISSIONS)


def active_lifts(audit: AuditLog) -> list[OpenLift]:
    """Every lift the audit shows as started and never ended, oldest first (raises
    `AuditUnavailable`). One whose time ran out is listed too: its console was killed
    before it could record the end, and the next console start on that host closes it."""
    return open_lifts(audit.records())


def end_lift(audit: AuditLog, seq: int, ender: str, reason: str, host: str) -> AuditRecord:
    """Record that `ender` (on `host`) ended lift `seq` for `reason`; the record is what
    ends it. Raises `ValueError` without a reason, `LiftNotActive` when that lift is
    not open, `AuditUnavailable` when the audit cannot be read or written.

    Two supervisors ending one lift at once may both be recorded: the second record
    ends nothing more, and the trail shows both of them acted.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("ending a lift needs a reason")
    lift = next((lift for lift in active_lifts(audit) if lift.started.seq == seq), None)
    if lift is None:
        raise LiftNotActive(f"no active lift {seq} (it ended, or no lift started as record {seq})")
    return audit.append(
        Event.LIFT_ENDED,
        operator=ender,
        reason=reason,
        details={
            "lift": seq,
            "host": host,
            "lift_operator": lift.started.operator,
            "lift_host": lift.host,
        },
    )
