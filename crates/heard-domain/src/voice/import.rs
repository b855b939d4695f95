//! Importing sources from CSV, XLSX and JSON Lines with a column mapping.
