from wagtail import hooks

from enterprises.audit import register_actions

hooks.register("register_log_actions", register_actions)
