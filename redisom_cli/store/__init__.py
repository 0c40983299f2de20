"""Connections to Redis servers, including the embedded server launcher."""
