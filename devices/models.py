# Device registry, device keys, heartbeats and events.
