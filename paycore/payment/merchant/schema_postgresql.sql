-- The merchant's database on PostgreSQL: the same tables as schema.sql (SQLite), in PostgreSQL's
-- dialect (paycore.payment.merchant.postgres owns every statement on it). Each statement stands
-- alone and may run again on every start: add a table with CREATE TABLE IF NOT EXISTS, a column
-- with ALTER TABLE ... ADD COLUMN IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS orders (
    order_id      TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    items         TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    status        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    out_trade_no  TEXT UNIQUE,
    paying_since  BIGINT,
    payment_id    TEXT,
    payer_display TEXT,
    failure_code  TEXT,
    paid_at       BIGINT,
    refunded      BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    refunds       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status);
CREATE TABLE IF NOT EXISTS processed_events (
    event_id    TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id   TEXT,
    message    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- nonces of the notifications accepted inside the replay window (expired ones deleted in batches)
CREATE TABLE IF NOT EXISTS seen_nonces (
    key_id     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX IF NOT EXISTS seen_nonces_expiry ON seen_nonces (expires_at);
