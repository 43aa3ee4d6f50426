-- Who made each lookup, as authenticated: the caller's configured name ('local' on an open
-- service). Lookups made before callers were authenticated have ''.
ALTER TABLE access_lookups ADD COLUMN caller TEXT NOT NULL DEFAULT '';

-- Who recorded each consent or refusal, and who withdrew it, as authenticated.
ALTER TABLE consents ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE consents ADD COLUMN withdrawn_by TEXT;
