//! The dashboard tile as a pure function of the virtual's value (`../shared/spec/widget.md`):
//! which panel, which circles with which state and reasons, rendered as text or as HTML.
