"""The audit trail of one data dir, as every command and the console open it.

One place decides how the audit is anchored (the site's ``[audit]`` table) and when a
new chain may not begin (the site already has users), so `veil`, `veil export` and
`veil user` cannot differ on either.
"""

from __future__ import annotations

from pathlib import Path

from console.core.access.users import has_users
from console.core.audit.anchor import Anchor
from console.core.audit.trail import AuditLog
from console.core.site.model import Site
from console.core.site.paths import Paths
from console.core.storage.site_storage import Storage, site_storage


def site_audit(paths: Paths, site: Site | None, storage: Storage | None = None) -> AuditLog:
    """The site's audit (``paths.audit_db``, or the shared database the site names),
    anchored as `site` says (not at all without one)."""
    storage = storage or site_storage(paths, site)
    anchor = None
    if site is not None and site.audit_anchor is not None:
        anchor = Anchor(site.audit_anchor, site.audit_anchor_key)

    def users_present() -> str:
        if not has_users(storage.users):
            return ""
        if not isinstance(storage.users, Path):
            return f"{storage.users.where} already has users, so this site had an audit"
        return (
            f"{paths.users_db} already has users, so this site had an audit; restore "
            f"{paths.audit_db.name} from a backup (to really start over, move "
            f"{paths.users_db.name} aside too)"
        )

    return AuditLog(storage.audit, anchor=anchor, genesis_guard=users_present)
