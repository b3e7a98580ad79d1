"""What the project's Sceptre plugins (hooks/, resolvers/) build on: their base classes (hook.py,
resolver.py), the resolvers' argument checks (arguments.py) and the error a failed lookup raises
(errors.py)."""
