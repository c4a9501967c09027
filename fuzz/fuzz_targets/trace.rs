//! The trace readers: `trace_counts` CSV text (any separators, an optional
//! header, `second,count` pairs) and `trace_times` instants. Whatever the
//! reader accepts and validation passes, the arrival generator replays in
//! time order, within the run, with exactly the counted arrivals.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fanout_fuzz::trace(data));
