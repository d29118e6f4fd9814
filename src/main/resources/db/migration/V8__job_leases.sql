-- Periodic jobs run once per cluster at a time: the node holding a job's lease runs it, renews the
-- lease while it lives, and another node takes the lease once it has expired (its holder died).
-- Not tenant data: one row per job for the whole service, so no row-level security here.
CREATE TABLE job_leases (
    name        text        PRIMARY KEY,
    holder      text        NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    renewed_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    takeovers   bigint      NOT NULL DEFAULT 0,
    CHECK (expires_at > renewed_at)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON job_leases TO ${app_role};
