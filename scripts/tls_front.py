"""A TLS terminator in front of moto, for the cold-start benchmark.

moto serves plain HTTP on loopback, so a function's first request there never pays the TLS
handshake every request to DynamoDB pays on AWS. This accepts TLS (a certificate the benchmark's
own test CA signed) on one loopback port and relays the bytes, decrypted, to moto's port: the
function's HTTPS client does on its first request what it does on Lambda — verify a chain
against its trust store, agree keys — and moto answers as before. The relay is the standard
library's ssl and asyncio, nothing else.

Usage: python tls_front.py HOST PORT UPSTREAM_PORT CERT KEY
"""

import asyncio
import ssl
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def main() -> None:
    host, port, upstream = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    # moto speaks HTTP/1.1 only; offering it is what an ALPN-aware client expects to see.
    context.set_alpn_protocols(["http/1.1"])

    async def relay(client_reader, client_writer):
        try:
            moto_reader, moto_writer = await asyncio.open_connection("127.0.0.1", upstream)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, moto_writer), pipe(moto_reader, client_writer))

    server = await asyncio.start_server(relay, host, port, ssl=context)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
