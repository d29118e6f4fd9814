-- Every loyalty ledger entry type in one CHECK: V2's, transfers' (V12) and returns' (V11: 'available'
-- when pending points become spendable, 'refund' when points spent on a cancelled order come back).
ALTER TABLE loyalty_ledger DROP CONSTRAINT loyalty_ledger_entry_type_check;
ALTER TABLE loyalty_ledger ADD CONSTRAINT loyalty_ledger_entry_type_check
    CHECK (entry_type IN ('earn', 'redeem', 'hold', 'release', 'reverse', 'expire', 'adjust', 'transfer_out', 'transfer_in',
                          'available', 'refund'));
