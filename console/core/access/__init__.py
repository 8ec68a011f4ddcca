"""Who may do what: users, passwords, lockout, lifts, sessions and authorization.

Owns the lift state (`lift.LiftController`, the gate every masker asks) and everything that
decides whether a lift may start. Every privileged act is recorded through `audit`.

May import: `timebase`, `privacy`, `site`, `storage`, `audit`.
"""
