-- Events hardening: a message the broker refuses is parked instead of blocking the outbox, the
-- consumers remember cancelled orders, and the inbox is pruned like the outbox.

-- Per-row delivery state of the outbox. A failed row waits (next_attempt_at) and, after the relay's
-- limit, is parked with its reason; later events of the same customer wait behind it, others flow.
ALTER TABLE outbox
    ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN last_error      text,
    ADD COLUMN parked_at       timestamptz,
    -- Confirmed by the broker but routed to no queue (basic.return): kept until pruned, republishable.
    ADD COLUMN returned_at     timestamptz;
CREATE INDEX outbox_pending_aggregate_idx ON outbox (organization_id, aggregate_id, id) WHERE published_at IS NULL;
CREATE INDEX outbox_parked_idx ON outbox (parked_at) WHERE parked_at IS NOT NULL;

-- An order cancelled before (or after) its completion arrives: the completion must then earn
-- nothing and leave no purchase, whichever order the two events come in.
CREATE TABLE order_cancellations (
    organization_id uuid        NOT NULL,
    order_id        text        NOT NULL,
    customer_id     uuid,
    message_id      text,
    cancelled_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, order_id)
);
ALTER TABLE order_cancellations ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_cancellations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON order_cancellations
    USING (organization_id = current_tenant()) WITH CHECK (organization_id = current_tenant());
GRANT SELECT, INSERT ON order_cancellations TO ${app_role};

-- A cancelled order leaves the purchase history; the statistics are recomputed from what remains.
GRANT DELETE ON purchases TO ${app_role};

-- The inbox is pruned across organizations by the consumers, inside transactions that set
-- app.inbox_prune (as the outbox relay does with app.outbox_relay).
CREATE POLICY inbox_prune ON inbox
    USING (current_setting('app.inbox_prune', true) = 'on')
    WITH CHECK (current_setting('app.inbox_prune', true) = 'on');
GRANT DELETE ON inbox TO ${app_role};
CREATE INDEX inbox_processed_idx ON inbox (processed_at);
