"""The tamper-evident audit trail: who saw what beneath the masks, and who allowed it.

May import: `timebase`, `site`, `storage`.
"""
