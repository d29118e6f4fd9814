-- Loyalty: per-organization program, one account per customer, an append-only ledger, the earn
-- lots that expiry and FIFO redemption consume, two-phase holds, and punch cards.
-- Invariants held by the database itself: balance >= 0, 0 <= held <= balance, one ledger row per
-- idempotency key, no UPDATE or DELETE on the ledger for the runtime role.

CREATE TABLE loyalty_programs (
    organization_id        uuid          PRIMARY KEY,
    strategy               text          NOT NULL CHECK (strategy IN ('standard', 'tiered')),
    points_per_unit        numeric(12,4) NOT NULL CHECK (points_per_unit > 0),
    max_points_rate        numeric(12,4) NOT NULL CHECK (max_points_rate > 0),
    points_per_money_unit  integer       NOT NULL CHECK (points_per_money_unit > 0),
    min_redemption         integer       NOT NULL CHECK (min_redemption > 0),
    tier_window_months     integer       NOT NULL CHECK (tier_window_months BETWEEN 1 AND 60),
    downgrade_grace_days   integer       NOT NULL CHECK (downgrade_grace_days >= 0),
    expiry_months          integer       CHECK (expiry_months IS NULL OR expiry_months BETWEEN 1 AND 120),
    hold_minutes           integer       NOT NULL CHECK (hold_minutes BETWEEN 1 AND 1440),
    tiers                  jsonb         NOT NULL,
    updated_at             timestamptz   NOT NULL DEFAULT now(),
    updated_by             text
);

CREATE TABLE loyalty_accounts (
    organization_id      uuid        NOT NULL,
    customer_id          uuid        NOT NULL,
    balance              bigint      NOT NULL DEFAULT 0 CHECK (balance >= 0),
    held                 bigint      NOT NULL DEFAULT 0 CHECK (held >= 0),
    lifetime_earned      bigint      NOT NULL DEFAULT 0,
    tier                 text        NOT NULL DEFAULT 'bronze',
    tier_since           timestamptz NOT NULL DEFAULT now(),
    below_tier_since     timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, customer_id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    CHECK (held <= balance)
);

CREATE TABLE loyalty_ledger (
    organization_id  uuid          NOT NULL,
    id               bigint        GENERATED ALWAYS AS IDENTITY,
    customer_id      uuid          NOT NULL,
    entry_type       text          NOT NULL CHECK (entry_type IN ('earn', 'redeem', 'hold', 'release', 'reverse', 'expire', 'adjust')),
    points           bigint        NOT NULL,           -- effect on balance
    held_delta       bigint        NOT NULL DEFAULT 0, -- effect on held
    balance_after    bigint        NOT NULL,
    amount           numeric(14,2),                    -- purchase amount (earn) or discount (redeem)
    reference        text,                             -- transaction, order, redemption or hold reference
    idempotency_key  text          NOT NULL,
    request_hash     text          NOT NULL,           -- what the first request asked, to refuse a different retry
    channel          text,
    reason           text,
    actor            text,
    shortfall        bigint        NOT NULL DEFAULT 0, -- reversal: points already spent that could not be taken back
    tier_after       text,
    tier_upgraded    boolean       NOT NULL DEFAULT false,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE UNIQUE INDEX loyalty_ledger_idempotency_uq ON loyalty_ledger (organization_id, idempotency_key);
CREATE INDEX loyalty_ledger_customer_idx ON loyalty_ledger (organization_id, customer_id, id);
CREATE INDEX loyalty_ledger_period_idx ON loyalty_ledger (organization_id, created_at);

-- Earned points still unspent, oldest first: what redemptions consume and expiry removes.
CREATE TABLE loyalty_lots (
    organization_id  uuid        NOT NULL,
    ledger_id        bigint      NOT NULL,
    customer_id      uuid        NOT NULL,
    points           bigint      NOT NULL CHECK (points > 0),
    remaining        bigint      NOT NULL CHECK (remaining >= 0 AND remaining <= points),
    earned_at        timestamptz NOT NULL,
    expires_at       timestamptz,
    PRIMARY KEY (organization_id, ledger_id),
    FOREIGN KEY (organization_id, ledger_id) REFERENCES loyalty_ledger (organization_id, id)
);
CREATE INDEX loyalty_lots_fifo_idx ON loyalty_lots (organization_id, customer_id, earned_at, ledger_id) WHERE remaining > 0;
CREATE INDEX loyalty_lots_expiry_idx ON loyalty_lots (expires_at) WHERE remaining > 0;

CREATE TABLE loyalty_holds (
    organization_id  uuid        NOT NULL,
    id               uuid        NOT NULL,
    customer_id      uuid        NOT NULL,
    points           bigint      NOT NULL CHECK (points > 0),
    reference        text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('open', 'captured', 'cancelled', 'expired')),
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX loyalty_holds_open_idx ON loyalty_holds (expires_at) WHERE status = 'open';

CREATE TABLE punch_card_programs (
    organization_id  uuid        NOT NULL,
    id               uuid        NOT NULL,
    name             text        NOT NULL,
    product_ids      text[]      NOT NULL DEFAULT '{}',
    category         text,
    stamps_required  integer     NOT NULL CHECK (stamps_required BETWEEN 2 AND 100),
    reward           text        NOT NULL,
    active           boolean     NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CHECK (cardinality(product_ids) > 0 OR category IS NOT NULL)
);

CREATE TABLE punch_cards (
    organization_id   uuid    NOT NULL,
    program_id        uuid    NOT NULL,
    customer_id       uuid    NOT NULL,
    stamps            integer NOT NULL DEFAULT 0 CHECK (stamps >= 0),
    rewards_available integer NOT NULL DEFAULT 0 CHECK (rewards_available >= 0),
    rewards_issued    integer NOT NULL DEFAULT 0,
    rewards_redeemed  integer NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, program_id, customer_id),
    FOREIGN KEY (organization_id, program_id) REFERENCES punch_card_programs (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);

CREATE TABLE punch_card_ledger (
    organization_id  uuid        NOT NULL,
    id               bigint      GENERATED ALWAYS AS IDENTITY,
    program_id       uuid        NOT NULL,
    customer_id      uuid        NOT NULL,
    entry_type       text        NOT NULL CHECK (entry_type IN ('stamp', 'reward_issued', 'reward_redeemed')),
    quantity         integer     NOT NULL,
    reference        text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX punch_card_ledger_uq ON punch_card_ledger (organization_id, program_id, customer_id, entry_type, reference);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['loyalty_programs', 'loyalty_accounts', 'loyalty_ledger', 'loyalty_lots', 'loyalty_holds',
                             'punch_card_programs', 'punch_cards', 'punch_card_ledger'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = current_tenant()) '
                       'WITH CHECK (organization_id = current_tenant())', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON loyalty_programs, loyalty_accounts, loyalty_lots, loyalty_holds,
    punch_card_programs, punch_cards TO ${app_role};
-- Ledgers are append-only for the service: a correction is a new entry.
GRANT SELECT, INSERT ON loyalty_ledger, punch_card_ledger TO ${app_role};

-- Which organizations have loyalty accounts: not tenant data (ids only), so the scheduled jobs
-- (expiry, hold expiry, tier review) can visit each tenant and then work inside its RLS scope.
CREATE TABLE loyalty_tenants (
    organization_id uuid PRIMARY KEY,
    first_seen      timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON loyalty_tenants TO ${app_role};
