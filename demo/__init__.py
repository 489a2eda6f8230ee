"""Demo and benchmark data: the top layer, above every HR and CMS app, because it fills them all (`seed_demo`,
`seed_ministry`). Each app keeps its own `seed.py`; this app only runs them in order."""
