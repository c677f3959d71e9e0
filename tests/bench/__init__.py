"""`make bench`: Linli's event pipeline against bare JetStream, whole-system idle memory, start-up time.

Figures are printed, never asserted: see `__main__.py` for what is measured and how.
"""
