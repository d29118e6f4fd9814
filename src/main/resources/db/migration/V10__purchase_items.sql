-- The seeds' use cases per type of shop (issue #16): purchases keep their items (cafeteria
-- favourites, supermarket categories), a customer's price group (B2B volume terms), and the
-- distributor's route listing (customers by salesperson and route).

-- One row per line of a purchase, owned by segmentation like purchases. A cancelled order's
-- purchase is deleted, and its items with it.
CREATE TABLE purchase_items (
    organization_id uuid          NOT NULL,
    purchase_id     bigint        NOT NULL,
    line            integer       NOT NULL CHECK (line >= 0),
    customer_id     uuid          NOT NULL,
    occurred_at     timestamptz   NOT NULL,
    product_id      text,
    variant_id      text,
    name            text,
    category        text,
    quantity        numeric(14,3) NOT NULL CHECK (quantity > 0),
    unit_price      numeric(14,2) CHECK (unit_price IS NULL OR unit_price >= 0),
    -- What the line cost: quantity × unit_price to the cent, null without a price.
    line_amount     numeric(16,2) CHECK (line_amount IS NULL OR line_amount >= 0),
    PRIMARY KEY (organization_id, purchase_id, line),
    FOREIGN KEY (organization_id, purchase_id) REFERENCES purchases (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
-- Favourites and top categories read one customer's lines.
CREATE INDEX purchase_items_customer_idx ON purchase_items (organization_id, customer_id, occurred_at DESC);

ALTER TABLE purchase_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE purchase_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON purchase_items USING (organization_id = current_tenant())
    WITH CHECK (organization_id = current_tenant());
GRANT SELECT, INSERT, DELETE ON purchase_items TO ${app_role};

-- B2B: the price group / discount class Pricing applies volume terms by (a short code, or none).
ALTER TABLE customers ADD COLUMN price_group text CHECK (price_group IS NULL OR price_group ~ '^[A-Z0-9][A-Z0-9_-]{0,19}$');

-- Distributor: a salesperson's day lists the customers of a route.
CREATE INDEX customers_route_idx ON customers (organization_id, route, id) WHERE route IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX customers_salesperson_idx ON customers (organization_id, salesperson_id, id) WHERE salesperson_id IS NOT NULL AND deleted_at IS NULL;
