"""HTTP handlers: HTML pages, the JSON API and the live stream."""
