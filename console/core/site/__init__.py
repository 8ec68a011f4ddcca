"""The site file: cameras, masks, roles and policy, validated before anything runs.

Owns the file's format and its loading: `schema` declares every key once (kind, default,
range, doc) in the vocabulary of `kinds`; `config.load_site` reads the file, `reader`
checks it key by key against the schema, `validate` applies the rules across keys and
builds the `model`, `locate` finds the line of each `problems` entry; `reference` writes
the README's configuration reference from the schema. Also `durations` and `paths`
(where the site file and the data live). `scratch` holds throw-away
folders, such as the demo's.

May import: `timebase`, `privacy` (mask geometry is part of the model).
"""
