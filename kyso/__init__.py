"""Digital signatures: signing on the server, signed uploads, verification, certified electronic copies."""
