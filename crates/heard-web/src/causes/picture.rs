//! A cause map drawn as SVG (and PNG) from its layered layout.
