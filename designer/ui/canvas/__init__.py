"""The node-editor canvas: scene, items, view and mouse interactions."""
