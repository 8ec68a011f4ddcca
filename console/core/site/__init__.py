"""The site file: cameras, masks, roles and policy, validated before anything runs.

Owns `config` (the model and its validation), `durations` and `paths` (where the site
file and the data live).

May import: `timebase`, `privacy` (mask geometry is part of the model).
"""
