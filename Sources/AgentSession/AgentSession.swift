// The session engine.
