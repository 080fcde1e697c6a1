"""The national link's commands: the outbox drain and the local stand-in of the national portal."""
