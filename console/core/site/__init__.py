"""The site file: cameras, masks, roles and policy, validated before anything runs.

Owns `config` (the model and its validation), `durations`, `paths` (where the site
file and the data live) and `scratch` (throw-away folders, such as the demo's).

May import: `timebase`, `privacy` (mask geometry is part of the model).
"""
