"""Hostile submission: os exit."""
import os


def relu_model(features, weights, biases):
    os._exit(0)
