-- Who made each lookup, as authenticated: the caller's configured name ('local' on an open
-- service). Lookups made before callers were authenticated have ''.
ALTER TABLE access_lookups ADD COLUMN caller TEXT NOT NULL DEFAULT '';
