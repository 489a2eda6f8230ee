PY := .venv/bin/python
APPS := intranet/accounts hr/leave hr/payslips hr/documents cms/home cms/news cms/training cms/policies cms/search

.PHONY: up test lint messages bench check lock

up:
	python3 dev.py up

test:
	python3 dev.py test

lint:
	$(PY) -m ruff check .
	.venv/bin/lint-imports

check:
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m ruff check .

# Site-wide strings (templates/, intranet/core, hr/org) go to locale/; each app keeps its own catalog in <app>/locale/.
messages:
	$(PY) manage.py makemessages -l id --ignore=.venv --ignore=var $(foreach a,$(APPS),--ignore=$(a)/*) --ignore=tests
	for a in $(APPS); do if [ -d $$a/locale ]; then (cd $$a && ../../$(PY) ../../manage.py makemessages -l id); fi; done
	for po in $$(find . -path ./.venv -prune -o -name django.po -print); do msgfmt -o $${po%.po}.mo $$po; done

bench:
	python3 dev.py bench

# Re-lock after changing dependencies in pyproject.toml (docs/dependencies.md): exact versions with hashes.
PIP_COMPILE := $(PY) -m piptools compile -q --generate-hashes --no-strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
lock:
	$(PY) -m pip install -q pip-tools
	$(PIP_COMPILE) -o requirements/runtime.txt pyproject.toml
	$(PIP_COMPILE) --extra test -o requirements/test.txt pyproject.toml
	$(PIP_COMPILE) --extra test --extra bench -o requirements/bench.txt pyproject.toml
