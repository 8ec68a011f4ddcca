"""Camera pictures: live sources, their credentials, feeds and recorded segments.

Owns `sources` (one thread per camera, newest frame only), `credentials` (the keyring),
`feed` (a camera's source joined to its masks: where raw frames meet the masking stage),
`recordings`, `playback_source`, `transport` and `patterns`.

May import: `timebase`, `privacy`, `site`, `storage`, `audit`, `access`.
"""
