-- Access request cases (GDPR Art. 15, time limits of Art. 12(3)): the diary number, the day
-- received (days since 1970-01-01 as a Finnish local date), the subject by keyed hash only.
-- A case is registered once per diary number and never changed; what happens to it (an
-- extension, the answer) is appended to access_request_events.
CREATE TABLE access_requests (
    id INTEGER PRIMARY KEY,
    controller TEXT NOT NULL,
    diary_number TEXT NOT NULL,
    received_day INTEGER NOT NULL,
    subject_key_id INTEGER NOT NULL,
    subject_hash BLOB NOT NULL,
    registered_at INTEGER NOT NULL,
    registered_by TEXT NOT NULL,
    UNIQUE (controller, diary_number)
);

-- kind 1: extended to `day`, for `reason`; kind 2: answered on `day`.
CREATE TABLE access_request_events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES access_requests (id),
    kind INTEGER NOT NULL,
    day INTEGER NOT NULL,
    reason TEXT,
    recorded_at INTEGER NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX access_request_events_by_request ON access_request_events (request_id, id);
-- A case is answered once.
CREATE UNIQUE INDEX access_request_events_one_answer ON access_request_events (request_id)
    WHERE kind = 2;

CREATE TRIGGER access_requests_append_only_update BEFORE UPDATE ON access_requests
BEGIN SELECT RAISE(ABORT, 'access_requests is append-only'); END;
CREATE TRIGGER access_requests_append_only_delete BEFORE DELETE ON access_requests
BEGIN SELECT RAISE(ABORT, 'access_requests is append-only'); END;
CREATE TRIGGER access_request_events_append_only_update BEFORE UPDATE ON access_request_events
BEGIN SELECT RAISE(ABORT, 'access_request_events is append-only'); END;
CREATE TRIGGER access_request_events_append_only_delete BEFORE DELETE ON access_request_events
BEGIN SELECT RAISE(ABORT, 'access_request_events is append-only'); END;
