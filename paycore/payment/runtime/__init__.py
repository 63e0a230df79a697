"""Running the parties: links between them (:mod:`.transport`), the wire log (:mod:`.wirelog`), the demo
cast (:mod:`.demo`) and the one place they are wired together (:mod:`.world`).

This is the only part of :mod:`paycore.payment` that knows both parties; it loads the web stack.
"""
