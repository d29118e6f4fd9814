-- Bulk customer import (issue #17): an import row per upload with its progress, the rows it
-- rejected and why, and the one natural key an import matches customers on: external_id.

-- Re-importing a file updates the customers it created: external_id is unique per organization
-- among customers that are not deleted, like the other natural keys (V1). Existing duplicates
-- would make the index fail with an opaque message; name them instead. RLS is forced on the owner
-- too, so it is lifted for this one check (the migration is one transaction).
ALTER TABLE customers NO FORCE ROW LEVEL SECURITY;
DO $$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM (
        SELECT 1 FROM customers WHERE external_id IS NOT NULL AND deleted_at IS NULL
        GROUP BY organization_id, external_id HAVING count(*) > 1) d;
    IF n > 0 THEN
        RAISE EXCEPTION 'customers: % external_id values are shared by more than one live customer of an organization; '
            'give them distinct external_id values (or clear them) before migrating to V17', n;
    END IF;
END $$;
ALTER TABLE customers FORCE ROW LEVEL SECURITY;

CREATE UNIQUE INDEX customers_external_id_uq ON customers (organization_id, external_id)
    WHERE external_id IS NOT NULL AND deleted_at IS NULL;

-- rows_read is the last row committed together with its customers, points and rejections: the
-- point an interrupted import resumes from, exactly.
CREATE TABLE customer_imports (
    organization_id uuid        NOT NULL,
    id              uuid        NOT NULL,
    format          text        NOT NULL CHECK (format IN ('csv', 'ndjson')),
    status          text        NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    file_name       text        NOT NULL,
    bytes_total     bigint      NOT NULL CHECK (bytes_total >= 0),
    bytes_read      bigint      NOT NULL DEFAULT 0 CHECK (bytes_read >= 0),
    rows_read       bigint      NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    created         bigint      NOT NULL DEFAULT 0 CHECK (created >= 0),
    updated         bigint      NOT NULL DEFAULT 0 CHECK (updated >= 0),
    unchanged       bigint      NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    rejected        bigint      NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    opening_points  bigint      NOT NULL DEFAULT 0 CHECK (opening_points >= 0),
    error           text,
    actor           text,
    correlation_id  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    PRIMARY KEY (organization_id, id),
    CHECK (rows_read = created + updated + unchanged + rejected)
);

CREATE TABLE customer_import_rejections (
    organization_id uuid   NOT NULL,
    import_id       uuid   NOT NULL,
    row_number      bigint NOT NULL,
    external_id     text,
    field           text,
    reason          text   NOT NULL,
    PRIMARY KEY (organization_id, import_id, row_number),
    FOREIGN KEY (organization_id, import_id) REFERENCES customer_imports (organization_id, id)
);

ALTER TABLE customer_imports           ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_imports           FORCE ROW LEVEL SECURITY;
ALTER TABLE customer_import_rejections ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_import_rejections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_imports
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());
CREATE POLICY tenant_isolation ON customer_import_rejections
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());

-- Which imports still run: not tenant data (ids only), so any node can find an import whose node
-- died and resume it under the import's lease, then work inside the organization's RLS scope.
CREATE TABLE customer_import_queue (
    import_id       uuid        PRIMARY KEY,
    organization_id uuid        NOT NULL,
    queued_at       timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE ON customer_imports TO ${app_role};
GRANT SELECT, INSERT ON customer_import_rejections TO ${app_role};
GRANT SELECT, INSERT, DELETE ON customer_import_queue TO ${app_role};
