"""The public site's Python: what its pages show (pages.py), pictures drawn on the server
(charts.py, maps.py), and the Datasette command that serves it (serve.py). The Datasette
plugins and templates are in `datasette/` beside the package."""
