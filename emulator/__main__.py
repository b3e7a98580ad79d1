"""Run the emulator: `python -m emulator [--host 127.0.0.1] [--port 0]`.

Prints one JSON line `{"endpoint": "http://127.0.0.1:PORT", "pid": PID, "extensions": [...]}`
on stdout once it accepts connections, so a caller that asked for port 0 learns the port.
"""

import argparse
import json
import os
import signal
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback by default)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    parser.add_argument(
        "--outbox",
        default=None,
        help="directory where the email Cognito would send (invitations) is written, one file a message",
    )
    args = parser.parse_args(argv)
    if args.outbox:
        # Read by emulator/patches/cognito_invitation_outbox.py when a message is sent.
        os.environ["EMULATOR_OUTBOX"] = os.path.abspath(args.outbox)

    from emulator import change_count
    from emulator import extensions as emulator_extensions
    from emulator.moto_version import MotoVersionError

    # Certificates requested through ACM are ISSUED at once, as imported ones are.
    os.environ.setdefault("MOTO_ACM_VALIDATION_WAIT", "0")
    try:
        # Checks moto's version before anything imports moto: another version may not even import.
        extensions = emulator_extensions.install()
    except MotoVersionError as error:
        print(f"python -m emulator: {error}", file=sys.stderr)
        return 1

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = change_count.Counting(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    host, port = server.server_address[:2]
    assert isinstance(host, str)  # an IP address, not a Unix socket path
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(
        json.dumps({"endpoint": f"http://{host}:{port}", "pid": os.getpid(), "extensions": extensions}),
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
