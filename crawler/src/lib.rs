//! The crawler: finds MCP servers on GitHub, npm, PyPI and the MCP Registry and merges them into one dataset.
