"""Platform adapters: they translate between a chat platform and :class:`assistant.core.Core`.

Only modules under this package may import slack_bolt, slack_sdk, botbuilder or aiohttp.
"""
