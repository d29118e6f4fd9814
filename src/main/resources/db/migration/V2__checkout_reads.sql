-- Single-statement, tenant-scoped reads for the POS checkout lookup.
-- PERF: the normal unit of work costs four statements (BEGIN, set_config, SELECT, COMMIT). These
-- functions set the tenant for their own statement's transaction and read in one round trip. They
-- run as the caller (SECURITY INVOKER), so Row-Level Security still applies to what they read.

CREATE FUNCTION checkout_customer(p_org uuid, p_id uuid)
    RETURNS SETOF customers
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('app.organization_id', p_org::text, true);
    RETURN QUERY SELECT * FROM customers c
                 WHERE c.organization_id = p_org AND c.id = p_id AND c.deleted_at IS NULL;
END $$;

-- p_kind is one of phone, email, document_number, loyalty_card; the value is already normalised.
-- A document number may be stored in more than one spelling, so it takes an array.
CREATE FUNCTION checkout_customer_by(p_org uuid, p_kind text, p_values text[])
    RETURNS SETOF customers
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('app.organization_id', p_org::text, true);
    IF p_kind = 'phone' THEN
        RETURN QUERY SELECT * FROM customers c WHERE c.organization_id = p_org AND c.phone = ANY (p_values) AND c.deleted_at IS NULL;
    ELSIF p_kind = 'email' THEN
        RETURN QUERY SELECT * FROM customers c WHERE c.organization_id = p_org AND c.email = ANY (p_values) AND c.deleted_at IS NULL;
    ELSIF p_kind = 'document_number' THEN
        RETURN QUERY SELECT * FROM customers c WHERE c.organization_id = p_org AND c.document_number = ANY (p_values)
                     AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1;
    ELSIF p_kind = 'loyalty_card' THEN
        RETURN QUERY SELECT * FROM customers c WHERE c.organization_id = p_org AND c.loyalty_card = ANY (p_values) AND c.deleted_at IS NULL;
    ELSE
        RAISE EXCEPTION 'unknown lookup kind %', p_kind USING ERRCODE = '22023';
    END IF;
END $$;

GRANT EXECUTE ON FUNCTION checkout_customer(uuid, uuid) TO ${app_role};
GRANT EXECUTE ON FUNCTION checkout_customer_by(uuid, text, text[]) TO ${app_role};
