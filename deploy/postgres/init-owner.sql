-- Run once by the postgres image on an empty data directory (as the superuser).
-- The service's DB_URL logs in as the owner: it owns the database and its tables and runs the
-- Flyway migrations. CREATEROLE lets it create the runtime role (DB_APP_USER, customer_app) at the
-- first start; without it, create customer_app yourself (LOGIN NOSUPERUSER NOBYPASSRLS).
CREATE ROLE customer_owner LOGIN CREATEROLE PASSWORD 'customer_owner';
CREATE DATABASE customer OWNER customer_owner;
\connect customer
-- Trusted extensions since PostgreSQL 13 (the owner could create them), created here anyway so the
-- migration's CREATE EXTENSION IF NOT EXISTS finds them whatever the server's settings.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
