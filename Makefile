# woo-archive. `make demo` and `make test` work on a fresh Debian machine: `make install` brings
# what they need (Debian packages with apt-get, Python packages into .venv).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WOO_DATA ?= data
# the demo writes to WOO_DATA when you name it (make demo WOO_DATA=DIR or in the environment),
# else to demo-data; it never empties a directory it did not make
DEMO_DATA ?= $(if $(filter file undefined default,$(origin WOO_DATA)),demo-data,$(WOO_DATA))
HOST ?= 127.0.0.1
PORT ?= 8001
DEBIAN_PACKAGES := tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng ghostscript unpaper \
	pngquant qpdf poppler-utils chromium fonts-dejavu-core nodejs redis-server

export WOO_DATA

.PHONY: install test demo serve serve-private crawl bench lint clean workers

install: .make/debian .make/venv .make/wabac .make/axe

.make/debian: scripts/install-debian-packages.sh Makefile
	scripts/install-debian-packages.sh $(DEBIAN_PACKAGES)
	@mkdir -p .make && touch $@

.make/venv: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@mkdir -p .make && touch $@

# wabac.js's own WACZ signature check, for the tests (npm registry; see the script)
.make/wabac: scripts/install-wabac.sh scripts/npm-work.sh .make/debian
	scripts/install-wabac.sh .make/wabac
	@touch $@

# axe-core, the accessibility checker the browser tests run in Chromium (npm registry)
.make/axe: scripts/install-axe.sh scripts/npm-work.sh .make/debian
	scripts/install-axe.sh .make/axe
	@touch $@

test: install
	$(BIN)/pytest

demo: install
	$(BIN)/python scripts/demo.py --data $(DEMO_DATA) --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/woo serve --host $(HOST) --port $(PORT)

# Your requests too, on 127.0.0.1 only, behind the sign-in link Datasette prints
serve-private: install
	$(BIN)/woo serve --private --host 127.0.0.1 --port $(PORT)

# All municipalities, or MUNICIPALITIES=GM0363,GM0344. Resumes an interrupted run.
crawl: install
	$(BIN)/woo crawl $(if $(MUNICIPALITIES),--municipality $(MUNICIPALITIES),--all)

# A local Redis and two workers on 127.0.0.1, to try reading on several machines:
#   make workers   (then, in another shell)   WOO_BROKER=redis://127.0.0.1:6379/0 woo index
workers: install
	mkdir -p .make/redis
	redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --dir $(CURDIR)/.make/redis \
		--logfile $(CURDIR)/.make/redis/redis.log --save "" --appendonly no
	trap 'kill 0' INT TERM; \
	$(BIN)/woo worker --broker redis://127.0.0.1:6379/0 -c 1 -n one@%h & \
	$(BIN)/woo worker --broker redis://127.0.0.1:6379/0 -c 1 -n two@%h & \
	wait

bench: install
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

lint: install
	$(BIN)/ruff check wooarchive tests scripts bench
	$(BIN)/ruff format --check wooarchive tests scripts bench

clean:
	rm -rf .make $(VENV) $(DEMO_DATA) $(DEMO_DATA)-private
