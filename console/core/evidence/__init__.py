"""Evidence export: recordings with every mask burned in, and their manifests.

Writers take `MaskedFrame` only; recorded frames reach them through
`video.recorded_frames`, never through a live source. `export` runs one export; `batch`
runs several. The steps each have a module: `policy` (which masks), `h264`, `mjpeg` and
`stills` (the writers, run in a thread by `background`), `manifest`, `signature` (over
`canonical` JSON, with the site's `keys`), `recorded` (the audit record) and `publish`
(all at once or not at all). `verify` checks an export as its recipient would.

May import: `timebase`, `privacy`, `site`, `storage`, `audit`, `access`, `video`
(recordings only), `render`.
"""
