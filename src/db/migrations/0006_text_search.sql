-- Text search (`q` on objectives, people and teams) matches with ILIKE '%…%'. Trigram indexes
-- (pg_trgm) let PostgreSQL answer those from an index instead of reading every row of the
-- organisation. pg_trgm is a trusted extension (PostgreSQL 13+): an owner of the database may
-- create it. Where it cannot be created (an older server, a restricted role), the same queries
-- run without these indexes: correct, but a scan of the organisation's rows. The embedded
-- database loads pg_trgm itself (src/db/database.ts).
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): text search runs without trigram indexes', SQLERRM;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS objectives_title_trgm_idx ON objectives USING gin (title gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS objectives_description_trgm_idx ON objectives USING gin (description gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS key_results_title_trgm_idx ON key_results USING gin (title gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS users_name_trgm_idx ON users USING gin (name gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS teams_name_trgm_idx ON teams USING gin (name gin_trgm_ops);
  END IF;
END
$$;
