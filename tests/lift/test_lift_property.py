"""Property: video beneath liftable masks is shown only during an audited, unexpired lift.

Random sequences of lifts, applies, session ends, audit outages and clock jumps drive a
real `LiftController` and `CameraMasker`, and a frame is masked after every step. If
liftable masks were left off, the audit's latest lift record must be a "lift started"
for that operator, and neither its deadline nor an apply or session end may have come
since. Conversely, outside such a lift every liftable pixel must be masked, and
permanent ones always are.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from console.core.access.lift import LiftController
from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.privacy.masking import CameraMasker, MaskedFrame
from console.core.privacy.masks import Mask, RectGeometry
from console.core.timebase.clock import FakeClock

LIFT_EVENTS = {
    Event.LIFT_STARTED,
    Event.LIFT_APPLIED,
    Event.LIFT_EXPIRED,
    Event.SESSION_ENDED_WHILE_LIFTED,
}
WHITE = np.full((16, 16, 3), 255, np.uint8)
MASKS = (
    Mask("left", "liftable", "solid", RectGeometry(0.0, 0.0, 0.5, 1.0)),
    Mask("corner", "permanent", "solid", RectGeometry(0.75, 0.75, 1.0, 1.0)),
)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("lift"), st.sampled_from(["olga", "gary"]), st.integers(1, 100)),
        st.tuples(st.just("apply"), st.sampled_from(["olga", "gary"])),
        st.tuples(st.just("advance"), st.floats(0, 150, allow_nan=False)),
        st.tuples(st.just("end"), st.sampled_from(["logout", "SIGHUP", "SIGTERM"])),
        st.tuples(st.just("outage"), st.booleans()),
    ),
    max_size=40,
)


@dataclass
class Expected:
    """The model's lift: who, and when it must end."""

    operator: str
    duration: int
    deadline: float


@settings(max_examples=120, deadline=None)
@given(steps)
def test_no_unmasked_frame_without_an_audited_unexpired_lift(
    plan: list[tuple[object, ...]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        clock = FakeClock()
        audit = AuditLog(Path(scratch) / "audit.db")
        broken = AuditLog(Path(scratch) / "blocker" / "audit.db")
        (Path(scratch) / "blocker").write_text("not a directory")
        controller = LiftController(audit, clock)
        masker = CameraMasker("cam", MASKS, controller)
        expected: Expected | None = None
        for step in plan:
            kind = step[0]
            if kind == "lift":
                operator, duration = str(step[1]), int(str(step[2]))
                try:
                    controller.lift(operator, "sam", "", duration, controller.epoch)
                    expected = Expected(operator, duration, clock() + duration)
                except AuditUnavailable:
                    assert controller.audit is broken
            elif kind == "apply":
                try:
                    controller.apply(str(step[1]))
                except AuditUnavailable:
                    assert controller.audit is broken
                expected = None
            elif kind == "end":
                try:
                    controller.end_session(str(step[1]))
                except AuditUnavailable:
                    assert controller.audit is broken
                expected = None
            elif kind == "advance":
                clock.advance(float(str(step[1])))
            else:
                controller.audit = broken if step[1] else audit
            if expected is not None and clock() >= expected.deadline:
                expected = None
            check_frame(masker.full(WHITE), audit, controller, expected)
        # Records of masks going back are queued and retried until they land: let the
        # broken audit heal so they do, before the scratch dir goes.
        (Path(scratch) / "blocker").unlink()
        broken.flush()
        audit.flush()


def check_frame(
    frame: MaskedFrame, audit: AuditLog, controller: LiftController, expected: Expected | None
) -> None:
    assert (frame.pixels[12:, 12:] == 0).all(), "a permanent mask was lifted"
    liftable = frame.pixels[:, :8]
    assert (liftable == (255 if frame.lifted else 0)).all()
    assert frame.lifted == (expected is not None)
    if not frame.lifted:
        return
    assert expected is not None
    lift_records = [record for record in audit.records() if record.event in LIFT_EVENTS]
    assert lift_records, "masks lifted with no lift record in the audit"
    last = lift_records[-1]
    assert last.event == Event.LIFT_STARTED
    assert last.operator == expected.operator
    assert json.loads(last.details)["duration_s"] == expected.duration
    active = controller.current()
    assert active is not None
    assert active.started_seq == last.seq
    assert controller.clock() < expected.deadline
