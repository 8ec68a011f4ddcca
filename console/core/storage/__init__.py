"""Opening the console's databases the same way in every process.

May import: `timebase`, `site`.
"""
