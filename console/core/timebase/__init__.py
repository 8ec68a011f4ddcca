"""Time, as the console needs it: monotonic clocks for expiry, UTC for records.

Owns `clock` (every expiry reads a `Clock`, so tests move time without sleeping), `utc`
(the one text form of wall-clock stamps), `moments` (recording times as operators
read and type them) and `progress` (how far a job over frames has got, with its ETA).

May import: nothing else in `console.core`.
"""
