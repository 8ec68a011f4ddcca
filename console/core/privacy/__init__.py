"""Privacy masks and the masking stage: the only way a frame may be shown.

Owns `masks` (resolution-free geometry, rasterised outward at any size) and `masking`
(the `CameraMasker` that burns masks in and the sealed `MaskedFrame` it alone makes).
Renderers, writers and the UI accept `MaskedFrame` and nothing else.

May import: `timebase`.
"""
