//! The rules engine, step 4 of the data flow: the Info backup scenario as a state machine over a
//! [`crate::world::World`], one profile per published revision plus `strict`. Pure rules: no IO
//! but through the world, no system clock.
