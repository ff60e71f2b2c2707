"""The waiting-room board's page, stylesheet and script, served by opd_graphql.api.board."""
