"""The live room through the gateway: its WebSocket relayed to a livestream instance, and the room's
web page (viewer and host console)."""
