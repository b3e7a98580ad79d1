"""Custom Sceptre template handlers (entry points, group sceptre.template_handlers)."""
