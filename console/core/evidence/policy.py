"""Which masks an export burns in, and who may leave the liftable ones off.

The masker is built here from the camera's masks plus the export's extra masks, so no
option of the caller can leave a permanent mask off. Liftable masks are burned in too,
unless the caller passes an `UnmaskedGrant`, which `unmasked_grant` hands out only while
a lift is active *and* the operator's role holds `export_unmasked`; even then the lift
is asked on every frame, so masks return mid-export the moment it ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.core.access.lift import LiftController
from console.core.privacy.masking import NEVER_LIFTED, CameraMasker, LiftGate
from console.core.privacy.masks import Geometry, Mask
from console.core.site.model import Camera, Role


@dataclass(frozen=True, slots=True)
class UnmaskedGrant:
    """Permission to leave liftable masks off, for as long as `gate` stays lifted."""

    gate: LiftGate
    authorizer: str
    """Who authorised the lift, recorded in the manifest and the audit."""


def unmasked_grant(role: Role, lift: LiftController) -> UnmaskedGrant | None:
    """A grant when a lift is active and `role` holds `export_unmasked`, else None."""
    active = lift.current()
    if active is None or "export_unmasked" not in role.permissions:
        return None
    return UnmaskedGrant(lift, active.authorizer)


def extra_masks(geometries: tuple[Geometry, ...], color: tuple[int, int, int]) -> tuple[Mask, ...]:
    """Export-only masks: permanent and solid, so no lift can take them off."""
    return tuple(
        Mask(f"export-{number}", "permanent", "solid", geometry, color)
        for number, geometry in enumerate(geometries, start=1)
    )


def export_masker(
    camera: Camera,
    extra: tuple[Geometry, ...],
    color: tuple[int, int, int] = (0, 0, 0),
    grant: UnmaskedGrant | None = None,
) -> CameraMasker:
    """The masker an export of `camera` with these extra masks burns in with.

    The export screen previews through it, so the picture the operator draws extra
    masks on is the picture the file will hold: the camera's masks, the extra blocks,
    and liftable masks left off only under a grant.
    """
    gate = grant.gate if grant is not None else NEVER_LIFTED
    return CameraMasker(camera.id, camera.masks + extra_masks(extra, color), gate)
