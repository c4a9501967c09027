//! Dialogs and what they hand out: the shared modal markup ([`dialog`]),
//! the help overlay ([`help`]), the embed options and snippet ([`embed`]),
//! and the import and export builders ([`import_export`]).

pub mod dialog;
pub mod embed;
pub mod help;
pub mod import_export;
