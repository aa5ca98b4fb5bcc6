-- Event log: one stream per aggregate; (stream_id, version) is the optimistic-concurrency guard.
CREATE TABLE events (
  position BIGSERIAL PRIMARY KEY,
  event_id UUID NOT NULL UNIQUE,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  type TEXT NOT NULL,
  data JSONB NOT NULL,
  actor TEXT NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);

-- Transactional outbox: written in the same transaction as the change, published by the relay.
CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  message_id UUID NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  key TEXT,
  headers JSONB NOT NULL,
  body JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  sent_at TIMESTAMPTZ
);
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;

-- Inbox: a message id recorded in the same transaction as its effect.
CREATE TABLE inbox (
  subscription TEXT NOT NULL,
  message_id TEXT NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription, message_id)
);

-- Idempotent commands: a command id recorded with its result.
CREATE TABLE commands (
  command_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  actor TEXT NOT NULL,
  result JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Idempotency-Key header: claimed atomically, then completed with the response to replay.
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
  status INTEGER,
  headers JSONB,
  body TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
