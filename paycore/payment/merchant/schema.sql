-- The merchant's database (paycore.payment.merchant.store owns every statement on it).
-- The merchant never stores a card number or CVV: the payer's details exist only in the sealed
-- envelope of one request, in memory, for as long as that request (and its retries) take.

CREATE TABLE IF NOT EXISTS orders (
    order_id      TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    items         TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    status        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    out_trade_no  TEXT UNIQUE,
    paying_since  INTEGER,
    payment_id    TEXT,
    payer_display TEXT,
    failure_code  TEXT,
    paid_at       INTEGER,
    refunded      INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    refunds       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status);
CREATE TABLE IF NOT EXISTS processed_events (
    event_id    TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   TEXT,
    message    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- nonces of the notifications accepted inside the replay window
CREATE TABLE IF NOT EXISTS seen_nonces (
    key_id     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX IF NOT EXISTS seen_nonces_expiry ON seen_nonces (expires_at);
