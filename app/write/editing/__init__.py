"""Editing fiches in the staff workspace: the form (form.py), the geometry
it receives (geometry.py), saving with optimistic locking and history
(service.py) and bulk import with preview (bulk.py). No Flask here: the
views in app/views/staff*.py parse the request and call these."""
