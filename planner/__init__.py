"""planner: plan and audit city-scale video-surveillance deployments."""

__version__ = "0.1.0"
