-- Issue 15: NOTIFY takes PostgreSQL's global notification-queue lock from the start of the commit to
-- its end, so every transaction that recorded an event committed one at a time (pgbench, 64 clients:
-- 10,707 tps plain, 3,424 with one pg_notify per transaction). The outbox's readers are woken in
-- process after the commit instead (OutboxSignal) and poll as before.
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION notify_outbox();
