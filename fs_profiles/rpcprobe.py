"""Minimal ONC RPC client over stream sockets: enough to ask a server whether it answers.

Used to wait for rpcbind and nfs-ganesha to be ready and to check which NFS versions are served.
Only NULL calls and an empty NFSv4 COMPOUND are ever sent.
"""

from __future__ import annotations

import itertools
import os
import socket
import struct

RPCBIND_PROGRAM = 100000
NFS_PROGRAM = 100003
MOUNT_PROGRAM = 100005

_ACCEPT_STATES = {0: "success", 1: "program unavailable", 2: "program version mismatch",
                  3: "procedure unavailable", 4: "garbage arguments", 5: "system error"}
NFS4ERR_MINOR_VERS_MISMATCH = 10021

_xids = itertools.count(int.from_bytes(os.urandom(3), "big"))


class RpcError(Exception):
    """The peer answered, but not with a successful reply (or not with RPC at all)."""


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            raise RpcError("connection closed mid-reply")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _recv_record(sock: socket.socket) -> bytes:
    parts = []
    while True:
        (mark,) = struct.unpack(">I", _recv_exact(sock, 4))
        parts.append(_recv_exact(sock, mark & 0x7FFFFFFF))
        if mark & 0x80000000:
            return b"".join(parts)


def rpc_call(sock: socket.socket, prog: int, vers: int, proc: int, args: bytes = b"") -> bytes:
    """Send one call with AUTH_NONE (record-marked) and return the result body of the reply."""
    xid = next(_xids) & 0xFFFFFFFF
    call = struct.pack(">IIIIII", xid, 0, 2, prog, vers, proc) + b"\0" * 16 + args
    sock.sendall(struct.pack(">I", 0x80000000 | len(call)) + call)
    reply = _recv_record(sock)
    if len(reply) < 12:
        raise RpcError("short RPC reply")
    rxid, mtype, stat = struct.unpack(">III", reply[:12])
    if rxid != xid or mtype != 1:
        raise RpcError("not an RPC reply to our call")
    if stat != 0:
        raise RpcError("RPC call denied")
    _flavor, vlen = struct.unpack(">II", reply[12:20])
    pos = 20 + ((vlen + 3) & ~3)
    (accept,) = struct.unpack(">I", reply[pos:pos + 4])
    if accept != 0:
        detail = _ACCEPT_STATES.get(accept, str(accept))
        if accept == 2:
            low, high = struct.unpack(">II", reply[pos + 4:pos + 12])
            detail += f" (server has {low}..{high})"
        raise RpcError(detail)
    return reply[pos + 4:]


def tcp_null(host: str, port: int, prog: int, vers: int, timeout: float = 2.0) -> None:
    """NULL call over TCP. Raises OSError when nobody listens, RpcError on a bad answer."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        rpc_call(sock, prog, vers, 0)


def unix_null(path: str, prog: int, vers: int, timeout: float = 2.0) -> None:
    """NULL call over a unix stream socket (rpcbind's local transport)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        rpc_call(sock, prog, vers, 0)


def nfs4_minor_supported(host: str, port: int, minor: int, timeout: float = 2.0) -> bool:
    """Send an empty NFSv4 COMPOUND with ``minor``; True when the server accepts that minor."""
    args = struct.pack(">III", 0, minor, 0)  # tag<> empty, minorversion, no operations
    with socket.create_connection((host, port), timeout=timeout) as sock:
        body = rpc_call(sock, NFS_PROGRAM, 4, 1, args)
    (status,) = struct.unpack(">I", body[:4])
    if status == NFS4ERR_MINOR_VERS_MISMATCH:
        return False
    if status != 0:
        raise RpcError(f"NFSv4 COMPOUND returned status {status}")
    return True


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
