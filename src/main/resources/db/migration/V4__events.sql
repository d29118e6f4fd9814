-- Delivery of the outbox to RabbitMQ, and the inbox that makes consumed messages count once.

-- The relay publishes every organization's events: inside its own transactions it sets
-- app.outbox_relay, which this policy honours. Only the outbox has such a policy.
CREATE POLICY outbox_relay ON outbox
    USING (current_setting('app.outbox_relay', true) = 'on')
    WITH CHECK (current_setting('app.outbox_relay', true) = 'on');
GRANT DELETE ON outbox TO ${app_role};

-- Wake the relay when events commit (NOTIFY is delivered at commit), without an extra round trip per write.
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('customer_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE inbox (
    organization_id uuid        NOT NULL,
    consumer        text        NOT NULL,
    message_id      text        NOT NULL,
    event_type      text,
    processed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, consumer, message_id)
);
ALTER TABLE inbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inbox USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());
GRANT SELECT, INSERT ON inbox TO ${app_role};
