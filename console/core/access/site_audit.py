"""The audit trail of one data dir, as every command and the console open it.

One place decides how the audit is anchored (the site's ``[audit]`` table) and when a
new chain may not begin (the site already has users), so `veil`, `veil export` and
`veil user` cannot differ on either.
"""

from __future__ import annotations

from console.core.access.users import has_users
from console.core.audit.anchor import Anchor
from console.core.audit.trail import AuditLog
from console.core.site.model import Site
from console.core.site.paths import Paths


def site_audit(paths: Paths, site: Site | None) -> AuditLog:
    """The audit at ``paths.audit_db``, anchored as `site` says (not at all without one)."""
    anchor = None
    if site is not None and site.audit_anchor is not None:
        anchor = Anchor(site.audit_anchor, site.audit_anchor_key)

    def users_present() -> str:
        if not has_users(paths.users_db):
            return ""
        return (
            f"{paths.users_db} already has users, so this site had an audit; restore "
            f"{paths.audit_db.name} from a backup (to really start over, move "
            f"{paths.users_db.name} aside too)"
        )

    return AuditLog(paths.audit_db, anchor=anchor, genesis_guard=users_present)
