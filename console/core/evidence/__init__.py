"""Evidence export: recordings with every mask burned in, and their manifests.

Writers take `MaskedFrame` only; recorded frames reach them through
`video.recorded_frames`, never through a live source.

May import: `timebase`, `privacy`, `site`, `storage`, `audit`, `access`, `video`
(recordings only), `render`.
"""
