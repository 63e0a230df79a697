"""The e-commerce platform (steps 3.1, 3.2, 3.3 and 3.6).

:mod:`.service` keeps orders and pays, refunds and reconciles them, :mod:`.client` talks to the
gateway (sign, send, verify), :mod:`.results` applies signed results once, :mod:`.notifications`
receives the gateway's notifications; :mod:`.store` says what is kept and :mod:`.sqlite` keeps it;
:mod:`.app` is the FastAPI adapter. The merchant never imports the gateway.
"""
