-- Ledger hardening (issue #12, defects 9, 10, 13).
--
-- The credit ledger's order is the order the line lock granted: every entry takes the next number
-- of its line (credit_lines.entries) while the line row is locked, and its time never goes back
-- from the line's previous entry. A timestamp read before the lock cannot order a statement.

ALTER TABLE credit_lines ADD COLUMN entries bigint NOT NULL DEFAULT 0 CHECK (entries >= 0);
ALTER TABLE credit_lines ADD COLUMN last_entry_at timestamptz;
ALTER TABLE credit_ledger ADD COLUMN line_seq bigint;

-- The backfill reads every tenant's rows: RLS is forced on the owner too, so lift it for these
-- statements only (the whole migration is one transaction; nothing else sees the gap).
ALTER TABLE credit_ledger NO FORCE ROW LEVEL SECURITY;
ALTER TABLE credit_lines NO FORCE ROW LEVEL SECURITY;

-- Existing rows were written under the line lock, and their identity values were drawn there.
UPDATE credit_ledger l SET line_seq = s.n
FROM (SELECT organization_id, id, row_number() OVER (PARTITION BY organization_id, customer_id ORDER BY id) AS n
      FROM credit_ledger) s
WHERE l.organization_id = s.organization_id AND l.id = s.id;

UPDATE credit_lines c SET entries = s.n, last_entry_at = s.last_at
FROM (SELECT organization_id, customer_id, count(*) AS n, max(created_at) AS last_at FROM credit_ledger
      GROUP BY organization_id, customer_id) s
WHERE c.organization_id = s.organization_id AND c.customer_id = s.customer_id;

ALTER TABLE credit_ledger FORCE ROW LEVEL SECURITY;
ALTER TABLE credit_lines FORCE ROW LEVEL SECURITY;

ALTER TABLE credit_ledger ALTER COLUMN line_seq SET NOT NULL;
CREATE UNIQUE INDEX credit_ledger_line_seq_uq ON credit_ledger (organization_id, customer_id, line_seq);

-- A punch-card reward reference is the POS sale that used it: one customer's, once per program.
-- (Stamps are keyed by the earn's transaction id, which the points ledger already binds to one customer.)
CREATE UNIQUE INDEX punch_card_reward_reference_uq ON punch_card_ledger (organization_id, program_id, reference)
    WHERE entry_type = 'reward_redeemed';
