"""Opening both parties' stores: SQLite files in the data directory (the default), or PostgreSQL.

:func:`open_stores` is what ``paycore serve``, the benchmarks and :func:`.world.build_world` call;
one URL (``--database postgresql://...``) moves both parties into a PostgreSQL server, each into
its own schema there.
"""

from __future__ import annotations

from pathlib import Path

from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.payment.gateway.store import GatewayStore
from paycore.payment.merchant.sqlite import SQLiteMerchantStore
from paycore.payment.merchant.store import MerchantStore
from paycore.payment.runtime import datadir


def open_stores(
    data_dir: str | Path | None, database: str | None = None, *, prefix: str = "paycore"
) -> tuple[GatewayStore, MerchantStore]:
    """Both parties' stores: ``gateway.sqlite3`` and ``merchant.sqlite3`` in ``data_dir``, or in memory.

    ``database`` (a ``postgresql://`` URL) keeps them in a PostgreSQL server instead, each party in
    its own schema there (``{prefix}_gateway`` and ``{prefix}_merchant``).
    """
    gateway_store = open_party_store("gateway", data_dir, database, prefix=prefix)
    try:
        return gateway_store, open_party_store("merchant", data_dir, database, prefix=prefix)
    except BaseException:
        gateway_store.close()
        raise


def open_party_store(
    party: str, data_dir: str | Path | None, database: str | None = None, *, prefix="paycore"
):
    """One party's store (``party`` is ``gateway`` or ``merchant``), as :func:`open_stores` opens it."""
    if database is not None:
        from paycore.payment.postgres import is_postgres_url

        if not is_postgres_url(database):
            raise ValueError(f"a database URL starts with postgresql://, not {database.split('://')[0]!r}://")
        if party == "gateway":
            from paycore.payment.gateway.postgres import PostgresGatewayStore as Store
        else:
            from paycore.payment.merchant.postgres import PostgresMerchantStore as Store
        return Store(database, namespace=f"{prefix}_{party}")
    Store = SQLiteGatewayStore if party == "gateway" else SQLiteMerchantStore
    if data_dir is None:
        return Store(":memory:")
    return Store(datadir.database(Path(data_dir), party))
