"""The main window's three controllers: analyses (jobs), the document (open, save, autosave,
recovery) and the map's layers. Each holds one concern's state; the window wires them to its menus."""
