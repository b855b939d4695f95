//! Graphviz DOT export of a cause map.
