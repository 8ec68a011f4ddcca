"""Camera pictures: live sources, their credentials, feeds and recorded segments.

Owns `sources` (one thread per camera, newest frame only), `credentials` (the keyring),
`feed` (a camera's source joined to its masks: where raw frames meet the masking stage),
recordings: `recording_index` (segments, spans and gaps), `segment_files` (a folder read
into an index), `segment_decoder` (a segment's raw frames, for the two masking readers
only), `recorded_frames` (masked frames for export) and `playback_cursor` (masked
playback); and `playback_source`, `transport` and `patterns`.

May import: `timebase`, `privacy`, `site`, `storage`, `audit`, `access`.
"""
