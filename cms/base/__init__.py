"""What every page app builds on, below them all: who a page is for (`audience`), its accountable owner (`mixins`),
view restrictions (`privacy`), routing from the cache (`routing`) and page helpers (`pages`). Not an installed app:
it holds no concrete model; `cms.home` connects the signals that retire its cached copies. Its strings are in the
site catalog (`locale/`)."""
