"""Veil's pure core: everything the console knows, with no terminal UI in it.

Subpackages follow the domain, lowest first; each may import only those before it
(`tests/core/test_layering.py` holds them to it):

- `timebase`: clocks that expire things, UTC stamps people read, times they type;
- `privacy`: mask geometry and the masking stage, the only maker of `MaskedFrame`;
- `site`: the site file: its schema, validation, paths and durations;
- `storage`: opening the databases the same way everywhere;
- `audit`: the hash-chained trail of who saw what;
- `access`: users, passwords, lockout, lift, sessions and supervisor authorization;
- `video`: camera sources, credentials, feeds and recordings;
- `render`: masked frames turned into terminal pictures;
- `map`: the Smart map's plans, camera markers and view cones;
- `wall`: what an operator's wall shows (views, carousels);
- `evidence`: exports, their signed manifests, and checking them;
- `search`: smart search, motion in a region of recordings, with masks left out;
- `services`: the composition root that builds one run from all of the above.
"""
