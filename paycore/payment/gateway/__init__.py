"""The payment platform (steps 3.4 and 3.5).

:mod:`.service` runs the checks pipeline and the endpoints, :mod:`.payments` what a payment and a
refund do, :mod:`.issuer` the simulated card issuer, :mod:`.merchants` the registered merchant keys,
:mod:`.ledger` the double-entry rules, :mod:`.idempotency` and :mod:`.outbox` their own rules;
:mod:`.store` says what is kept and :mod:`.sqlite` keeps it; :mod:`.app` is the FastAPI adapter.
:mod:`.dialects` speaks WeChat Pay API v3 and Alipay's open API beside ``paycore/1``, on the same
ledger and outbox. The gateway never imports the merchant.
"""
