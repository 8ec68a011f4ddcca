"""`make bench`: Veil measured against reference tools on the same input, in one run.

Each comparison runs both sides back to back on the same frames and reports ratios
against the budgets of the issues, so a slow machine slows both sides alike.
"""
