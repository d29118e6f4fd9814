-- The W3C traceparent of the request that recorded the event (null when it was not traced), so the
-- relay's publication, and the consumers downstream, join that request's trace.
ALTER TABLE outbox ADD COLUMN traceparent text CHECK (length(traceparent) <= 100);
