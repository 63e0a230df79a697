"""Every word the shop shows, in English and in Chinese: one table, one lookup.

A label is a key with both translations; ``{name}`` fields are filled from the values the page
passes (and escaped by the template, like every other value). The merchant's own refusal messages
stay as the API words them, next to their stable code, which reads the same in both languages.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}

LABELS: dict[str, tuple[str, str]] = {
    # -- the page around everything ---------------------------------------------------------------
    "site.title": ("paycore demo shop", "paycore 演示商城"),
    "site.tagline": (
        "A checkout you can watch: every payment here runs the six steps of the protocol, for real.",
        "一个看得见的收银台：这里的每一笔支付都真实地走完协议的六个步骤。",
    ),
    "site.skip": ("Skip to the content", "跳到正文"),
    "site.language": ("Language", "语言"),
    "site.shopper": (
        "You shop as {user} (a cookie stands in for a login).",
        "你的身份是 {user}（用 cookie 代替登录）。",
    ),
    "site.api": ("The merchant's API pages", "商户 API 文档"),
    "site.home": ("Catalogue", "商品目录"),
    # -- catalogue and cart -------------------------------------------------------------------------
    "shop.catalogue": ("Tea and teaware", "茶叶与茶具"),
    "shop.price_note": (
        "{fen} fen: money is whole fen, never a float",
        "{fen} 分：金额是整数的分，从不用浮点数",
    ),
    "shop.quantity": ("Quantity of {name}", "{name} 的数量"),
    "shop.add": ("Add to cart", "加入购物车"),
    "shop.cart": ("Your cart", "购物车"),
    "shop.cart_empty": ("Your cart is empty.", "购物车是空的。"),
    "shop.item": ("Item", "商品"),
    "shop.unit_price": ("Unit price", "单价"),
    "shop.line_total": ("Total", "小计"),
    "shop.remove": ("Remove {name}", "移除 {name}"),
    "shop.total": ("Order total", "订单总额"),
    "shop.checkout": ("Place the order (step 3.1)", "提交订单（第 3.1 步）"),
    "shop.checkout_note": (
        "The cart sends items and a currency; the merchant computes the total itself.",
        "购物车只发送商品和币种；总额由商户自己计算。",
    ),
    # -- one order ------------------------------------------------------------------------------------
    "order.title": ("Order {order}", "订单 {order}"),
    "order.status": ("Status", "状态"),
    "order.amount": ("Amount", "金额"),
    "order.expires": ("Unpaid, it closes at {time}.", "未支付的订单将于 {time} 关闭。"),
    "order.payer": ("Paid by {payer}", "付款方 {payer}"),
    "order.failure": (
        "The last attempt was declined: {code}. You may pay again.",
        "上次支付被拒绝：{code}。可以重新支付。",
    ),
    "order.pay": ("Pay", "支付"),
    "order.method": ("Payment method", "支付方式"),
    "order.card": ("Card", "银行卡"),
    "order.wallet": ("Wallet", "钱包"),
    "order.card_number": ("Card number", "卡号"),
    "order.expiry": ("Expiry (MM/YY)", "有效期（月/年）"),
    "order.cvv": ("CVV", "安全码 CVV"),
    "order.account": ("Wallet account", "钱包账户"),
    "order.amount_sent": ("Amount sent, in fen", "发送的金额（分）"),
    "order.amount_note": (
        "Step 3.2: the merchant refuses any amount but the order's. Try another one.",
        "第 3.2 步：金额必须与订单一致，否则商户拒绝。可以改一个试试。",
    ),
    "order.test_cards": (
        "Test card: 4111 1111 1111 1111, expiry 12/30, CVV 123; wallet W-alice. The paycore serve banner "
        "lists them all.",
        "测试卡：4111 1111 1111 1111，有效期 12/30，CVV 123；钱包 W-alice。"
        "paycore serve 的启动信息会列出全部。",
    ),
    "order.pay_button": ("Pay {amount}", "支付 {amount}"),
    "order.refused": ("The merchant refused: {code}", "商户拒绝了请求：{code}"),
    "order.not_found": ("No such order for you.", "没有找到你的这个订单。"),
    "order.new": ("Shop again", "继续购物"),
    # -- the six steps ----------------------------------------------------------------------------------
    "steps.title": ("The six steps of this payment", "这笔支付的六个步骤"),
    "steps.intro": (
        "Read from the merchant's wire log: the exact bytes that crossed the wire, nothing staged.",
        "内容读取自商户的报文日志：真实经过网络的字节，没有任何摆拍。",
    ),
    "steps.waiting": ("Waiting for the gateway's notification ...", "正在等待支付平台的通知……"),
    "steps.complete": ("All six steps are in.", "六个步骤都已完成。"),
    "steps.none": (
        "The wire log no longer holds this payment (it keeps the latest 50 messages).",
        "报文日志里已没有这笔支付（日志只保留最近 50 条报文）。",
    ),
    "steps.reload": ("Show the steps again", "重新显示步骤"),
    "step.order": ("The user orders", "用户下单"),
    "step.validate": ("The merchant validates", "商户校验"),
    "step.request": ("The merchant signs, seals and sends", "商户签名、加密并发送"),
    "step.checks": ("The gateway checks and moves the money", "支付平台校验并扣款"),
    "step.answer": ("The gateway answers and notifies, signed", "支付平台签名应答并发送通知"),
    "step.apply": ("The merchant verifies and updates the order", "商户验签并更新订单"),
    "actor.user_merchant": ("user → merchant", "用户 → 商户"),
    "actor.merchant": ("merchant", "商户"),
    "actor.merchant_gateway": ("merchant → gateway", "商户 → 支付平台"),
    "actor.gateway": ("gateway", "支付平台"),
    "actor.gateway_merchant": ("gateway → merchant", "支付平台 → 商户"),
    "fact.order": (
        "Order {order}: {lines} line(s), the amount computed by the merchant.",
        "订单 {order}：{lines} 行商品，金额由商户计算。",
    ),
    "fact.validate": (
        "The order is yours, {amount} ({value} fen) is its amount, its status allows paying, it has not "
        "expired.",
        "订单属于你，金额正是 {amount}（{value} 分），状态允许支付，且未过期。",
    ),
    "fact.attempt": (
        "It moved to PAYING as attempt {attempt} (the out_trade_no).",
        "订单进入 PAYING，本次支付号（out_trade_no）为 {attempt}。",
    ),
    "fact.no_request": (
        "No payment request for this attempt is in the wire log.",
        "报文日志里没有这次支付的请求。",
    ),
    "fact.request": (
        "POST {url}: {bytes} bytes, the card sealed to the gateway's key, the bytes signed.",
        "POST {url}：{bytes} 字节，卡信息用支付平台的公钥加密，整个报文已签名。",
    ),
    "fact.checks": (
        "Key id {key}… is the merchant's; the signature over the canonical string holds; the timestamp is "
        "in the 300 s window; the nonce is new; the envelope opens.",
        "密钥编号 {key}… 属于该商户；签名串的签名正确；时间戳在 300 秒窗口内；随机串是新的；信封可以打开。",
    ),
    "fact.moved": (
        "Payment {payment}: SUCCEEDED. The payer debited and the merchant credited in one transaction.",
        "支付 {payment}：SUCCEEDED。付款方扣款与商户入账在同一事务中完成。",
    ),
    "fact.declined": (
        "Payment {payment}: FAILED, declined with {code}. No money moved.",
        "支付 {payment}：FAILED，被拒绝（{code}）。资金没有变动。",
    ),
    "fact.refused": ("Refused, HTTP {status} {code}: {message}", "被拒绝，HTTP {status} {code}：{message}"),
    "fact.answer": (
        "HTTP {status}, signed by the gateway's key over this request's nonce; body hash {hash}….",
        "HTTP {status}，由支付平台的私钥对本请求的随机串签名；报文摘要 {hash}…。",
    ),
    "fact.notification": (
        "The notification went to {url} ({count} delivery attempt(s)).",
        "通知已发往 {url}（投递 {count} 次）。",
    ),
    "fact.no_notification_yet": ("The notification has not arrived yet.", "通知尚未到达。"),
    "fact.applied": (
        "The signature checked against the pinned gateway key; the amount re-checked: the order is "
        "{status}, payer {payer}.",
        "用固定的支付平台公钥验签，并复核金额：订单为 {status}，付款方 {payer}。",
    ),
    "fact.acknowledged": (
        "The merchant answered the notification: HTTP {status} {body}.",
        "商户对通知的应答：HTTP {status} {body}。",
    ),
    "panel.order": ("What the user sent", "用户发送的内容"),
    "panel.canonical": ("The canonical string the merchant signed", "商户签名的签名串"),
    "panel.headers": ("The request's headers", "请求头"),
    "panel.envelope": ("The sealed envelope (the payer's card)", "数字信封（付款方的卡信息）"),
    "panel.body": ("The request body", "请求体"),
    "panel.answer_canonical": ("The canonical string the gateway signed", "支付平台签名的签名串"),
    "panel.answer_headers": ("The answer's headers", "应答头"),
    "panel.answer": ("The signed answer", "签名的应答"),
    "panel.notification_canonical": ("The notification's canonical string", "通知的签名串"),
    "panel.notification_headers": ("The notification's headers", "通知的报文头"),
    "panel.notification": ("The notification", "通知内容"),
    "note.canonical": ("One field per line, each ending in a newline.", "每行一个字段，每行以换行结束。"),
    "note.utc": ("{time}", "{time}"),
    "note.hash_of": ("SHA-256 of the {bytes} body bytes", "{bytes} 字节报文体的 SHA-256"),
    "note.envelope": (
        "RSA-OAEP wraps a fresh AES-256 key; AES-GCM seals the card; the card never travels in clear.",
        "RSA-OAEP 包裹一次性的 AES-256 密钥，AES-GCM 加密卡信息：卡号从不以明文传输。",
    ),
    "note.body": (
        "As sent, shown indented; the signature covers the exact bytes.",
        "按发送内容缩进显示；签名覆盖的是原始字节。",
    ),
    "note.notification": (
        "Signed by the gateway like a request; deduplicated by its event id.",
        "由支付平台像请求一样签名；按事件编号去重。",
    ),
    "line.method": ("method", "方法"),
    "line.target": ("target", "请求目标"),
    "line.timestamp": ("timestamp", "时间戳"),
    "line.nonce": ("nonce", "随机串"),
    "line.body_hash": ("SHA-256(body)", "SHA-256(报文体)"),
    "line.status": ("status", "状态码"),
    "line.request_nonce": ("request's nonce", "请求的随机串"),
    "env.v": ("format version", "格式版本"),
    "env.alg": ("key wrapping", "密钥封装算法"),
    "env.enc": ("content encryption", "内容加密算法"),
    "env.kid": ("gateway encryption key id", "支付平台加密密钥编号"),
    "env.ek": ("wrapped AES key", "被封装的 AES 密钥"),
    "env.iv": ("GCM nonce", "GCM 随机数"),
    "env.ct": ("ciphertext and tag", "密文与认证标签"),
    # -- replay and tamper ------------------------------------------------------------------------------
    "attack.title": ("Be the attacker", "扮演攻击者"),
    "attack.intro": (
        "Send the captured payment request again, unchanged or with its amount changed to 0.01 yuan, and "
        "see how the gateway answers.",
        "把截获的支付请求原样重发，或把金额改成 0.01 元后再发，看看支付平台如何应答。",
    ),
    "attack.replay": ("Replay the captured request", "重放截获的请求"),
    "attack.tamper": ("Change the amount and send it", "篡改金额后发送"),
    "attack.result": ("{kind}: HTTP {status} {code}", "{kind}：HTTP {status} {code}"),
    "attack.kind.replay": ("Replayed", "重放"),
    "attack.kind.tamper": ("Tampered", "篡改"),
    "attack.unreachable": ("the gateway could not be reached", "无法连接支付平台"),
    "attack.none": ("Nothing captured to send again.", "没有可重发的已截获请求。"),
}


def translator(language: str) -> Callable[..., str]:
    """``t(key, **values)`` in ``language`` (English for a key or language it does not know)."""
    index = LANGUAGES.index(language) if language in LANGUAGES else 0

    def t(key: str, /, **values: object) -> str:
        pair = LABELS.get(key)
        if pair is None:
            return key
        text = pair[index]
        return text.format(**values) if values else text

    return t
