"""Reference solutions for notebook 02's exercises."""

import json

capacity_1024 = 1024 // 8 - 11


def canonical(order):
    return json.dumps(order, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def crt_decrypt(key, c):
    m_p = pow(c, key.dp, key.p)
    m_q = pow(c, key.dq, key.q)
    h = key.qinv * (m_p - m_q) % key.p
    return m_q + h * key.q
