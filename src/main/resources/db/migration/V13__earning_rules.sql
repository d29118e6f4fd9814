-- Earning rules (issue #16): promotions as data, per organization. A rule matches items (product ids
-- and/or categories) or the whole purchase, within dates, a weekly window in the organization's time
-- zone and tiers; it multiplies the matching amount's points or adds fixed points, up to a cap per
-- customer and day / week / month.

ALTER TABLE loyalty_programs ADD COLUMN time_zone text NOT NULL DEFAULT 'America/Santiago';

CREATE TABLE loyalty_earning_rules (
    organization_id uuid          NOT NULL,
    id              uuid          NOT NULL,
    name            text          NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    active          boolean       NOT NULL DEFAULT true,
    product_ids     text[]        NOT NULL DEFAULT '{}',
    categories      text[]        NOT NULL DEFAULT '{}',
    min_amount      numeric(14,2) CHECK (min_amount IS NULL OR min_amount >= 0),
    valid_from      date,
    valid_to        date,
    -- ISO day numbers, 1 = Monday … 7 = Sunday; empty: every day.
    days            integer[]     NOT NULL DEFAULT '{}',
    time_from       time,
    time_to         time,
    tiers           text[]        NOT NULL DEFAULT '{}',
    multiplier      numeric(8,4)  CHECK (multiplier IS NULL OR multiplier > 1),
    bonus_points    bigint        CHECK (bonus_points IS NULL OR bonus_points > 0),
    cap_points      bigint        CHECK (cap_points IS NULL OR cap_points > 0),
    cap_period      text          CHECK (cap_period IS NULL OR cap_period IN ('day', 'week', 'month')),
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    updated_by      text,
    PRIMARY KEY (organization_id, id),
    CHECK ((multiplier IS NULL) <> (bonus_points IS NULL)),
    CHECK ((cap_points IS NULL) = (cap_period IS NULL)),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to),
    CHECK ((time_from IS NULL) = (time_to IS NULL) AND (time_from IS NULL OR time_from < time_to))
);

-- What each rule gave on each earn: the answer's applied_rules, the caps' count, and what a return
-- could take back per rule. Append-only like the ledger it points to.
CREATE TABLE loyalty_rule_applications (
    organization_id uuid        NOT NULL,
    ledger_id       bigint      NOT NULL,
    rule_id         uuid        NOT NULL,
    customer_id     uuid        NOT NULL,
    name            text        NOT NULL,
    points          bigint      NOT NULL CHECK (points >= 0),
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (organization_id, ledger_id, rule_id)
);
-- Caps sum one customer's points from one rule since the period's start.
CREATE INDEX loyalty_rule_applications_cap_idx ON loyalty_rule_applications (organization_id, customer_id, rule_id, created_at);

ALTER TABLE loyalty_earning_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE loyalty_earning_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON loyalty_earning_rules USING (organization_id = current_tenant())
    WITH CHECK (organization_id = current_tenant());
ALTER TABLE loyalty_rule_applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE loyalty_rule_applications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON loyalty_rule_applications USING (organization_id = current_tenant())
    WITH CHECK (organization_id = current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON loyalty_earning_rules TO ${app_role};
GRANT SELECT, INSERT ON loyalty_rule_applications TO ${app_role};
