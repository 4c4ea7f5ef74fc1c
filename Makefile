# The two commands a newcomer runs: `make run` and `make test`. Both install what they need.
.PHONY: run test setup lint gui perf

setup:
	./scripts/bootstrap.sh

run: setup
	./scripts/run.sh

test: setup
	./scripts/test.sh

perf: setup
	./scripts/test.sh tests/perf -m perf -s

lint: setup
	.venv/bin/ruff check . && .venv/bin/mypy app automation ui && .venv/bin/lint-imports

.PHONY: package
package: setup
	./scripts/package.sh

# every desktop screenshot in docs/img/desktop, on a private Xvfb (docs/desktop.md)
.PHONY: screenshots
screenshots: setup
	./scripts/screenshots.sh
