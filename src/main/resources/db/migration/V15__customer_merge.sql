-- Duplicate candidates and customer merge (issue #17).
--
-- A merged customer keeps its row (ledgers and history point at it) with status 'merged', the
-- survivor in merged_into, and deleted_at set to the merge time: every "live customer" check
-- (deleted_at IS NULL) already leaves it out, and its natural keys no longer hold the UNIQUE
-- indexes. Its phone, email, document and card still find the survivor through merged_into.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- The name candidates' index leads with the organization (btree_gin), so one GIN scan answers
-- "similar names of this tenant" instead of a tenant-wide scan or every tenant's similar names.
-- Both extensions are trusted (PostgreSQL 13+) and ship with the embedded PostgreSQL binaries.
CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE customers DROP CONSTRAINT customers_status_check;
ALTER TABLE customers ADD CONSTRAINT customers_status_check CHECK (status IN ('active', 'blocked', 'deleted', 'merged'));
ALTER TABLE customers ADD COLUMN merged_into uuid;
ALTER TABLE customers ADD CONSTRAINT customers_merged_into_fk FOREIGN KEY (organization_id, merged_into) REFERENCES customers (organization_id, id);
ALTER TABLE customers ADD CONSTRAINT customers_merged_check
    CHECK ((status = 'merged') = (merged_into IS NOT NULL) AND (merged_into IS NULL OR (merged_into <> id AND deleted_at IS NOT NULL)));

-- Duplicate keys: what "the same" means beyond the exact natural key the UNIQUE indexes hold.
-- Email: lower case, the +tag dropped, and for Gmail (gmail.com / googlemail.com) the dots of the local part too.
CREATE FUNCTION duplicate_email_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT CASE WHEN split_part(lower($1), '@', 2) IN ('gmail.com', 'googlemail.com')
                      THEN replace(split_part(split_part(lower($1), '@', 1), '+', 1), '.', '') || '@gmail.com'
                      ELSE split_part(split_part(lower($1), '@', 1), '+', 1) || '@' || split_part(lower($1), '@', 2) END $$;
-- Phone: the last 8 digits (a Chilean mobile's number without its leading 9, whatever country code or trunk prefix was typed).
CREATE FUNCTION duplicate_phone_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT nullif(right(regexp_replace($1, '[^0-9]', '', 'g'), 8), '') $$;
-- Document: letters and digits only, upper case, leading zeros and the check digit dropped (a RUT
-- typed with a wrong check digit is still the same body), whatever the document type.
CREATE FUNCTION duplicate_document_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT nullif(left(ltrim(upper(regexp_replace($1, '[^0-9A-Za-z]', '', 'g')), '0'),
                            greatest(length(ltrim(upper(regexp_replace($1, '[^0-9A-Za-z]', '', 'g')), '0')) - 1, 0)), '') $$;
-- Card: letters and digits, upper case, leading zeros dropped.
CREATE FUNCTION duplicate_card_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT nullif(ltrim(upper(regexp_replace($1, '[^0-9A-Za-z]', '', 'g')), '0'), '') $$;

ALTER TABLE customers ADD COLUMN email_key text GENERATED ALWAYS AS (duplicate_email_key(email)) STORED;
ALTER TABLE customers ADD COLUMN phone_key text GENERATED ALWAYS AS (duplicate_phone_key(phone)) STORED;
ALTER TABLE customers ADD COLUMN document_key text GENERATED ALWAYS AS (duplicate_document_key(document_number)) STORED;
ALTER TABLE customers ADD COLUMN card_key text GENERATED ALWAYS AS (duplicate_card_key(loyalty_card)) STORED;
CREATE INDEX customers_email_key_idx ON customers (organization_id, email_key) WHERE email_key IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX customers_phone_key_idx ON customers (organization_id, phone_key) WHERE phone_key IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX customers_document_key_idx ON customers (organization_id, document_key) WHERE document_key IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX customers_card_key_idx ON customers (organization_id, card_key) WHERE card_key IS NOT NULL AND deleted_at IS NULL;

CREATE INDEX customers_org_name_trgm ON customers USING gin (organization_id, search_name gin_trgm_ops) WHERE deleted_at IS NULL;

-- A merged customer's keys find its survivor (lookups fall back here when no live customer has the key).
CREATE INDEX customers_merged_phone_idx ON customers (organization_id, phone) WHERE status = 'merged' AND phone IS NOT NULL;
CREATE INDEX customers_merged_email_idx ON customers (organization_id, email) WHERE status = 'merged' AND email IS NOT NULL;
CREATE INDEX customers_merged_card_idx ON customers (organization_id, loyalty_card) WHERE status = 'merged' AND loyalty_card IS NOT NULL;
CREATE INDEX customers_merged_into_idx ON customers (organization_id, merged_into) WHERE merged_into IS NOT NULL;

-- "Same address": line 1 and city, lower case and accent-free, punctuation and runs of spaces as one space.
ALTER TABLE customer_addresses ADD COLUMN address_key text GENERATED ALWAYS AS (
    btrim(regexp_replace(search_text(line1 || ' ' || coalesce(city, '')), '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX customer_addresses_key_idx ON customer_addresses (organization_id, address_key);

-- One row per merged customer: who merged it into whom, when, and what moved (the replay of a
-- repeated request). Append-only.
CREATE TABLE customer_merges (
    organization_id uuid        NOT NULL,
    merged_id       uuid        NOT NULL,
    survivor_id     uuid        NOT NULL,
    actor           text        NOT NULL,
    correlation_id  text,
    result          jsonb       NOT NULL,
    merged_at       timestamptz NOT NULL,
    PRIMARY KEY (organization_id, merged_id),
    CHECK (merged_id <> survivor_id),
    FOREIGN KEY (organization_id, merged_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, survivor_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX customer_merges_survivor_idx ON customer_merges (organization_id, survivor_id);
ALTER TABLE customer_merges ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_merges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_merges USING (organization_id = current_tenant())
    WITH CHECK (organization_id = current_tenant());
GRANT SELECT, INSERT ON customer_merges TO ${app_role};
GRANT EXECUTE ON FUNCTION duplicate_email_key(text), duplicate_phone_key(text), duplicate_document_key(text),
    duplicate_card_key(text) TO ${app_role};

-- Loyalty: the two sides of a merge are ledger rows of their own kinds (never qualifying points);
-- the merged account is closed (merged_into), so a points operation that waited for its lock
-- during the merge is refused instead of landing on it; the survivor's qualifying points and
-- ledger read include the accounts merged into it (loyalty_account_links, flattened: a chain of
-- merges lists every account once under the last survivor).
ALTER TABLE loyalty_ledger DROP CONSTRAINT loyalty_ledger_entry_type_check;
ALTER TABLE loyalty_ledger ADD CONSTRAINT loyalty_ledger_entry_type_check
    CHECK (entry_type IN ('earn', 'redeem', 'hold', 'release', 'reverse', 'expire', 'adjust', 'transfer_out', 'transfer_in',
                          'available', 'refund', 'merge_out', 'merge_in'));
ALTER TABLE loyalty_ledger ADD CONSTRAINT loyalty_ledger_merge_sign_check
    CHECK ((entry_type <> 'merge_out' OR (points <= 0 AND held_delta <= 0 AND pending_delta <= 0))
       AND (entry_type <> 'merge_in' OR (points >= 0 AND held_delta >= 0 AND pending_delta >= 0)));
ALTER TABLE loyalty_accounts ADD COLUMN merged_into uuid;

CREATE TABLE loyalty_account_links (
    organization_id uuid NOT NULL,
    customer_id     uuid NOT NULL,
    linked_id       uuid NOT NULL,
    PRIMARY KEY (organization_id, customer_id, linked_id),
    CHECK (customer_id <> linked_id)
);
ALTER TABLE loyalty_account_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE loyalty_account_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON loyalty_account_links USING (organization_id = current_tenant())
    WITH CHECK (organization_id = current_tenant());
-- A chain of merges re-points the links of a merged survivor to the next one.
GRANT SELECT, INSERT, DELETE ON loyalty_account_links TO ${app_role};

-- Segmentation: a merged customer's purchases (and their items) move to the survivor, whose
-- statistics are then recomputed from them. Only customer_id may change.
GRANT UPDATE (customer_id) ON purchases, purchase_items TO ${app_role};
