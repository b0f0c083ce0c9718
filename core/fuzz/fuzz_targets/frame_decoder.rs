//! The reader link's receiving side with arbitrary bytes: the streaming frame decoder (split at
//! input-chosen points), then the link machine and both message decoders on what it yields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tillkit_core::reader::link::fuzzing::receive_arbitrary;

fuzz_target!(|data: &[u8]| {
    receive_arbitrary(data);
});
