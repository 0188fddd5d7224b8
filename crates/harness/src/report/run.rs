//! Replaying a resolved case with one profile: the bridge from a case to the engine that both
//! the snapshot suite and `check` go through.

use std::path::Path;

use crate::case::{ProfileRef, Resolved};
use crate::engine::{Profile, ProfileConfig, ProfileError, Replay};
use crate::php::PhpVersion;
use crate::via::{Via, ViaError};

/// Why a replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("profile {0:?} is not a built-in profile (v2022-01, v2023-03, v2024-08, strict)")]
    UnknownProfile(String),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("replaying the timeline: {0}")]
    Replay(#[from] ViaError),
    #[error(transparent)]
    Php(#[from] crate::phprun::PhpError),
}

/// A profile named on the command line: a built-in name, a profile TOML file, or `php:PATH`
/// (a scenario template or bare code block; checked here: the file reads and php runs).
pub fn profile_arg(arg: &str) -> Result<ProfileRef, RunError> {
    if let Some(path) = arg.strip_prefix("php:") {
        crate::phprun::program(Path::new(path))?;
        return Ok(ProfileRef::Php {
            name: arg.to_owned(),
            path: path.into(),
        });
    }
    if arg.ends_with(".toml") || Path::new(arg).is_file() {
        return Ok(ProfileRef::File {
            name: arg.to_owned(),
            path: arg.into(),
        });
    }
    if arg.parse::<Profile>().is_ok() {
        Ok(ProfileRef::Builtin(arg.to_owned()))
    } else {
        Err(RunError::UnknownProfile(arg.to_owned()))
    }
}

/// The engine configuration a profile argument names outside any case (`conformance
/// --profile`): a built-in with its published parameters, a profile file, or `php:PATH`.
pub fn standalone_config(arg: &str) -> Result<ProfileConfig, RunError> {
    match profile_arg(arg)? {
        ProfileRef::Builtin(name) => Ok(ProfileConfig::builtin(
            name.parse().map_err(|_| RunError::UnknownProfile(name.clone()))?,
        )),
        ProfileRef::File { path, .. } => Ok(ProfileConfig::from_toml_file(&path)?),
        ProfileRef::Php { path, .. } => Ok(crate::phprun::profile(&path)?),
    }
}

/// The engine configuration for `profile` on this case: the built-in's, with the case's
/// parameters (minimum size, PHP). A profile file keeps every value it changes from its base;
/// the case's parameters fill the rest.
pub fn config_for(resolved: &Resolved, profile: &ProfileRef) -> Result<ProfileConfig, RunError> {
    let php = if resolved.php == 7 {
        PhpVersion::Php7
    } else {
        PhpVersion::Php8
    };
    match profile {
        ProfileRef::Builtin(name) => {
            let base: Profile = name.parse().map_err(|_| RunError::UnknownProfile(name.clone()))?;
            let mut c = ProfileConfig::builtin(base);
            c.min_size = resolved.min_size;
            c.php = php;
            Ok(c)
        }
        ProfileRef::Php { path, .. } => {
            // The block's own first line sets the minimum size; the box's PHP is imitated where
            // it can be (see `phprun`).
            let mut c = crate::phprun::profile(path)?;
            c.php = php;
            Ok(c)
        }
        ProfileRef::File { path, .. } => {
            let mut c = ProfileConfig::from_toml_file(path)?;
            let base = ProfileConfig::builtin(c.base);
            if c.min_size == base.min_size {
                c.min_size = resolved.min_size;
            }
            if c.php == base.php {
                c.php = php;
            }
            Ok(c)
        }
    }
}

/// Replays the case's timeline with `profile`, in memory or over HTTP as `via` says.
pub fn replay(resolved: &Resolved, profile: &ProfileRef, via: &Via) -> Result<Replay, RunError> {
    let config = config_for(resolved, profile)?;
    Ok(via.replay(&resolved.timeline, &config)?)
}
