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
ALTER TABLE loyalty_ledger DROP CONSTRAINT loyalty_ledger_entry_type_check;
ALTER TABLE loyalty_ledger ADD CONSTRAINT loyalty_ledger_entry_type_check
    CHECK (entry_type IN ('earn', 'redeem', 'hold', 'release', 'reverse', 'expire', 'adjust', 'available', 'refund'));
-- Returns of one purchase are summed under the account lock: the cumulative cap.
CREATE INDEX loyalty_ledger_reference_idx ON loyalty_ledger (organization_id, reference) WHERE entry_type IN ('reverse', 'redeem');

ALTER TABLE loyalty_lots ADD COLUMN pending_until timestamptz;
CREATE INDEX loyalty_lots_pending_idx ON loyalty_lots (organization_id, pending_until) WHERE pending_until IS NOT NULL;
