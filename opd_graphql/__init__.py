"""OPD token allocation engine for hospitals, served as a GraphQL API."""
