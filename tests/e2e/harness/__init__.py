"""Drivers for real terminals and servers, so an e2e test reads like an operator's steps."""
