use serde::{Deserialize, Serialize};
use std::fmt;

/// The instruction set a Lambda function runs on; it sets the duration price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// x86_64 (Lambda's default).
    #[default]
    X86_64,
    /// Arm64 (Graviton): about 20 % cheaper per GB-s.
    Arm64,
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        })
    }
}
