"""A search as the audit records it: the one place both the console and `veil search`
write the search record, so a search is recorded exactly once, in the same words.

The record is written after the search finished and before any hit is shown: a search
the audit cannot hold (`AuditUnavailable`) shows nothing. A cancelled or failed search
found nothing and is not recorded as a search.
"""

from __future__ import annotations

import threading

from console.core.audit.trail import AuditLog, Event
from console.core.search.region import describe
from console.core.search.run import ProgressCallback, SearchRequest, SearchResult, search
from console.core.timebase.moments import format_time


def search_details(request: SearchRequest) -> dict[str, object]:
    """What was searched: cameras, range, region and sensitivity."""
    return {
        "cameras": [target.camera.id for target in request.targets],
        "from": format_time(request.start),
        "to": format_time(request.end),
        "region": describe(request.region),
        "sensitivity": request.sensitivity,
    }


def audited_search(
    request: SearchRequest,
    audit: AuditLog,
    operator: str,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> SearchResult:
    """`search`, then its audit record in `operator`'s name (raises `AuditUnavailable`)."""
    result = search(request, progress=progress, cancel=cancel)
    details = {**search_details(request), "hits": len(result.hits), "frames": result.frames}
    audit.append(Event.SEARCH, operator=operator, details=details)
    return result
