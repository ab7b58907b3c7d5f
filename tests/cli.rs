//! The `yingji` binary as county IT staff script it.
