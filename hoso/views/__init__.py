"""Staff pages of the desk: intake, the dossier page and its actions, worklists, slips."""
