"""The online channel: dossiers submitted from home or pushed by other systems, their files, API clients."""
