-- Commercial credit: one line per B2B customer, the charges made on it (what payments and releases
-- settle, oldest first), an append-only ledger, an audit of line changes, and per-organization policy.
-- Invariants in the database: amounts are NUMERIC, outstanding and credit balance are never negative,
-- a charge is never settled beyond its amount, one ledger row per idempotency key.

CREATE TABLE credit_lines (
    organization_id uuid          NOT NULL,
    customer_id     uuid          NOT NULL,
    credit_limit    numeric(14,2) NOT NULL CHECK (credit_limit >= 0),
    currency        text          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    terms_days      integer       NOT NULL CHECK (terms_days BETWEEN 0 AND 365),
    status          text          NOT NULL CHECK (status IN ('pending', 'approved', 'suspended', 'closed')),
    outstanding     numeric(14,2) NOT NULL DEFAULT 0 CHECK (outstanding >= 0),
    credit_balance  numeric(14,2) NOT NULL DEFAULT 0 CHECK (credit_balance >= 0),
    approved_by     text,
    approved_at     timestamptz,
    notes           text,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, customer_id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);

CREATE TABLE credit_charges (
    organization_id uuid          NOT NULL,
    id              bigint        GENERATED ALWAYS AS IDENTITY,
    customer_id     uuid          NOT NULL,
    order_id        text          NOT NULL,
    amount          numeric(14,2) NOT NULL CHECK (amount > 0),
    paid            numeric(14,2) NOT NULL DEFAULT 0 CHECK (paid >= 0),
    released        numeric(14,2) NOT NULL DEFAULT 0 CHECK (released >= 0),
    due_date        date          NOT NULL,
    charged_at      timestamptz   NOT NULL,
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, order_id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    CHECK (paid + released <= amount)
);
CREATE INDEX credit_charges_open_idx ON credit_charges (organization_id, customer_id, due_date, id) WHERE paid + released < amount;

CREATE TABLE credit_ledger (
    organization_id     uuid          NOT NULL,
    id                  bigint        GENERATED ALWAYS AS IDENTITY,
    customer_id         uuid          NOT NULL,
    entry_type          text          NOT NULL CHECK (entry_type IN ('charge', 'release', 'payment', 'adjustment')),
    amount              numeric(14,2) NOT NULL,  -- effect on outstanding
    credit_delta        numeric(14,2) NOT NULL DEFAULT 0, -- effect on the customer's credit balance (overpayments)
    outstanding_after   numeric(14,2) NOT NULL,
    credit_balance_after numeric(14,2) NOT NULL,
    reference           text,
    idempotency_key     text          NOT NULL,
    request_hash        text          NOT NULL,
    actor               text,
    reason              text,
    created_at          timestamptz   NOT NULL,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE UNIQUE INDEX credit_ledger_idempotency_uq ON credit_ledger (organization_id, idempotency_key);
CREATE INDEX credit_ledger_customer_idx ON credit_ledger (organization_id, customer_id, created_at, id);

CREATE TABLE credit_line_audit (
    organization_id uuid        NOT NULL,
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    customer_id     uuid        NOT NULL,
    action          text        NOT NULL,
    before          jsonb,
    after           jsonb       NOT NULL,
    actor           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);

CREATE TABLE credit_policies (
    organization_id        uuid    PRIMARY KEY,
    overdue_tolerance_days integer NOT NULL DEFAULT 0 CHECK (overdue_tolerance_days >= 0),
    grace_days             integer NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
    updated_at             timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['credit_lines', 'credit_charges', 'credit_ledger', 'credit_line_audit', 'credit_policies'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = current_tenant()) '
                       'WITH CHECK (organization_id = current_tenant())', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON credit_lines, credit_charges, credit_policies TO ${app_role};
GRANT SELECT, INSERT ON credit_ledger, credit_line_audit TO ${app_role};
