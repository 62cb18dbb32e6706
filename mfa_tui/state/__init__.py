"""What lives on disk or in the keyring: paths, journal, inventory cache, profiles, keyring."""
