"""`opd-graphql bench`: how fast the API books, fans out and simulates, next to its floor."""
