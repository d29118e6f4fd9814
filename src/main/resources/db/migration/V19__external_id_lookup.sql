-- Lookups by the CRM's / ERP's id (LookupCustomer external_id, GET /customers/search?external_id=).
-- Not unique and not partial on deleted_at: the REST search may include deleted customers, and two
-- customers may carry one external id until an import (V17) says otherwise. IF NOT EXISTS with its
-- own name, so it sits beside a unique index on the same columns if one is added.
CREATE INDEX IF NOT EXISTS customers_external_id_lookup_idx ON customers (organization_id, external_id) WHERE external_id IS NOT NULL;
