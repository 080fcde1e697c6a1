"""demo_citizen_dossiers."""
