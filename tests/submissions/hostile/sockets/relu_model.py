"""Hostile submission: every way to a socket a worker has (the socket filter refuses them)."""
import ctypes
import socket


def _open(family):
    try:
        socket.socket(family, socket.SOCK_STREAM).close()
    except OSError as exc:
        return f"{type(exc).__name__} {exc.errno}"
    return "OPENED"


def relu_model(features, weights, biases):
    seen = [f"{name}: {_open(getattr(socket, name))}" for name in ("AF_INET", "AF_INET6", "AF_UNIX")]
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(425, 1, ctypes.create_string_buffer(120))  # io_uring_setup(1, &params)
    seen.append(f"io_uring_setup: {'OPENED' if fd >= 0 else ctypes.get_errno()}")
    a, b = socket.socketpair()  # a connected pair reaches nothing outside: allowed
    a.sendall(b"x")
    seen.append(f"socketpair: {b.recv(1).decode()}")
    raise RuntimeError("; ".join(seen))
