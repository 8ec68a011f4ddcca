"""The audit's record of an export, written before the export appears.

An export the audit cannot hold is not kept: evidence nobody can account for is worse
than no evidence.
"""

from __future__ import annotations

import contextlib

from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.evidence.errors import ExportError
from console.core.evidence.manifest import Written
from console.core.evidence.request import ExportRequest
from console.core.timebase.moments import format_time


def record_export(
    audit: AuditLog,
    request: ExportRequest,
    written: Written,
    manifest_sha256: str,
    key_id: str,
) -> None:
    """Record the export before it appears: an export the audit cannot hold is not kept."""
    details = {
        "camera": request.camera_id,
        "from": format_time(request.start),
        "to": format_time(request.end),
        "format": request.format,
        "output": str(request.out),
        "frames": written.frames,
        "lifted_frames": written.lifted,
        "output_sha256": written.sha256,
        "manifest_sha256": manifest_sha256,
        "key_id": key_id,
    }
    try:
        audit.append(
            Event.EXPORT,
            operator=request.operator,
            authorizer=request.unmasked.authorizer if request.unmasked else "",
            reason=request.reason,
            details=details,
        )
    except AuditUnavailable as error:
        raise ExportError(
            f"the export was not kept because the audit could not record it: {error}"
        ) from None


def record_failure(
    audit: AuditLog, request: ExportRequest, manifest_sha256: str, error: BaseException
) -> None:
    """The export was recorded but could not be put in place: say so, if the audit lets us."""
    with contextlib.suppress(AuditUnavailable):
        audit.append(
            Event.EXPORT,
            operator=request.operator,
            reason=request.reason,
            outcome="failed",
            details={"manifest_sha256": manifest_sha256, "why": str(error)},
        )
