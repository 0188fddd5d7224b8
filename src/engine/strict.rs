//! The strict profile (in progress).

use crate::world::{World, WorldError};

use super::evidence::Evidence;
use super::{BlockInput, BlockOutput};

pub(crate) fn run(input: &BlockInput<'_>, world: &mut dyn World) -> Result<(BlockOutput, Evidence), WorldError> {
    super::faithful::run(input, world)
}
