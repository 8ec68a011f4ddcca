"""Time, as the console needs it: monotonic clocks for expiry, UTC for records.

Owns `clock` (every expiry reads a `Clock`, so tests move time without sleeping), `utc`
(the one text form of wall-clock stamps) and `moments` (recording times as operators
read and type them).

May import: nothing else in `console.core`.
"""
