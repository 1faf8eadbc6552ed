"""Runs the python-scim project's compliance checker (scim2-tester) against a SCIM server.

    scim_check.py BASE_URL        (the SCIM token in ROSTER_SCIM_TOKEN)

Prints one line per check that did not pass, then the count of each status as JSON on the last
line. Exits 1 when any check ended in ERROR, CRITICAL or DEVIATION (a departure from the RFCs);
SKIPPED, ACCEPTABLE and COMPLIANT are reported and pass.
"""

import json
import os
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base = sys.argv[1]
    token = os.environ["ROSTER_SCIM_TOKEN"]
    client = SyncSCIMClient(Client(base_url=base, headers={"Authorization": f"Bearer {token}"}))
    counts: dict[str, int] = {}
    for result in check_server(client):
        counts[result.status.name] = counts.get(result.status.name, 0) + 1
        if result.status != Status.SUCCESS:
            print(f"{result.status.name} {result.resource_type} {result.title}: {result.reason}")
    print(json.dumps(counts, sort_keys=True))
    failing = (Status.ERROR, Status.CRITICAL, Status.DEVIATION)
    return 1 if any(counts.get(status.name) for status in failing) else 0


if __name__ == "__main__":
    sys.exit(main())
