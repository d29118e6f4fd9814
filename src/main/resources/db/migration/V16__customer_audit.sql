-- Audit of every change to a customer's profile, addresses and preferences, and the history of
-- every marketing consent given or withdrawn (issue #17). Row triggers write both, so every write
-- path (REST, gRPC, consumers, import, merge, a hand-run UPDATE) is covered without its code
-- knowing. Who and why come from the transaction's settings, set by Db.withTenant together with
-- the tenant: app.actor ("user:<id>", "event:<consumer>", "job:<name>") and app.correlation_id.

-- Changed columns only: before holds their old values, after their new ones (a created row has
-- only after, a deleted row only before). Append-only for the service: its role may only read;
-- the trigger functions below write as the owner.
CREATE TABLE customer_audit (
    organization_id uuid        NOT NULL,
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    customer_id     uuid        NOT NULL,
    entity          text        NOT NULL CHECK (entity IN ('customer', 'address', 'preferences')),
    entity_id       uuid        NOT NULL,
    action          text        NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    before          jsonb       NOT NULL,
    after           jsonb       NOT NULL,
    actor           text        NOT NULL,
    correlation_id  text,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    -- Set when the customer was erased: personal values in before/after were replaced by "[erased]".
    redacted_at     timestamptz,
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX customer_audit_customer_idx ON customer_audit (organization_id, customer_id, id);

-- One row per grant or withdrawal of a channel's marketing consent (customer_preferences keeps
-- only the latest value per channel). Holds no personal data, so an erasure keeps it: it is the
-- evidence of what the customer had agreed to, and when.
CREATE TABLE customer_consent_history (
    organization_id uuid        NOT NULL,
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    customer_id     uuid        NOT NULL,
    channel         text        NOT NULL,
    granted         boolean     NOT NULL,
    occurred_at     timestamptz NOT NULL,
    actor           text        NOT NULL,
    correlation_id  text,
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX customer_consent_history_customer_idx ON customer_consent_history (organization_id, customer_id, id);

ALTER TABLE customer_audit           ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_audit           FORCE ROW LEVEL SECURITY;
ALTER TABLE customer_consent_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_consent_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_audit USING (organization_id = current_tenant())
    WITH CHECK (organization_id = current_tenant());
CREATE POLICY tenant_isolation ON customer_consent_history USING (organization_id = current_tenant())
    WITH CHECK (organization_id = current_tenant());

GRANT SELECT ON customer_audit, customer_consent_history TO ${app_role};

-- Who is acting: the service's setting, else (a change made outside the service) the database role.
CREATE FUNCTION audit_actor() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('app.actor', true), ''), 'db:' || session_user) $$;

-- The personal values an erasure removes from a customer row (CustomerRepository.ERASE): the audit
-- of an erased customer keeps which fields changed, when and by whom, not the values.
CREATE FUNCTION audit_erased_fields() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['first_name', 'last_name', 'legal_name', 'trade_name', 'email', 'phone', 'document_type',
                       'document_number', 'birthdate', 'loyalty_card', 'notes'] $$;

-- values with every non-null value of the named keys (all keys when keys is null) replaced by "[erased]".
CREATE FUNCTION audit_redact(vals jsonb, keys text[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(jsonb_object_agg(key, CASE WHEN (keys IS NULL OR key = ANY (keys)) AND value <> 'null'::jsonb
                                                      THEN '"[erased]"'::jsonb ELSE value END), '{}'::jsonb)
          FROM jsonb_each(vals) $$;

CREATE FUNCTION customer_audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${flyway:defaultSchema}, pg_temp
    AS $$
DECLARE
    entity     text := TG_ARGV[0];
    -- Bookkeeping columns, not changes: the row's own keys, its clock and version, a generated column.
    ignored    text[] := ARRAY['organization_id', 'id', 'created_at', 'updated_at', 'version', 'search_name'];
    old_row    jsonb;
    new_row    jsonb;
    before_v   jsonb := '{}';
    after_v    jsonb := '{}';
    row_action text;
    row_data   jsonb;
    customer   uuid;
    subject    uuid;
    erased     boolean := false;
BEGIN
    IF TG_OP = 'INSERT' THEN
        new_row := to_jsonb(NEW);
        row_data := new_row;
        row_action := 'created';
        after_v := jsonb_strip_nulls(new_row) - ignored - 'customer_id';
    ELSIF TG_OP = 'DELETE' THEN
        old_row := to_jsonb(OLD);
        row_data := old_row;
        row_action := 'deleted';
        before_v := jsonb_strip_nulls(old_row) - ignored - 'customer_id';
    ELSE
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        row_data := new_row;
        row_action := 'updated';
        SELECT coalesce(jsonb_object_agg(o.key, o.value), '{}'), coalesce(jsonb_object_agg(o.key, n.value), '{}')
          INTO before_v, after_v
          FROM jsonb_each(old_row) o JOIN jsonb_each(new_row) n ON n.key = o.key
         WHERE o.value IS DISTINCT FROM n.value AND NOT (o.key = ANY (ignored));
        IF before_v = '{}'::jsonb THEN
            RETURN NULL;
        END IF;
    END IF;

    IF entity = 'customer' THEN
        customer := (row_data->>'id')::uuid;
        subject := customer;
        erased := row_data->>'erased_at' IS NOT NULL;
        IF erased THEN
            before_v := audit_redact(before_v, audit_erased_fields());
            after_v := audit_redact(after_v, audit_erased_fields());
        END IF;
    ELSE
        customer := (row_data->>'customer_id')::uuid;
        subject := CASE WHEN entity = 'address' THEN (row_data->>'id')::uuid ELSE customer END;
    END IF;

    INSERT INTO customer_audit (organization_id, customer_id, entity, entity_id, action, before, after, actor, correlation_id, redacted_at)
    VALUES ((row_data->>'organization_id')::uuid, customer, entity, subject, row_action, before_v, after_v, audit_actor(),
            nullif(current_setting('app.correlation_id', true), ''), CASE WHEN erased THEN now() END);
    -- Moved to another customer (a merge): the customer it left sees the change too.
    IF TG_OP = 'UPDATE' AND entity <> 'customer' AND old_row->>'customer_id' <> new_row->>'customer_id' THEN
        INSERT INTO customer_audit (organization_id, customer_id, entity, entity_id, action, before, after, actor, correlation_id)
        VALUES ((old_row->>'organization_id')::uuid, (old_row->>'customer_id')::uuid, entity, subject, row_action, before_v, after_v,
                audit_actor(), nullif(current_setting('app.correlation_id', true), ''));
    END IF;

    -- Erasure: what was recorded before about this customer loses its personal values too. Addresses
    -- and preferences are deleted by the erasure, so all of their values go.
    IF erased AND (TG_OP = 'INSERT' OR old_row->>'erased_at' IS NULL) THEN
        UPDATE customer_audit
           SET before = audit_redact(before, CASE WHEN customer_audit.entity = 'customer' THEN audit_erased_fields() END),
               after = audit_redact(after, CASE WHEN customer_audit.entity = 'customer' THEN audit_erased_fields() END),
               redacted_at = now()
         WHERE organization_id = (row_data->>'organization_id')::uuid AND customer_id = customer AND redacted_at IS NULL;
    END IF;
    RETURN NULL;
END $$;

-- A row per channel whose granted value changed; a channel that disappears, or preferences deleted
-- (an erasure), withdraw what was granted.
CREATE FUNCTION customer_consent_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${flyway:defaultSchema}, pg_temp
    AS $$
DECLARE
    old_c jsonb := CASE WHEN TG_OP <> 'INSERT' THEN OLD.marketing_consent ELSE '{}' END;
    new_c jsonb := CASE WHEN TG_OP <> 'DELETE' THEN NEW.marketing_consent ELSE '{}' END;
    org   uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
    cust  uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.customer_id ELSE NEW.customer_id END;
BEGIN
    IF TG_OP = 'UPDATE' AND old_c = new_c THEN
        RETURN NULL;
    END IF;
    INSERT INTO customer_consent_history (organization_id, customer_id, channel, granted, occurred_at, actor, correlation_id)
    SELECT org, cust, ch, g, at, audit_actor(), nullif(current_setting('app.correlation_id', true), '')
      FROM (
        SELECT n.key AS ch, (n.value->>'granted')::boolean AS g,
               coalesce((n.value->>'updated_at')::timestamptz, now()) AS at
          FROM jsonb_each(new_c) n
         WHERE (old_c->n.key->'granted') IS DISTINCT FROM (n.value->'granted') AND n.value->>'granted' IS NOT NULL
        UNION ALL
        SELECT o.key, false, now()
          FROM jsonb_each(old_c) o
         WHERE NOT new_c ? o.key AND (o.value->>'granted')::boolean
      ) changed
     ORDER BY ch;
    RETURN NULL;
END $$;

CREATE TRIGGER customer_audit AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_audit_row('customer');
CREATE TRIGGER customer_audit AFTER INSERT OR UPDATE OR DELETE ON customer_addresses
    FOR EACH ROW EXECUTE FUNCTION customer_audit_row('address');
CREATE TRIGGER customer_audit AFTER INSERT OR UPDATE OR DELETE ON customer_preferences
    FOR EACH ROW EXECUTE FUNCTION customer_audit_row('preferences');
CREATE TRIGGER customer_consent AFTER INSERT OR UPDATE OR DELETE ON customer_preferences
    FOR EACH ROW EXECUTE FUNCTION customer_consent_row();

REVOKE ALL ON FUNCTION customer_audit_row() FROM PUBLIC;
REVOKE ALL ON FUNCTION customer_consent_row() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_actor(), audit_erased_fields(), audit_redact(jsonb, text[]) TO ${app_role};
