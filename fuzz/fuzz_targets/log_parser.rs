//! The log parser never panics, and the model is the same whether the log is parsed in one call
//! or fed to the streaming parser in small blocks.
//! The first byte picks the block size (1 to 256 bytes); the rest is the log.
#![no_main]

use infobackup::log::{self, ModelBuilder, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let block = usize::from(pick) + 1;
    let whole = log::parse(bytes);
    let mut model = ModelBuilder::new();
    let mut parser = Parser::new();
    for piece in bytes.chunks(block) {
        parser.feed(piece, &mut |item| model.push(item));
    }
    let info = parser.finish(&mut |item| model.push(item));
    let chunked = model.finish(info);
    assert!(chunked == whole, "blocks of {block} bytes: the model differs from one call's");
});
