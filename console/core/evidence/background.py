"""A writer that encodes in its own thread while the next frames are decoded and masked.

Decoding, masking and encoding each spend their time in native code with the GIL
released, so on two cores an export runs them side by side instead of in turn.
"""

from __future__ import annotations

import queue
import threading

from console.core.evidence.writers import Digest, Writer, check_frame
from console.core.privacy.masking import MaskedFrame


class Background(Writer):
    """Encodes in its own thread while the next frames are decoded and masked.

    A failure in the thread surfaces at the next `write` or at `finish`.
    """

    def __init__(self, inner: Writer, depth: int = 4) -> None:
        self.inner = inner
        self.temp = inner.temp
        self._queue: queue.Queue[tuple[MaskedFrame, float] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="veil-export-writer", daemon=True)
        self._thread.start()

    def write(self, frame: MaskedFrame, moment: float) -> None:
        check_frame(frame, None)
        while True:
            self._raise()
            try:
                self._queue.put((frame, moment), timeout=0.05)
                return
            except queue.Full:
                continue

    def finish(self, expected: int) -> Digest:
        self._stop()
        self._raise()
        return self.inner.finish(expected)

    def discard(self) -> None:
        self._stop()
        self.inner.discard()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self.inner.write(*item)
                except BaseException as error:
                    self._error = error

    def _stop(self) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(None, timeout=0.05)
                break
            except queue.Full:
                continue
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error
