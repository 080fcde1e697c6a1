"""The national link (liên thông): every dossier's record and steps sent to the National Public Service Portal."""
