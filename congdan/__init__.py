"""Citizens (công dân): sign-in with the national digital identity through OpenID Connect, and their dossiers."""
