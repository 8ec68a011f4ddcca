"""Smart search: where something moved in a region of a camera's recordings.

Masks decide what can be found. Motion is measured only on masked frames, and the area
under every mask that applies to the viewer (permanent masks always, liftable ones
unless a lift is in force) is left out of the measurement, with a margin, so movement
behind a mask never produces a hit: that something happened behind a neighbour's
window at 10:03 is itself what the mask hides. See `exclusion` and the README.

- `region`: the region searched, as a rect or grid cells, and its text forms;
- `exclusion`: what the masks take out of the measurement;
- `motion`: how much of the region changed between two samples, and hits from that;
- `scan`: one segment scanned (the unit of work of the process pool);
- `run`: a whole search over cameras and a time range, with progress and cancel;
- `thumbnails`: masked stills of the hits.
"""
