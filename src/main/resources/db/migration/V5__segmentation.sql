-- Purchase history, per-customer statistics kept up to date on every purchase, and RFM segments.

CREATE TABLE purchases (
    organization_id uuid          NOT NULL,
    id              bigint        GENERATED ALWAYS AS IDENTITY,
    customer_id     uuid          NOT NULL,
    source          text          NOT NULL CHECK (source IN ('order', 'pos', 'api', 'backfill')),
    -- "order:<id>" or "pos:<id>": the same order from the consumer and from a backfill counts once.
    reference       text          NOT NULL,
    amount          numeric(14,2) NOT NULL CHECK (amount >= 0),
    occurred_at     timestamptz   NOT NULL,
    local_id        text,
    item_count      integer       CHECK (item_count IS NULL OR item_count >= 0),
    recorded_at     timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, reference),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX purchases_customer_idx ON purchases (organization_id, customer_id, occurred_at DESC, id DESC);
CREATE INDEX purchases_period_idx ON purchases (organization_id, occurred_at);

CREATE TABLE customer_stats (
    organization_id     uuid          NOT NULL,
    customer_id         uuid          NOT NULL,
    purchase_count      integer       NOT NULL DEFAULT 0,
    total_spent         numeric(16,2) NOT NULL DEFAULT 0,
    first_purchase_at   timestamptz,
    last_purchase_at    timestamptz,
    pos_count           integer       NOT NULL DEFAULT 0,
    order_count         integer       NOT NULL DEFAULT 0,
    recency_score       integer       NOT NULL DEFAULT 0 CHECK (recency_score BETWEEN 0 AND 5),
    frequency_score     integer       NOT NULL DEFAULT 0 CHECK (frequency_score BETWEEN 0 AND 5),
    monetary_score      integer       NOT NULL DEFAULT 0 CHECK (monetary_score BETWEEN 0 AND 5),
    segment             text          NOT NULL DEFAULT 'none',
    vip                 boolean       NOT NULL DEFAULT false,
    churn_risk          text          NOT NULL DEFAULT 'low' CHECK (churn_risk IN ('low', 'medium', 'high')),
    scored_at           timestamptz,
    PRIMARY KEY (organization_id, customer_id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX customer_stats_segment_idx ON customer_stats (organization_id, segment, customer_id);

-- Where the organization's quintiles started at the last batch, so one customer can be rescored alone:
-- each bound is the (value, customer id) that opens quintile 2..5, as ntile split them.
CREATE TABLE rfm_boundaries (
    organization_id uuid        PRIMARY KEY,
    window_days     integer     NOT NULL,
    recency_bounds  jsonb       NOT NULL,
    frequency_bounds jsonb      NOT NULL,
    monetary_bounds jsonb       NOT NULL,
    vip_bound       jsonb,
    scored          integer     NOT NULL,
    computed_at     timestamptz NOT NULL
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['purchases', 'customer_stats', 'rfm_boundaries'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = current_tenant()) '
                       'WITH CHECK (organization_id = current_tenant())', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT ON purchases TO ${app_role};
GRANT SELECT, INSERT, UPDATE ON customer_stats, rfm_boundaries TO ${app_role};

CREATE TABLE segmentation_tenants (
    organization_id uuid PRIMARY KEY,
    first_seen      timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON segmentation_tenants TO ${app_role};
