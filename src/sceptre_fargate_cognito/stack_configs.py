"""One stack config for every environment: `{% include "stacks/<stack>.yaml.j2" %}`.

Sceptre renders a stack config with a Jinja loader rooted at the environment's own folder
(config/<env>/), where `..` cannot reach. This extension lets each environment's thin
`config/<env>/<stack>.yaml` include the one shared config from `config/stacks/`; Sceptre reads only
`.yaml` files as stack configs, so the shared `.yaml.j2` files are never stacks of their own.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader
from jinja2.ext import Extension


class SharedStackConfigs(Extension):
    """Adds config/ to the search path, so `stacks/<name>.yaml.j2` resolves from any environment."""

    def __init__(self, environment):
        super().__init__(environment)
        own = environment.loader
        if isinstance(own, FileSystemLoader):
            config_folders = {Path(p).resolve() for p in own.searchpath}
            roots = {folder.parent for folder in config_folders if (folder.parent / "stacks").is_dir()}
            environment.loader = ChoiceLoader([own, FileSystemLoader(sorted(map(str, roots)))])
