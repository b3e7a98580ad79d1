"""One module per moto gap. Importing a module installs its fix; see each module's docstring."""
