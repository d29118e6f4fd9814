-- Points transfers between customers of one organization, and the expiring-points notice (issue #16).

-- The two sides of a transfer are ledger rows of their own kinds, so reports and the tier's
-- qualifying points (earn and reverse only) never mistake a transfer for an earn or a redemption.
ALTER TABLE loyalty_ledger DROP CONSTRAINT loyalty_ledger_entry_type_check;
ALTER TABLE loyalty_ledger ADD CONSTRAINT loyalty_ledger_entry_type_check
    CHECK (entry_type IN ('earn', 'redeem', 'hold', 'release', 'reverse', 'expire', 'adjust', 'transfer_out', 'transfer_in'));
ALTER TABLE loyalty_ledger ADD CONSTRAINT loyalty_ledger_transfer_sign_check
    CHECK ((entry_type <> 'transfer_out' OR (points < 0 AND held_delta = 0))
       AND (entry_type <> 'transfer_in' OR (points > 0 AND held_delta = 0)));

-- A transfer_in row brings one lot per sender lot it drew from (each keeps its expiry date), so a
-- lot is no longer named by its ledger row alone: lots get their own id.
ALTER TABLE loyalty_lots ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE loyalty_lots DROP CONSTRAINT loyalty_lots_pkey;
ALTER TABLE loyalty_lots ADD PRIMARY KEY (organization_id, id);
CREATE INDEX loyalty_lots_ledger_idx ON loyalty_lots (organization_id, ledger_id);
-- The sender's lot a transferred lot came from (null: earned or adjusted here).
ALTER TABLE loyalty_lots ADD COLUMN transferred_from bigint;
-- When loyalty.points.expiring was published for this lot: set once, under the row lock, so a
-- rerun, a second node or a restart never publishes it again.
ALTER TABLE loyalty_lots ADD COLUMN expiring_notified_at timestamptz;
CREATE INDEX loyalty_lots_expiring_idx ON loyalty_lots (organization_id, expires_at)
    WHERE remaining > 0 AND expiring_notified_at IS NULL;

ALTER TABLE loyalty_programs ADD COLUMN transfers_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE loyalty_programs ADD COLUMN max_transfer_points bigint
    CHECK (max_transfer_points IS NULL OR max_transfer_points > 0);
ALTER TABLE loyalty_programs ADD COLUMN expiring_notice_days integer NOT NULL DEFAULT 30
    CHECK (expiring_notice_days BETWEEN 0 AND 365);

-- One row per transfer: who moved how many points from whom to whom, why, under which request
-- (correlation id), and its two ledger rows. Append-only like the ledger.
CREATE TABLE loyalty_transfers (
    organization_id   uuid        NOT NULL,
    transfer_id       text        NOT NULL,
    from_customer_id  uuid        NOT NULL,
    to_customer_id    uuid        NOT NULL,
    points            bigint      NOT NULL CHECK (points > 0),
    reason            text,
    actor             text        NOT NULL,
    correlation_id    text,
    out_ledger_id     bigint      NOT NULL,
    in_ledger_id      bigint      NOT NULL,
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (organization_id, transfer_id),
    CHECK (from_customer_id <> to_customer_id),
    FOREIGN KEY (organization_id, from_customer_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, to_customer_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, out_ledger_id) REFERENCES loyalty_ledger (organization_id, id),
    FOREIGN KEY (organization_id, in_ledger_id) REFERENCES loyalty_ledger (organization_id, id)
);
ALTER TABLE loyalty_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE loyalty_transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON loyalty_transfers USING (organization_id = current_tenant())
    WITH CHECK (organization_id = current_tenant());
GRANT SELECT, INSERT ON loyalty_transfers TO ${app_role};
