-- Returns and pending points (issue #16).
--
-- Pending points are part of the balance but not spendable: balance = available + held + pending,
-- so the CHECK becomes held + pending <= balance. pending = sum of the ledger's pending_delta, as
-- held = sum of held_delta. A pending earn's lot carries pending_until; redemptions and expiry skip
-- it until the release job clears it (an 'available' ledger row: 0 points, pending_delta < 0).
-- A refund gives back points spent on a cancelled order or voided sale ('refund', key unredeem:<reference>).

ALTER TABLE loyalty_programs ADD COLUMN pending_days integer NOT NULL DEFAULT 0 CHECK (pending_days BETWEEN 0 AND 365);

ALTER TABLE loyalty_accounts ADD COLUMN pending bigint NOT NULL DEFAULT 0 CHECK (pending >= 0);
ALTER TABLE loyalty_accounts ADD CONSTRAINT loyalty_accounts_held_pending_check CHECK (held + pending <= balance);

ALTER TABLE loyalty_ledger ADD COLUMN pending_delta bigint NOT NULL DEFAULT 0; -- effect on pending
-- The entry types 'available' and 'refund' are added by V14 (V12 re-creates the type CHECK for transfers).
-- Returns of one purchase are summed under the account lock: the cumulative cap.
CREATE INDEX loyalty_ledger_reference_idx ON loyalty_ledger (organization_id, reference) WHERE entry_type IN ('reverse', 'redeem');

ALTER TABLE loyalty_lots ADD COLUMN pending_until timestamptz;
CREATE INDEX loyalty_lots_pending_idx ON loyalty_lots (organization_id, pending_until) WHERE pending_until IS NOT NULL;

-- The lines of an earn (product or variant id and quantity), so a return by item can be checked
-- against what was bought, and what each return gave back of them.
CREATE TABLE loyalty_earn_items (
    organization_id  uuid    NOT NULL,
    earn_id          bigint  NOT NULL,
    line_key         text    NOT NULL,  -- product_id, or variant_id when the line has no product id
    quantity         integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (organization_id, earn_id, line_key),
    FOREIGN KEY (organization_id, earn_id) REFERENCES loyalty_ledger (organization_id, id)
);

CREATE TABLE loyalty_returned_items (
    organization_id  uuid    NOT NULL,
    reverse_id       bigint  NOT NULL,
    earn_id          bigint  NOT NULL,
    line_key         text    NOT NULL,
    quantity         integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (organization_id, reverse_id, line_key),
    FOREIGN KEY (organization_id, reverse_id) REFERENCES loyalty_ledger (organization_id, id),
    FOREIGN KEY (organization_id, earn_id) REFERENCES loyalty_ledger (organization_id, id)
);
CREATE INDEX loyalty_returned_items_earn_idx ON loyalty_returned_items (organization_id, earn_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['loyalty_earn_items', 'loyalty_returned_items'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = current_tenant()) '
                       'WITH CHECK (organization_id = current_tenant())', t);
    END LOOP;
END $$;
-- Append-only, like the ledger they belong to.
GRANT SELECT, INSERT ON loyalty_earn_items, loyalty_returned_items TO ${app_role};
