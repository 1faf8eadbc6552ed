"""moto's server with requests handled one at a time.

moto rolls a failed TransactWriteItems back by restoring a deep copy of the table taken when the
transaction began. With requests on concurrent threads, that copy can hold another transaction's
uncommitted writes (resurrecting them) or miss another's committed ones (erasing them); measured
here with 20 racing user creations, a loser's user item survived its own rollback. Real DynamoDB
transactions are serialisable, so one lock around the app makes the stand-in behave like the
service: requests still arrive concurrently and race for the lock in any order, but each is
applied whole.

Usage: python moto_server.py HOST PORT
"""

import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
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
