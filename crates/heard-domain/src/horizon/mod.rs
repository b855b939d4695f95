//! The horizon area: signals of change, drivers, their scores and their interchange (DOMAIN.md, "Signal").
