"""Registration of irregular migrants: apprehensions, groups and households, declared identities,
captures, specific needs, consent and case status (layer 3: field)."""
