-- The gateway's database (paycore.payment.gateway.store owns every statement on it).
-- Nothing here holds a card number or a CVV: cards are known only by a keyed token and the
-- masked number (411111******1111).

-- the double-entry ledger: every transfer writes entries that sum to zero
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('payer', 'merchant', 'external')),
    currency   TEXT NOT NULL,
    balance    INTEGER NOT NULL DEFAULT 0,
    CHECK (kind = 'external' OR balance >= 0)
);
CREATE TABLE IF NOT EXISTS transfers (
    transfer_id TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    reference   TEXT NOT NULL,
    currency    TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    created_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    entry_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    transfer_id TEXT NOT NULL REFERENCES transfers (transfer_id),
    account_id  TEXT NOT NULL REFERENCES accounts (account_id),
    amount      INTEGER NOT NULL CHECK (amount != 0)
);
CREATE INDEX IF NOT EXISTS entries_by_account ON entries (account_id);

-- merchants' keys, payers, payments and refunds
CREATE TABLE IF NOT EXISTS merchant_keys (
    key_id         TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL,
    merchant_name  TEXT NOT NULL,
    public_key_pem BLOB NOT NULL,
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
    amount        INTEGER NOT NULL CHECK (amount > 0),
    refunded      INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    payer_type    TEXT NOT NULL,
    payer_display TEXT NOT NULL,
    payer_account TEXT,
    failure_code  TEXT,
    notify_url    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (merchant_id, out_trade_no)
);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id     TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL,
    out_refund_no TEXT NOT NULL,
    payment_id    TEXT NOT NULL REFERENCES payments (payment_id),
    amount        INTEGER NOT NULL CHECK (amount > 0),
    created_at    INTEGER NOT NULL,
    UNIQUE (merchant_id, out_refund_no)
);

-- nonces accepted inside the replay window
CREATE TABLE IF NOT EXISTS seen_nonces (
    key_id     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at REAL NOT NULL,
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
    body        BLOB,
    claimed_at  REAL NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_age ON idempotency_keys (claimed_at);

-- the transactional outbox of signed notifications; a notifier leases the messages it delivers
CREATE TABLE IF NOT EXISTS outbox (
    event_id        TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            BLOB NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    last_result     TEXT,
    created_at      REAL NOT NULL,
    delivered_at    REAL,
    format          TEXT NOT NULL DEFAULT 'paycore/1',  -- how each attempt is signed and encoded
    leased_until    REAL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';

-- the merchants of the WeChat Pay v3 and Alipay dialects (paycore.payment.gateway.dialects):
-- who they are on their platform, the key their requests are signed with, and (WeChat Pay) the
-- APIv3 key their notifications are encrypted under; merchant_id is "wechatpay:<mchid>" or
-- "alipay:<app_id>", so no dialect merchant shares an id with a paycore/1 merchant
CREATE TABLE IF NOT EXISTS dialect_merchants (
    merchant_id       TEXT PRIMARY KEY,
    dialect           TEXT NOT NULL CHECK (dialect IN ('wechatpay', 'alipay')),
    external_id       TEXT NOT NULL,
    appid             TEXT NOT NULL,
    name              TEXT NOT NULL,
    key_serial        TEXT NOT NULL,
    public_key_pem    BLOB NOT NULL,
    apiv3_key         TEXT NOT NULL,
    platform_key_mode TEXT NOT NULL,
    UNIQUE (dialect, external_id)
);
-- trades: created by a dialect's order call, paid later by the payer at the gateway's cashier
CREATE TABLE IF NOT EXISTS trades (
    trade_id      TEXT PRIMARY KEY,  -- WeChat Pay's transaction_id, Alipay's trade_no
    dialect       TEXT NOT NULL,
    merchant_id   TEXT NOT NULL,
    out_trade_no  TEXT NOT NULL,
    trade_type    TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    description   TEXT NOT NULL,
    notify_url    TEXT NOT NULL,
    attach        TEXT NOT NULL,
    cashier_token TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL CHECK (status IN ('WAITING', 'PAID', 'CLOSED')),
    payment_id    TEXT REFERENCES payments (payment_id),
    fingerprint   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    scanned_at    INTEGER,
    paid_at       INTEGER,
    closed_at     INTEGER,
    UNIQUE (merchant_id, out_trade_no)
);
-- one-time payment codes a payer's wallet shows, for Alipay's barcode payment (alipay.trade.pay)
CREATE TABLE IF NOT EXISTS payment_codes (
    code_hash  TEXT PRIMARY KEY,  -- SHA-256 of the code: a leaked table holds no usable code
    wallet     TEXT NOT NULL,
    expires_at REAL NOT NULL
);
