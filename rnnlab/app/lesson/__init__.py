"""The lessons panel (a slide's comparison run and checked in the window) and the presenter mode for a projector."""
