"""Blueprints: thin views (parse -> query -> convert -> render)."""
