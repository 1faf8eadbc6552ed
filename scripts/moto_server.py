"""moto's server with requests handled one at a time.

moto rolls a failed TransactWriteItems back by restoring a deep copy of the table taken when the
transaction began. With requests on concurrent threads, that copy can hold another transaction's
uncommitted writes (resurrecting them) or miss another's committed ones (erasing them); measured
here with 20 racing user creations, a loser's user item survived its own rollback. Real DynamoDB
transactions are serialisable, so one lock around the app makes the stand-in behave like the
service: requests still arrive concurrently and race for the lock in any order, but each is
applied whole.

A second adjustment is for speed, and makes rollback exact: before each TransactWriteItems moto
deep-copies every table the transaction touches, so a transaction costs time in proportion to
the whole table (a first apply of 10,000 users, some 60,000 items in one partition, slowed to
about 18 requests a second). Behind the lock nothing else runs during a transaction, so an undo
log of the items the transaction names — each copied as it was before — restores exactly the
state before it, in time proportional to the transaction. It also restores an item an Update
edited in place (moto's UpdateItem changes the stored item), which a copy of the item index alone
would not.

A third addition is for benchmarks: the number of requests per DynamoDB operation (the
X-Amz-Target header) since the server started, as JSON at GET /roster-bench/requests, so a
benchmark can count what a separate process (a Lambda binary) asked.

Usage: python moto_server.py HOST PORT
"""

import collections
import json
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def _undo_logged_transactions() -> None:
    import copy as real_copy
    import types

    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    # moto's own snapshot becomes the table itself (its rollback assigns it back: a no-op) ...
    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            return value
        return real_copy.deepcopy(value, memo)

    shim = types.SimpleNamespace(**{name: getattr(real_copy, name) for name in dir(real_copy) if not name.startswith("__")})
    shim.deepcopy = deepcopy
    models.copy = shim

    # ... and each transaction keeps the items it names as they were, to put back on failure.
    transact = DynamoDBBackend.transact_write_items

    def keys_of(table, op):
        attrs = op.get("Item") or op.get("Key") or {}
        if table.hash_key_attr not in attrs:
            return None
        hash_key = DynamoType(attrs[table.hash_key_attr])
        if table.range_key_attr is None:
            return hash_key, None
        if table.range_key_attr not in attrs:
            return None
        return hash_key, DynamoType(attrs[table.range_key_attr])

    def transact_write_items(self, transact_items):
        saved = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            keys = table and keys_of(table, op)
            if keys:
                hash_key, range_key = keys
                before = table.get_item(hash_key, range_key)
                saved.append((table, hash_key, range_key, real_copy.deepcopy(before)))
        try:
            transact(self, transact_items)
        except Exception:
            for table, hash_key, range_key, before in saved:
                if range_key is None:
                    if before is None:
                        table.items.pop(hash_key, None)
                    else:
                        table.items[hash_key] = before
                elif before is None:
                    table.items.get(hash_key, {}).pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = before
            raise

    DynamoDBBackend.transact_write_items = transact_write_items


def main() -> None:
    _undo_logged_transactions()
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()
    requests = collections.Counter()

    def serialised(environ, start_response):
        if environ.get("PATH_INFO") == "/roster-bench/requests":
            with lock:
                body = json.dumps(requests).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        with lock:
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if target.startswith("DynamoDB_"):
                requests[target.split(".", 1)[-1]] += 1
            # Drain the response inside the lock: moto builds bodies lazily at times.
            return list(app(environ, start_response))

    run_simple(
        host,
        port,
        serialised,
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
