//! The horizon area: signals of change, drivers, their scores and their interchange (DOMAIN.md, "Signal").
//! What a signal, a scoring and a driver may be is [`signals`]; CSV in the Build Your Own Radar
//! layout and in full is [`csv`].

pub mod csv;
pub mod signals;
