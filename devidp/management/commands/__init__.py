"""seed_devidp and serve_devidp."""
