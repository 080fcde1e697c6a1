"""Vận hành: operating a deployment — backups, the restore drill (docs/deployment.md)."""
