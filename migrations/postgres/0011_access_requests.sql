-- Access request cases (GDPR Art. 15, time limits of Art. 12(3)): the diary number, the day
-- received (days since 1970-01-01 as a Finnish local date), the subject by keyed hash only.
-- A case is registered once per diary number and never changed; what happens to it (an
-- extension, the answer) is appended to access_request_events.
CREATE TABLE access_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    controller TEXT NOT NULL,
    diary_number TEXT NOT NULL,
    received_day BIGINT NOT NULL,
    subject_key_id SMALLINT NOT NULL,
    subject_hash BYTEA NOT NULL,
    registered_at BIGINT NOT NULL,
    registered_by TEXT NOT NULL,
    UNIQUE (controller, diary_number)
);

-- kind 1: extended to `day`, for `reason`; kind 2: answered on `day`.
CREATE TABLE access_request_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES access_requests (id),
    kind SMALLINT NOT NULL,
    day BIGINT NOT NULL,
    reason TEXT,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX access_request_events_by_request ON access_request_events (request_id, id);
-- A case is answered once.
CREATE UNIQUE INDEX access_request_events_one_answer ON access_request_events (request_id)
    WHERE kind = 2;

-- refuse_change_of_appended_row() is from 0009.
CREATE TRIGGER access_requests_append_only
    BEFORE UPDATE OR DELETE ON access_requests
    FOR EACH ROW EXECUTE FUNCTION refuse_change_of_appended_row();
CREATE TRIGGER access_request_events_append_only
    BEFORE UPDATE OR DELETE ON access_request_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change_of_appended_row();
