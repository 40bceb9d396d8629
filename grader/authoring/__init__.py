"""Course staff tools: stubs and notebooks from solutions, the student bundle, the example class."""
