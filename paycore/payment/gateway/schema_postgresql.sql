-- The gateway's database on PostgreSQL: the same tables as schema.sql (SQLite), in PostgreSQL's
-- dialect (paycore.payment.gateway.postgres owns every statement on it). Each statement stands
-- alone and may run again on every start: add a table with CREATE TABLE IF NOT EXISTS, a column
-- with ALTER TABLE ... ADD COLUMN IF NOT EXISTS.

-- the double-entry ledger: every transfer writes entries that sum to zero
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('payer', 'merchant', 'external')),
    currency   TEXT NOT NULL,
    balance    BIGINT NOT NULL DEFAULT 0,
    CHECK (kind = 'external' OR balance >= 0)
);
CREATE TABLE IF NOT EXISTS transfers (
    transfer_id TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    reference   TEXT NOT NULL,
    currency    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    created_at  DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    entry_id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transfer_id TEXT NOT NULL REFERENCES transfers (transfer_id),
    account_id  TEXT NOT NULL REFERENCES accounts (account_id),
    amount      BIGINT NOT NULL CHECK (amount != 0)
);
CREATE INDEX IF NOT EXISTS entries_by_account ON entries (account_id);
CREATE INDEX IF NOT EXISTS entries_by_transfer ON entries (transfer_id);

-- merchants' keys, payers, payments and refunds
CREATE TABLE IF NOT EXISTS merchant_keys (
    key_id         TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL,
    merchant_name  TEXT NOT NULL,
    public_key_pem BYTEA NOT NULL,
    algorithm      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS merchant_notify_origins (
    merchant_id TEXT NOT NULL,
    origin      TEXT NOT NULL,  -- scheme://host:port, the port may be * (any)
    PRIMARY KEY (merchant_id, origin)
);
CREATE TABLE IF NOT EXISTS payer_methods (
    method_id  TEXT PRIMARY KEY,
    type       TEXT NOT NULL CHECK (type IN ('card', 'wallet')),
    display    TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    cvv_check  TEXT  -- HMAC of the card's CVV under the issuer's key; never the CVV itself
);
CREATE TABLE IF NOT EXISTS payments (
    payment_id    TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL,
    out_trade_no  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
    currency      TEXT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    refunded      BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    payer_type    TEXT NOT NULL,
    payer_display TEXT NOT NULL,
    payer_account TEXT,
    failure_code  TEXT,
    notify_url    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (merchant_id, out_trade_no)
);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id     TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL,
    out_refund_no TEXT NOT NULL,
    payment_id    TEXT NOT NULL REFERENCES payments (payment_id),
    amount        BIGINT NOT NULL CHECK (amount > 0),
    created_at    BIGINT NOT NULL,
    UNIQUE (merchant_id, out_refund_no)
);

-- nonces accepted inside the replay window (expired ones are deleted in batches)
CREATE TABLE IF NOT EXISTS seen_nonces (
    key_id     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX IF NOT EXISTS seen_nonces_expiry ON seen_nonces (expires_at);

-- idempotency keys and their stored answers (kept for a day, then deleted in batches)
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope       TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
    status      INTEGER,
    body        BYTEA,
    claimed_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_age ON idempotency_keys (claimed_at);

-- the transactional outbox of signed notifications; a worker leases the messages it delivers
CREATE TABLE IF NOT EXISTS outbox (
    event_id        TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            BYTEA NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DOUBLE PRECISION NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    last_result     TEXT,
    created_at      DOUBLE PRECISION NOT NULL,
    delivered_at    DOUBLE PRECISION,
    format          TEXT NOT NULL DEFAULT 'paycore/1',  -- how each attempt is signed and encoded
    leased_until    DOUBLE PRECISION
);
-- a schema made before notifications came in several formats
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS format TEXT NOT NULL DEFAULT 'paycore/1';
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';

-- the merchants of the WeChat Pay v3 and Alipay dialects, their trades and one-time payment
-- codes: the same tables as in schema.sql (see there for what each column means)
CREATE TABLE IF NOT EXISTS dialect_merchants (
    merchant_id       TEXT PRIMARY KEY,
    dialect           TEXT NOT NULL CHECK (dialect IN ('wechatpay', 'alipay')),
    external_id       TEXT NOT NULL,
    appid             TEXT NOT NULL,
    name              TEXT NOT NULL,
    key_serial        TEXT NOT NULL,
    public_key_pem    BYTEA NOT NULL,
    apiv3_key         TEXT NOT NULL,
    platform_key_mode TEXT NOT NULL,
    UNIQUE (dialect, external_id)
);
CREATE TABLE IF NOT EXISTS trades (
    trade_id      TEXT PRIMARY KEY,
    dialect       TEXT NOT NULL,
    merchant_id   TEXT NOT NULL,
    out_trade_no  TEXT NOT NULL,
    trade_type    TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    description   TEXT NOT NULL,
    notify_url    TEXT NOT NULL,
    attach        TEXT NOT NULL,
    cashier_token TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL CHECK (status IN ('WAITING', 'PAID', 'CLOSED')),
    payment_id    TEXT REFERENCES payments (payment_id),
    fingerprint   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    scanned_at    BIGINT,
    paid_at       BIGINT,
    closed_at     BIGINT,
    UNIQUE (merchant_id, out_trade_no)
);
CREATE TABLE IF NOT EXISTS payment_codes (
    code_hash  TEXT PRIMARY KEY,
    wallet     TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
