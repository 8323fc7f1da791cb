# Models arrive with their issue (see shared/DESIGN.md).
