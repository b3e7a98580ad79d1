"""One module per moto gap, each with an `install()`; emulator.extensions installs them in order."""
