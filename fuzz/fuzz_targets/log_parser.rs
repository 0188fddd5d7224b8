//! The log parser never panics, and the model is the same whether the log is parsed in one call,
//! fed in small blocks on one thread, or cut into pieces parsed on several threads.
//! The first byte picks the block size (1 to 256 bytes); the rest is the log.
#![no_main]

use infobackup::log::{self, ModelBuilder, parallel};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let block = usize::from(pick) + 1;
    let whole = log::parse_threads(bytes, 1);
    for threads in [1, 3] {
        let mut model = ModelBuilder::new();
        let info = parallel::for_each_sized(bytes, threads, block, |item| model.push(item))
            .expect("reading a slice cannot fail");
        let chunked = model.finish(info);
        assert!(
            chunked == whole,
            "{threads} thread(s), blocks of {block} bytes: the model differs from one call's"
        );
    }
});
