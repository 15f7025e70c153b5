"""Long work run in the background, with its progress kept where every web process can read it."""
