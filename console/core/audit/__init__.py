"""The tamper-evident audit trail: who saw what beneath the masks, and who allowed it.

`trail` keeps the hash chain; `anchor`, `checkpoint` and `signer` anchor it in signed
checkpoints out of the console account's reach; `open_lifts` reads lifts nobody ended.

May import: `timebase`, `site`, `storage`.
"""
