"""Hostile submission: segfault."""
import ctypes


def relu_model(features, weights, biases):
    return ctypes.string_at(0)
