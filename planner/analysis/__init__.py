"""Pure analyses: model in, frozen results out. No Qt, no disk."""
