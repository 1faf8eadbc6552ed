"""moto's server with requests handled one at a time.

moto rolls a failed TransactWriteItems back by restoring a deep copy of the table taken when the
transaction began. With requests on concurrent threads, that copy can hold another transaction's
uncommitted writes (resurrecting them) or miss another's committed ones (erasing them); measured
here with 20 racing user creations, a loser's user item survived its own rollback. Real DynamoDB
transactions are serialisable, so one lock around the app makes the stand-in behave like the
service: requests still arrive concurrently and race for the lock in any order, but each is
applied whole.

A second adjustment is for speed only: before each TransactWriteItems moto deep-copies every
table the transaction touches, so a transaction costs time in proportion to the whole table.
Behind the lock nothing else runs during a transaction, and moto replaces items on put and
pops them on delete (it never edits a stored item in place on those paths), so a copy of the
table's two-level item index restores exactly the same state at a fraction of the cost.

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


def _fast_table_snapshots() -> None:
    import copy as real_copy
    import types

    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            snapshot = real_copy.copy(value)
            items = real_copy.copy(value.items)
            for key, entry in value.items.items():
                if isinstance(entry, dict):
                    items[key] = dict(entry)
            snapshot.items = items
            return snapshot
        return real_copy.deepcopy(value, memo)

    shim = types.SimpleNamespace(**{name: getattr(real_copy, name) for name in dir(real_copy) if not name.startswith("__")})
    shim.deepcopy = deepcopy
    models.copy = shim


def main() -> None:
    _fast_table_snapshots()
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
