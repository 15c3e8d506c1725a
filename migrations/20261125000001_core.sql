-- Head-office core: users and roles, locations, terminals, catalog, prices, stock,
-- customers, audit. Money is bigint minor units; quantities bigint thousandths.
-- Sales, promotions and gift certificates come in their own migrations and reference
-- locations, terminals, products and customers by these uuid keys.
-- (The migrator runs with search_path = alaroma.)

CREATE TABLE roles (
    code            text PRIMARY KEY,
    description     text NOT NULL
);
INSERT INTO roles (code, description) VALUES
    ('admin', 'Everything, all locations'),
    ('manager', 'Catalog, prices, stock, promotions, reports and users of their locations'),
    ('cashier', 'Sales on the till'),
    ('salesperson', 'Sales and manual discounts on the till'),
    ('warehouse_worker', 'Stock operations at their locations');

CREATE TABLE locations (
    id          uuid PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('store', 'warehouse')),
    address     text,
    timezone    text NOT NULL DEFAULT 'Europe/Moscow',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                uuid PRIMARY KEY,
    login             text NOT NULL,
    full_name         text NOT NULL,
    role              text NOT NULL REFERENCES roles (code),
    password_hash     text NOT NULL,
    pin_hash          text,
    discount_limit_bp integer NOT NULL DEFAULT 0 CHECK (discount_limit_bp BETWEEN 0 AND 10000),
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_login_lower ON users (lower(login));
CREATE INDEX users_role ON users (role);

CREATE TABLE user_locations (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id uuid NOT NULL REFERENCES locations (id),
    PRIMARY KEY (user_id, location_id)
);
CREATE INDEX user_locations_location ON user_locations (location_id);

-- Refresh tokens: one row per issued token; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE terminals (
    id                    uuid PRIMARY KEY,
    location_id           uuid NOT NULL REFERENCES locations (id),
    name                  text NOT NULL,
    status                text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'disabled')),
    enrollment_code_hash  text UNIQUE,
    enrollment_expires_at timestamptz,
    enrolled_at           timestamptz,
    device_secret_hash    text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX terminals_location ON terminals (location_id);

CREATE TABLE categories (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    parent_id   uuid REFERENCES categories (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX categories_name_lower ON categories (lower(name));
CREATE INDEX categories_parent ON categories (parent_id);

CREATE TABLE products (
    id                  uuid PRIMARY KEY,
    sku                 text NOT NULL UNIQUE,
    name                text NOT NULL,
    category_id         uuid REFERENCES categories (id),
    unit                text NOT NULL CHECK (unit IN ('pcs', 'ml', 'g')),
    vat                 text NOT NULL CHECK (vat IN ('vat20', 'vat10', 'vat0', 'no_vat')),
    cost_minor          bigint NOT NULL DEFAULT 0 CHECK (cost_minor >= 0),
    default_price_minor bigint NOT NULL CHECK (default_price_minor >= 0),
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_name_lower ON products (lower(name) text_pattern_ops);

CREATE TABLE barcodes (
    code        text PRIMARY KEY,   -- Barcode::lookup_key (UPC-A stored as EAN-13)
    product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE
);
CREATE INDEX barcodes_product ON barcodes (product_id);

CREATE TABLE prices (
    product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    location_id uuid NOT NULL REFERENCES locations (id),
    price_minor bigint NOT NULL CHECK (price_minor >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, location_id)
);
CREATE INDEX prices_location ON prices (location_id);

-- Stock: a level is the sum of its movements, kept current in the movement's transaction.
CREATE TABLE inventory_levels (
    location_id uuid NOT NULL REFERENCES locations (id),
    product_id  uuid NOT NULL REFERENCES products (id),
    qty_milli   bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, product_id)
);
CREATE INDEX inventory_levels_product ON inventory_levels (product_id);

CREATE TABLE transfers (
    id               uuid PRIMARY KEY,
    from_location_id uuid NOT NULL REFERENCES locations (id),
    to_location_id   uuid NOT NULL REFERENCES locations (id),
    status           text NOT NULL CHECK (status IN ('shipped', 'received')),
    note             text,
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    received_by      uuid REFERENCES users (id),
    received_at      timestamptz,
    CHECK (from_location_id <> to_location_id)
);
CREATE INDEX transfers_from ON transfers (from_location_id);
CREATE INDEX transfers_to ON transfers (to_location_id);

CREATE TABLE transfer_lines (
    transfer_id uuid NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    product_id  uuid NOT NULL REFERENCES products (id),
    qty_milli   bigint NOT NULL CHECK (qty_milli > 0),
    PRIMARY KEY (transfer_id, product_id)
);
CREATE INDEX transfer_lines_product ON transfer_lines (product_id);

CREATE TABLE inventory_movements (
    id          uuid PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES locations (id),
    product_id  uuid NOT NULL REFERENCES products (id),
    qty_milli   bigint NOT NULL CHECK (qty_milli <> 0),
    kind        text NOT NULL CHECK (kind IN ('receive', 'transfer_out', 'transfer_in', 'count', 'adjust', 'sale', 'return')),
    reason      text,
    transfer_id uuid REFERENCES transfers (id),
    user_id     uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inventory_movements_location_product ON inventory_movements (location_id, product_id, created_at);
CREATE INDEX inventory_movements_product ON inventory_movements (product_id);
CREATE INDEX inventory_movements_transfer ON inventory_movements (transfer_id) WHERE transfer_id IS NOT NULL;
CREATE INDEX inventory_movements_user ON inventory_movements (user_id);

CREATE TABLE customers (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    phone       text UNIQUE,
    card_no     text UNIQUE,
    email       text,
    group_code  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_name_lower ON customers (lower(name) text_pattern_ops);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     uuid REFERENCES users (id),
    ip          text,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   text,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (user_id);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
