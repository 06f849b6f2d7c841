"""One module per feature; each step is a small ``async def step(turn)``; registration.py wires them."""
