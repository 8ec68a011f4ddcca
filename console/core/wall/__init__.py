"""What an operator's wall shows: layouts, named views and carousels.

May import: `timebase`, `privacy`, `site`, `video`.
"""
