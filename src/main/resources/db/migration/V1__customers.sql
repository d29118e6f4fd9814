-- Customers, their addresses and preferences; every table is tenant data under Row-Level Security.
-- The runtime role (${app_role}) is not the owner and gets only the privileges it needs.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Name search ignores case and accents ("gonzalez" finds "González"). unaccent() is only STABLE
-- because its dictionary could change; pinning the dictionary makes it safe to index.
CREATE FUNCTION search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(${flyway:defaultSchema}.unaccent('${flyway:defaultSchema}.unaccent'::regdictionary, $1)) $$;

-- Fails closed: an unset or empty tenant setting matches no row.
CREATE FUNCTION current_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.organization_id', true), '')::uuid $$;

CREATE TABLE customers (
    organization_id uuid        NOT NULL,
    id              uuid        NOT NULL,
    customer_type   text        NOT NULL CHECK (customer_type IN ('person', 'company')),
    first_name      text,
    last_name       text,
    legal_name      text,
    trade_name      text,
    email           text,
    phone           text,
    document_type   text,
    document_number text,
    birthdate       date,
    status          text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'deleted')),
    loyalty_card    text,
    external_id     text,
    salesperson_id  text,
    route           text,
    tags            text[]      NOT NULL DEFAULT '{}',
    notes           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    erased_at       timestamptz,
    version         bigint      NOT NULL DEFAULT 1,
    -- What name search matches and sorts on: every name the customer is known by, lower-cased, without accents.
    search_name     text GENERATED ALWAYS AS (
        search_text(rtrim(coalesce(first_name || ' ', '') || coalesce(last_name || ' ', '')
                 || coalesce(legal_name || ' ', '') || coalesce(trade_name || ' ', '')))) STORED,
    PRIMARY KEY (organization_id, id),
    CHECK (customer_type <> 'person' OR (first_name IS NOT NULL AND last_name IS NOT NULL) OR erased_at IS NOT NULL),
    CHECK (customer_type <> 'company' OR legal_name IS NOT NULL OR erased_at IS NOT NULL),
    CHECK ((document_type IS NULL) = (document_number IS NULL))
);

-- Natural keys are unique per organization among customers that are not deleted (a deleted
-- customer's email may register again). organization_id leads every unique index so a
-- uniqueness check can never reveal another tenant's row.
CREATE UNIQUE INDEX customers_email_uq    ON customers (organization_id, email)        WHERE email IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX customers_phone_uq    ON customers (organization_id, phone)        WHERE phone IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX customers_document_uq ON customers (organization_id, document_type, document_number)
                                                                                       WHERE document_number IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX customers_card_uq     ON customers (organization_id, loyalty_card) WHERE loyalty_card IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX customers_document_number_idx ON customers (organization_id, document_number) WHERE document_number IS NOT NULL;
CREATE INDEX customers_name_trgm ON customers USING gin (search_name gin_trgm_ops);
CREATE INDEX customers_name_sort ON customers (organization_id, search_name, id);

CREATE TABLE customer_addresses (
    organization_id uuid        NOT NULL,
    id              uuid        NOT NULL,
    customer_id     uuid        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('shipping', 'billing')),
    label           text,
    line1           text        NOT NULL,
    line2           text,
    city            text,
    region          text,
    postal_code     text,
    country         text        CHECK (country ~ '^[A-Z]{2}$'),
    is_default      boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX customer_addresses_customer_idx ON customer_addresses (organization_id, customer_id);
-- One default address of each kind per customer.
CREATE UNIQUE INDEX customer_addresses_default_uq ON customer_addresses (organization_id, customer_id, kind) WHERE is_default;

CREATE TABLE customer_preferences (
    organization_id        uuid        NOT NULL,
    customer_id            uuid        NOT NULL,
    favourite_channels     text[]      NOT NULL DEFAULT '{}',
    categories_of_interest text[]      NOT NULL DEFAULT '{}',
    restrictions           text[]      NOT NULL DEFAULT '{}',
    -- {"email": {"granted": true, "updated_at": "..."}, ...}: when consent changed is part of the record.
    marketing_consent      jsonb       NOT NULL DEFAULT '{}',
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, customer_id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);

-- Every state change records its event here in the same transaction (the single publishing hook);
-- a relay delivers the rows to RabbitMQ.
CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    organization_id uuid        NOT NULL,
    aggregate_id    uuid,
    event_type      text        NOT NULL,
    schema_version  int         NOT NULL DEFAULT 1,
    correlation_id  text,
    payload         jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

ALTER TABLE customers            ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers            FORCE ROW LEVEL SECURITY;
ALTER TABLE customer_addresses   ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_addresses   FORCE ROW LEVEL SECURITY;
ALTER TABLE customer_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_preferences FORCE ROW LEVEL SECURITY;
ALTER TABLE outbox               ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox               FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON customers
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());
CREATE POLICY tenant_isolation ON customer_addresses
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());
CREATE POLICY tenant_isolation ON customer_preferences
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());
CREATE POLICY tenant_isolation ON outbox
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());

GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${app_role};
GRANT EXECUTE ON FUNCTION current_tenant() TO ${app_role};
GRANT EXECUTE ON FUNCTION search_text(text) TO ${app_role};
GRANT SELECT, INSERT, UPDATE ON customers TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON customer_addresses TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON customer_preferences TO ${app_role};
GRANT SELECT, INSERT, UPDATE ON outbox TO ${app_role};
