-- Lookups by the CRM's / ERP's id (LookupCustomer external_id, GET /customers/search?external_id=).
-- Not unique and not partial on deleted_at: the REST search may include deleted customers (a unique
-- index on live customers, such as the import's, cannot serve that). IF NOT EXISTS with its own
-- name, so it sits beside such an index.
CREATE INDEX IF NOT EXISTS customers_external_id_lookup_idx ON customers (organization_id, external_id) WHERE external_id IS NOT NULL;
