# TokoBLITAR: `make run` and `make test` are all a new machine needs (Python 3.11+).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run run-scaled serve reconcile test lint format bench-search bench-relevance bench-pages bench-checkout bench-webhooks bench-throughput bench-media bench-lighthouse bench-whatsapp bench-servers bench-checkout-floor bench-channels bench-ai-stream bench-soak bench-scale clean-db

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python scripts/run.py --port $(PORT)

# Two web processes (PORT and PORT+1) and two task workers sharing a local redis-server.
run-scaled: $(BIN)/.installed
	$(BIN)/python scripts/run.py --port $(PORT) --web 2 --workers 2

# Production mode: DEBUG off, SECRET_KEY required, migrate + collectstatic, no demo data.
serve: $(BIN)/.installed
	$(BIN)/python scripts/serve.py --port $(PORT)

reconcile: $(BIN)/.installed
	$(BIN)/python manage.py reconcile

test: $(BIN)/.installed
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Search and listing latency at 100k and 1M products in one run (seeds 1M once: about 5 minutes).
bench-scale: $(BIN)/.installed
	$(BIN)/python bench/scale.py

bench-search: $(BIN)/.installed
	$(BIN)/python bench/search.py

bench-relevance: $(BIN)/.installed
	$(BIN)/python bench/relevance.py

bench-pages: $(BIN)/.installed
	$(BIN)/python bench/pages.py

bench-checkout: $(BIN)/.installed
	$(BIN)/python bench/checkout.py

bench-webhooks: $(BIN)/.installed
	$(BIN)/python bench/webhooks.py

bench-throughput: $(BIN)/.installed
	$(BIN)/python bench/throughput.py

# Against a running `make run` (BENCH_BASE, default http://127.0.0.1:8000); needs Node 18+ for Lighthouse.
bench-lighthouse: $(BIN)/.installed
	$(BIN)/python bench/lighthouse.py

bench-media: $(BIN)/.installed
	$(BIN)/python bench/media.py

bench-whatsapp: $(BIN)/.installed
	$(BIN)/python bench/whatsapp.py

# The ASGI servers compared (daphne, uvicorn, granian); the candidates are pinned in bench/requirements.txt.
bench-servers: $(BIN)/.installed
	$(BIN)/pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/servers.py

bench-checkout-floor: $(BIN)/.installed
	$(BIN)/python bench/checkout_floor.py

bench-ai-stream: $(BIN)/.installed
	$(BIN)/python bench/ai_stream.py

bench-channels: $(BIN)/.installed
	$(BIN)/python bench/sales_channels.py

# A buyer mix under locust for 10 minutes (MINUTES=1 for a smoke run); locust is pinned in bench/requirements.txt.
bench-soak: $(BIN)/.installed
	$(BIN)/pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/soak.py --minutes $(or $(MINUTES),10)

clean-db:
	rm -rf var/pgdata
