"""Helpers shared by tests: fixed frame sources, servers, terminal drivers."""
