# The two commands a new machine needs: `make run` (the main job) and `make test`.
.PHONY: run services test lint infra-up infra-down infra-status bootstrap

PYTHON := .venv/bin/python

bootstrap:
	@./deploy/local/bootstrap.sh

# Installs everything, starts Kafka and the store (dev profile) and every service, plays the
# demo week on them (SCALE=0.05 for a smaller one), prints its summary and keeps running until Ctrl-C.
run: bootstrap
	@$(PYTHON) deploy/local/infra.py up --profile dev
	@$(PYTHON) -m deploy.local.week --scale $(or $(SCALE),1)

# The services alone on the dev infrastructure, with whatever data it holds, until Ctrl-C.
services: bootstrap
	@$(PYTHON) deploy/local/infra.py up --profile dev
	@$(PYTHON) -m deploy.local.run_services

# Lint, type-check, then the whole suite against the real local Kafka and store
# (test profile, started when it is not running).
test: bootstrap lint
	@$(PYTHON) deploy/local/infra.py up --profile test
	@$(PYTHON) -m pytest

lint: bootstrap
	@$(PYTHON) -m ruff check .
	@$(PYTHON) -m ruff format --check .
	@$(PYTHON) -m mypy

infra-up: bootstrap
	@$(PYTHON) deploy/local/infra.py up --profile $(or $(PROFILE),dev)

infra-down: bootstrap
	@$(PYTHON) deploy/local/infra.py down --profile $(or $(PROFILE),dev)

infra-status: bootstrap
	@$(PYTHON) deploy/local/infra.py status --profile $(or $(PROFILE),dev)
