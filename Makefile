# Everyday targets. Development runs on this machine (scripts/); production in Docker.
.PHONY: help install prod-install dev run server admin deb test lint fmt bench images up up-prod down logs backup restore

COMPOSE = docker-compose -f docker-compose.yml
COMPOSE_PROD = $(COMPOSE) -f docker-compose.prod.yml

help: ## This list.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

install: ## First-time setup of this machine: PostgreSQL, Redis, the admin, the server, migrations.
	scripts/server.sh migrate
	@echo "Next: printf '%s\\n' 'a long admin password' | scripts/server.sh create-admin --login admin --password-stdin; then make dev"

prod-install: ## Production: .env from the example if missing, build images, start everything.
	@[ -f .env ] || { cp .env.example .env; echo "Created .env: fill in SERVER_NAME, POSTGRES_PASSWORD, ALAROMA_JWT_SECRET and the TLS files, then run make install again."; exit 1; }
	$(COMPOSE_PROD) build
	$(COMPOSE_PROD) up -d
	$(COMPOSE_PROD) ps

dev: ## Development: PostgreSQL, Redis and the server with the web admin on http://127.0.0.1:3000.
	scripts/server.sh

run: ## The till window on its demo catalog (no server needed).
	scripts/run.sh

server: dev ## Same as dev.

admin: ## Build the web admin into web-admin/dist.
	scripts/build-admin.sh

deb: ## The till's Debian package (release), in the cargo target dir's bundle/deb.
	scripts/build-deb.sh

test: ## Every check and test (what CI runs).
	scripts/test.sh

lint: ## Formatting and clippy only.
	cargo fmt --all -- --check
	cargo clippy --workspace --exclude pos-ui --all-targets -- -D warnings

fmt: ## Format the code.
	cargo fmt --all

bench: ## Benchmarks (see BENCHMARKS.md).
	cargo bench -p pos-desktop --bench till
	cargo bench -p sync-server --bench sync
	cargo bench -p sync-server --bench admin_load

images: ## Build the server and nginx images.
	$(COMPOSE_PROD) build

up: ## Start the stack (base settings).
	$(COMPOSE) up -d

up-prod: ## Start the stack with the production overlay.
	$(COMPOSE_PROD) up -d

down: ## Stop the stack (data volumes stay).
	$(COMPOSE_PROD) down

logs: ## Follow the server's and nginx's logs.
	$(COMPOSE_PROD) logs -f --tail=100 sync-server nginx

backup: ## A backup now, beside the nightly ones.
	$(COMPOSE_PROD) exec backup sh /opt/alaroma/backup.sh

restore: ## Restore FILE (a backup in the backups dir) into an empty database: see docs/runbook.md.
	@[ -n "$(FILE)" ] || { echo "usage: make restore FILE=backups/alaroma-....dump"; exit 1; }
	$(COMPOSE_PROD) stop sync-server
	$(COMPOSE_PROD) exec -T postgres sh -c 'dropdb -U alaroma --force alaroma && createdb -U alaroma alaroma'
	$(COMPOSE_PROD) exec -T backup sh /opt/alaroma/restore.sh /backups/$(notdir $(FILE))
	$(COMPOSE_PROD) start sync-server
