-- HTTP webhooks (issue #17): an organization's subscriptions, and one delivery row per (subscription,
-- event) written by a trigger on the outbox, in the transaction that records the event. So a webhook
-- delivery can no more be lost than the event itself, whatever the relay, the broker or the
-- dispatcher do, and the outbox keeps its own retention (its rows are pruned after publishing).

CREATE TABLE webhook_subscriptions (
    organization_id   uuid        NOT NULL,
    id                uuid        NOT NULL,
    url               text        NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    event_types       text[]      NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 100),
    -- The HMAC key: needed in clear to sign, never returned by the API after creation.
    secret            text        NOT NULL CHECK (length(secret) BETWEEN 24 AND 200),
    description       text        CHECK (length(description) <= 500),
    -- false: deliveries are still recorded but held until the subscription is enabled again.
    enabled           boolean     NOT NULL DEFAULT true,
    -- Set by the dispatcher while this endpoint's circuit breaker is open (operators see it in the API).
    circuit_opened_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);

CREATE TABLE webhook_deliveries (
    organization_id uuid        NOT NULL,
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    subscription_id uuid        NOT NULL,
    -- The outbox sequence: a customer's deliveries go out in this order, as its events do on RabbitMQ.
    outbox_id       bigint      NOT NULL,
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    -- The FIFO a delivery waits in: the event's aggregate (the customer), or the event alone when it has none.
    ordering_key    uuid        NOT NULL,
    payload         jsonb       NOT NULL,
    -- discarded: a dead letter an admin gave up on; kept in the log, no longer holding the customer's later events.
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'discarded')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_error      text        CHECK (length(last_error) <= 500),
    response_code   integer,
    delivered_at    timestamptz,
    dead_at         timestamptz,
    discarded_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, subscription_id, event_id),
    FOREIGN KEY (organization_id, subscription_id) REFERENCES webhook_subscriptions (organization_id, id) ON DELETE CASCADE
);
-- The head of each FIFO (the dispatcher's claim) and the log of a subscription, newest first.
CREATE INDEX webhook_deliveries_open_idx ON webhook_deliveries (organization_id, subscription_id, ordering_key, outbox_id)
    WHERE status IN ('pending', 'dead');
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (organization_id, subscription_id, id);
CREATE INDEX webhook_deliveries_prune_idx ON webhook_deliveries (coalesce(delivered_at, discarded_at))
    WHERE status IN ('delivered', 'discarded');

ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_subscriptions FORCE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries    ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries    FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_subscriptions
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());
-- The dispatcher serves every organization: inside its own transactions it sets app.webhook_dispatch
-- (as the outbox relay sets app.outbox_relay).
CREATE POLICY webhook_dispatch ON webhook_subscriptions
    USING (current_setting('app.webhook_dispatch', true) = 'on')
    WITH CHECK (current_setting('app.webhook_dispatch', true) = 'on');
CREATE POLICY webhook_dispatch ON webhook_deliveries
    USING (current_setting('app.webhook_dispatch', true) = 'on')
    WITH CHECK (current_setting('app.webhook_dispatch', true) = 'on');

GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_subscriptions TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_deliveries TO ${app_role};

-- One statement-level trigger: one INSERT ... SELECT per outbox statement (the RFM batch writes
-- thousands of events in one), and an index probe on the subscriptions of the organization. It runs
-- as the writer, under the writer's tenant: an outbox row can only be inserted for the transaction's
-- own organization (the outbox policy), so the subscriptions it sees are exactly the event's.
CREATE FUNCTION webhook_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (organization_id, subscription_id, outbox_id, event_id, event_type, ordering_key, payload)
    SELECT s.organization_id, s.id, o.id, o.event_id, o.event_type, coalesce(o.aggregate_id, o.event_id), o.payload
    FROM inserted o
    JOIN webhook_subscriptions s ON s.organization_id = o.organization_id AND o.event_type = ANY (s.event_types)
    ORDER BY o.id;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_webhook_fan_out AFTER INSERT ON outbox REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_fan_out();
