"""Hostile submission: network."""
import socket


def relu_model(features, weights, biases):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect(("127.0.0.1", __PORT__))
    s.sendall(b"stolen")
    return None
