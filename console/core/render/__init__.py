"""Terminal renderers for masked camera frames: half-block, ASCII and sixel.

Pure: no Textual or Rich here. A renderer turns a `MaskedFrame` into a `RenderedTile`
(runs of cells with integer colour codes, row keys, optional sixel payload); the UI and
`veil render` decide how to put that on a terminal. `factory.make_renderer` picks one by
mode name; `modes` holds the names alone, so a parser can list them without loading numpy.

May import: `privacy` (for `MaskedFrame`) and `timebase`. Never imports `video` or
`evidence`: a renderer draws what the masking stage made, never a raw source.
"""
