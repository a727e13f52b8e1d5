"""Built-in plugins that contribute the engines' own strategies, node types and more.

They are registered by :func:`callcore.plugins.make_plugin_manager` through the
same hooks as third-party plugins (datasette's model), so a plugin author can
read them as worked examples. They live above the engines: engines never import
pluggy.
"""
