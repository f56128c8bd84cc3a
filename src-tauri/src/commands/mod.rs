pub mod beats;
pub mod review;
pub mod settings;
pub mod sources;
pub mod stories;
pub mod verify;
pub mod writers;
