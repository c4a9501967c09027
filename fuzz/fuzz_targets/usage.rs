//! The usage file of the pricing calculator (`fanout bill`): decode,
//! validate, price, and print as a table and as JSON. Bad input must give a
//! list of problems; a priced bill's lines must sum to its total.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fanout_fuzz::usage(data));
